import { useState, type FormEvent, type ReactNode } from 'react';
import * as auth from '../auth';
import { Alert } from '../ui';

type Mode = 'signin' | 'signup' | 'confirm' | 'forgot' | 'reset' | 'newPassword';

const TITLES: Record<Mode, string> = {
  signin: 'Welcome back',
  signup: 'Create your account',
  confirm: 'Confirm your email',
  forgot: 'Reset your password',
  reset: 'Choose a new password',
  newPassword: 'Choose a new password',
};

function Field({ label, ...input }: { label: string } & React.InputHTMLAttributes<HTMLInputElement>) {
  return (
    <label>
      {label}
      <input required {...input} />
    </label>
  );
}

export function AuthView({ onSignedIn, initialError = '' }: { onSignedIn: (u: auth.SignedIn) => void; initialError?: string }) {
  const [mode, setMode] = useState<Mode>('signin');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [error, setError] = useState(initialError);
  const [info, setInfo] = useState('');
  const [busy, setBusy] = useState(false);

  const go = (m: Mode, message = '') => {
    setMode(m);
    setError('');
    setInfo(message);
  };

  const run = (fn: () => Promise<void>) => async (e?: FormEvent) => {
    e?.preventDefault();
    setError('');
    setInfo('');
    setBusy(true);
    try {
      await fn();
    } catch (err) {
      if (err instanceof auth.AuthError && err.code === 'UserNotConfirmedException') setMode('confirm');
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  /** Where a sign-in attempt leads: the app, or the step Cognito asks for. */
  const after = async (step: auth.NextStep) => {
    if (step === 'done') {
      const u = await auth.currentUser();
      if (u) onSignedIn(u);
    } else if (step === 'confirmSignUp')
      go('confirm', 'This account is not confirmed yet. Enter the code we emailed you, or ask for a new one.');
    else if (step === 'newPassword') go('newPassword', 'Your password was set by an administrator. Choose your own to continue.');
    else {
      await auth.forgotPassword(email.trim());
      go('reset', `Your password must be reset. We sent a code to ${email.trim()}.`);
    }
  };

  const emailField = (
    <Field label="Email" type="email" name="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} />
  );
  // The reset and the forced-change forms ask for it the same way (only one of them is shown).
  const newPasswordField = (
    <Field
      label="New password"
      type="password"
      name="password"
      autoComplete="new-password"
      minLength={8}
      value={password}
      onChange={(e) => setPassword(e.target.value)}
    />
  );
  const submit = (idle: string, working: string) => (
    <button className="btn btn-primary" disabled={busy}>
      {busy ? working : idle}
    </button>
  );
  const tab = (m: Mode, label: string) => (
    <button type="button" role="tab" aria-selected={mode === m} className={`tab ${mode === m ? 'tab-active' : ''}`} onClick={() => go(m)}>
      {label}
    </button>
  );

  const forms: Record<Mode, ReactNode> = {
    signin: (
      <>
        <form onSubmit={run(async () => after(await auth.signIn(email.trim(), password)))}>
          {emailField}
          <Field
            label="Password"
            type="password"
            name="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
          {submit('Sign in', 'Signing in…')}
        </form>
        <p>
          <button type="button" className="btn btn-link" onClick={() => go('forgot')}>
            Forgot your password?
          </button>
        </p>
        <div className="divider" role="separator">
          or
        </div>
        <button type="button" className="btn btn-block" disabled={busy} onClick={run(() => auth.startHostedUi())}>
          Sign in with the hosted UI
        </button>
      </>
    ),
    signup: (
      <form
        onSubmit={run(async () => {
          await auth.signUp(email.trim(), password);
          go('confirm', `We sent a confirmation code to ${email.trim()}.`);
        })}
      >
        {emailField}
        <Field
          label="Password"
          type="password"
          name="password"
          autoComplete="new-password"
          minLength={8}
          aria-describedby="pw-help"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <p id="pw-help" className="hint">
          At least 8 characters, with upper-case and lower-case letters and a number.
        </p>
        {submit('Create account', 'Creating…')}
      </form>
    ),
    confirm: (
      <>
        <form
          onSubmit={run(async () => {
            await auth.confirmSignUp(email.trim(), code.trim());
            // Signing straight in saves a step when the password is still in the form.
            if (password) await after(await auth.signIn(email.trim(), password));
            else go('signin', 'Email confirmed. You can sign in now.');
          })}
        >
          {emailField}
          <Field
            label="Confirmation code"
            name="code"
            inputMode="numeric"
            autoComplete="one-time-code"
            value={code}
            onChange={(e) => setCode(e.target.value)}
          />
          {submit('Confirm email', 'Confirming…')}
        </form>
        <p>
          <button
            type="button"
            className="btn btn-link"
            disabled={busy || !email}
            onClick={run(async () => {
              await auth.resendCode(email.trim());
              setInfo(`We sent a new code to ${email.trim()}.`);
            })}
          >
            Send a new code
          </button>
        </p>
      </>
    ),
    forgot: (
      <form
        onSubmit={run(async () => {
          await auth.forgotPassword(email.trim());
          go('reset', `If ${email.trim()} has an account, we sent it a code.`);
        })}
      >
        {emailField}
        {submit('Send a reset code', 'Sending…')}
      </form>
    ),
    reset: (
      <form
        onSubmit={run(async () => {
          await auth.confirmForgotPassword(email.trim(), code.trim(), password);
          await after(await auth.signIn(email.trim(), password));
        })}
      >
        {emailField}
        <Field
          label="Reset code"
          name="code"
          inputMode="numeric"
          autoComplete="one-time-code"
          value={code}
          onChange={(e) => setCode(e.target.value)}
        />
        {newPasswordField}
        {submit('Set password and sign in', 'Saving…')}
      </form>
    ),
    newPassword: (
      <form onSubmit={run(async () => after(await auth.completeNewPassword(password)))}>
        {newPasswordField}
        {submit('Set password', 'Saving…')}
      </form>
    ),
  };

  return (
    <section className="auth card" aria-labelledby="auth-title">
      <h1 id="auth-title">{TITLES[mode]}</h1>
      <p className="muted">Shop the catalogue, follow your orders live, keep your to-dos and files in one place.</p>
      <div className="tabs" role="tablist" aria-label="Account">
        {tab('signin', 'Sign in')}
        {tab('signup', 'Create account')}
        {tab('confirm', 'Confirm')}
      </div>
      <Alert>{error}</Alert>
      <Alert kind="success">{info}</Alert>
      {forms[mode]}
    </section>
  );
}
