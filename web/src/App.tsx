import { useEffect, useMemo, useState } from 'react';
import { apiClient, type ApiClient } from './api';
import { loadSession, saveSession, type Session } from './cognito';
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

export function App() {
  const [cfg, setCfg] = useState<AppConfig>();
  const [cfgError, setCfgError] = useState('');
  const [session, setSession] = useState<Session | undefined>(loadSession);
  const path = usePath();

  useEffect(() => {
    loadConfig().then(setCfg, (e: Error) => setCfgError(e.message));
  }, []);

  const api: ApiClient | undefined = useMemo(() => {
    if (!cfg) return undefined;
    // Read the latest session at call time; refreshes update it in place.
    let current = session;
    return apiClient(cfg, () => current ?? loadSession(), (s) => { current = s; setSession(s); });
  }, [cfg, session?.email]); // eslint-disable-line react-hooks/exhaustive-deps

  const signOut = () => { saveSession(undefined); setSession(undefined); };

  let main;
  if (cfgError) main = <Alert>{cfgError}</Alert>;
  else if (!cfg || !api) main = <p className="muted" role="status">Loading…</p>;
  else if (!session) main = <AuthView cfg={cfg} onSignedIn={(s) => { saveSession(s); setSession(s); }} />;
  else if (path === '/orders') main = <OrdersView api={api} />;
  else if (path.startsWith('/orders/')) main = <OrderDetailView api={api} orderId={decodeURIComponent(path.slice('/orders/'.length))} />;
  else if (path === '/todos') main = <TodosView api={api} />;
  else if (path === '/uploads') main = <UploadView api={api} />;
  else if (path === '/') main = <ShopView api={api} />;
  else main = <section className="card"><h1>Page not found</h1><p><Link to="/">Back to the shop</Link></p></section>;

  const section = '/' + (path.split('/')[1] ?? '');
  return (
    <>
      <a className="skip" href="#main">Skip to content</a>
      <header className="topbar">
        <div className="topbar-inner">
          <Link to="/" className="brand">◆ Myapp</Link>
          {session && (
            <nav aria-label="Main">
              {NAV.map((n) => <Link key={n.to} to={n.to} className="navlink" current={section === n.to}>{n.label}</Link>)}
            </nav>
          )}
          {session && (
            <div className="who">
              <span className="muted" data-testid="signed-in-as">{session.email}</span>
              <button type="button" className="btn btn-ghost" onClick={signOut}>Sign out</button>
            </div>
          )}
        </div>
      </header>
      <main id="main" className="container" tabIndex={-1}>{main}</main>
      <footer className="footer muted">
        <a href="/docs/">API documentation</a>
      </footer>
    </>
  );
}
