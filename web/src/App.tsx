import { useEffect, useMemo, useState } from 'react';
import { apiClient, type ApiClient } from './api';
import { completeHostedUi, configureAuth, currentUser, signOut, type SignedIn } from './auth';
import { loadConfig, type AppConfig } from './config';
import { usePath } from './router';
import { Alert, Link } from './ui';
import { AuthView } from './views/AuthView';
import { OrderDetailView, OrdersView } from './views/OrdersView';
import { ShopView } from './views/ShopView';
import { TodosView } from './views/TodosView';
import { UploadView } from './views/UploadView';

const NAV = [
  { to: '/', label: 'Shop' },
  { to: '/orders', label: 'Orders' },
  { to: '/todos', label: 'To-dos' },
  { to: '/uploads', label: 'Uploads' },
];

interface Boot {
  cfg: AppConfig;
  user?: SignedIn;
  /** A hosted UI return that failed (shown on the sign-in page). */
  authError?: string;
}

/** Once per page (not per render): config, Amplify, and a hosted UI return if this is one. */
let boot: Promise<Boot | undefined> | undefined;
async function start(): Promise<Boot | undefined> {
  const cfg = await loadConfig();
  configureAuth(cfg);
  let authError: string | undefined;
  try {
    if ((await completeHostedUi()) === 'redirecting') return undefined;
  } catch (e) {
    authError = e instanceof Error ? e.message : String(e);
  }
  return { cfg, user: await currentUser(), ...(authError ? { authError } : {}) };
}

export function App() {
  const [cfg, setCfg] = useState<AppConfig>();
  const [cfgError, setCfgError] = useState('');
  const [authError, setAuthError] = useState('');
  const [session, setSession] = useState<SignedIn>();
  const path = usePath();

  useEffect(() => {
    (boot ??= start()).then(
      (b) => {
        if (!b) return; // on the way to the hosted UI
        setSession(b.user);
        setAuthError(b.authError ?? '');
        setCfg(b.cfg);
      },
      (e: Error) => setCfgError(e.message),
    );
  }, []);

  const api: ApiClient | undefined = useMemo(() => (cfg ? apiClient(cfg, () => setSession(undefined)) : undefined), [cfg]);

  const onSignOut = () => void signOut().then(() => setSession(undefined));

  let main;
  if (cfgError) main = <Alert>{cfgError}</Alert>;
  else if (!cfg || !api)
    main = (
      <p className="muted" role="status">
        Loading…
      </p>
    );
  else if (!session)
    main = (
      <AuthView
        initialError={authError}
        onSignedIn={(u) => {
          setAuthError('');
          setSession(u);
        }}
      />
    );
  else if (path === '/orders') main = <OrdersView api={api} />;
  else if (path.startsWith('/orders/')) main = <OrderDetailView api={api} orderId={decodeURIComponent(path.slice('/orders/'.length))} />;
  else if (path === '/todos') main = <TodosView api={api} />;
  else if (path === '/uploads') main = <UploadView api={api} />;
  else if (path === '/') main = <ShopView api={api} />;
  else
    main = (
      <section className="card">
        <h1>Page not found</h1>
        <p>
          <Link to="/">Back to the shop</Link>
        </p>
      </section>
    );

  const section = '/' + (path.split('/')[1] ?? '');
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <div className="topbar-inner">
          <Link to="/" className="brand">
            ◆ Myapp
          </Link>
          {session && (
            <nav aria-label="Main">
              {NAV.map((n) => (
                <Link key={n.to} to={n.to} className="navlink" current={section === n.to}>
                  {n.label}
                </Link>
              ))}
            </nav>
          )}
          {session && (
            <div className="who">
              <span className="muted" data-testid="signed-in-as">
                {session.email}
              </span>
              <button type="button" className="btn btn-ghost" onClick={onSignOut}>
                Sign out
              </button>
            </div>
          )}
        </div>
      </header>
      <main id="main" className="container" tabIndex={-1}>
        {main}
      </main>
      <footer className="footer muted">
        <a href="/docs/">API documentation</a>
      </footer>
    </>
  );
}
