import { useState, type FormEvent } from 'react';
import { CognitoError, confirmSignUp, signIn, signUp, type Session } from '../cognito';
import type { AppConfig } from '../config';
import { Alert } from '../ui';

type Mode = 'signin' | 'signup' | 'confirm';

export function AuthView({ cfg, onSignedIn }: { cfg: AppConfig; onSignedIn: (s: Session) => void }) {
  const [mode, setMode] = useState<Mode>('signin');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [error, setError] = useState('');
  const [info, setInfo] = useState('');
  const [busy, setBusy] = useState(false);

  const run = async (e: FormEvent, fn: () => Promise<void>) => {
    e.preventDefault();
    setError('');
    setInfo('');
    setBusy(true);
    try {
      await fn();
    } catch (err) {
      if (err instanceof CognitoError && err.code === 'UserNotConfirmedException') setMode('confirm');
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  const tab = (m: Mode, label: string) => (
    <button type="button" role="tab" aria-selected={mode === m} className={`tab ${mode === m ? 'tab-active' : ''}`} onClick={() => { setMode(m); setError(''); setInfo(''); }}>
      {label}
    </button>
  );

  return (
    <section className="auth card" aria-labelledby="auth-title">
      <h1 id="auth-title">{mode === 'signup' ? 'Create your account' : mode === 'confirm' ? 'Confirm your email' : 'Welcome back'}</h1>
      <p className="muted">Shop the catalogue, follow your orders live, keep your to-dos and files in one place.</p>
      <div className="tabs" role="tablist" aria-label="Account">
        {tab('signin', 'Sign in')}
        {tab('signup', 'Create account')}
        {tab('confirm', 'Confirm')}
      </div>
      <Alert>{error}</Alert>
      <Alert kind="success">{info}</Alert>
      {mode === 'signin' && (
        <form onSubmit={(e) => run(e, async () => onSignedIn(await signIn(cfg, email.trim(), password)))}>
          <label>Email<input type="email" name="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} /></label>
          <label>Password<input type="password" name="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} /></label>
          <button className="btn btn-primary" disabled={busy}>{busy ? 'Signing in…' : 'Sign in'}</button>
        </form>
      )}
      {mode === 'signup' && (
        <form onSubmit={(e) => run(e, async () => {
          await signUp(cfg, email.trim(), password);
          setMode('confirm');
          setInfo(`We sent a confirmation code to ${email.trim()}.`);
        })}>
          <label>Email<input type="email" name="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} /></label>
          <label>Password<input type="password" name="password" autoComplete="new-password" required minLength={8} aria-describedby="pw-help" value={password} onChange={(e) => setPassword(e.target.value)} /></label>
          <p id="pw-help" className="hint">At least 8 characters, with upper-case and lower-case letters and a number.</p>
          <button className="btn btn-primary" disabled={busy}>{busy ? 'Creating…' : 'Create account'}</button>
        </form>
      )}
      {mode === 'confirm' && (
        <form onSubmit={(e) => run(e, async () => {
          await confirmSignUp(cfg, email.trim(), code.trim());
          // Signing straight in saves a step when the password is still in the form.
          if (password) onSignedIn(await signIn(cfg, email.trim(), password));
          else { setMode('signin'); setInfo('Email confirmed. You can sign in now.'); }
        })}>
          <label>Email<input type="email" name="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} /></label>
          <label>Confirmation code<input name="code" inputMode="numeric" autoComplete="one-time-code" required value={code} onChange={(e) => setCode(e.target.value)} /></label>
          <button className="btn btn-primary" disabled={busy}>{busy ? 'Confirming…' : 'Confirm email'}</button>
        </form>
      )}
    </section>
  );
}
