/**
 * The hosted UI (Cognito's "managed login") and OAuth2 endpoints of a user pool domain,
 * served on the local Cognito endpoint's port: /oauth2/authorize, /login, /signup,
 * /confirmUser, /forgotPassword, /logout and the JSON endpoints in oauth-endpoints.ts.
 * Pages post plain forms with a double-submit CSRF token; a sign-in sets the `cognito`
 * session cookie (HttpOnly, an hour), and only /oauth2/authorize ever issues a code.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkPassword } from '../auth-flows';
import { CognitoError } from '../errors';
import type { CognitoCore, Rec, User } from '../model';
import { findClient, parseAuthorizeRequest, type AuthorizeRequest } from './authorize';
import { OAuthEndpoints, type OAuthResponse } from './oauth-endpoints';
import * as pages from './pages';
import { HostedUiStore } from './store';

const SESSION_COOKIE = 'cognito';
const CSRF_COOKIE = 'XSRF-TOKEN';
const MAX_FORM = 64 * 1024;
const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  // No form-action: Chrome applies it to the redirect that follows a sign-in, to the app.
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'",
};

interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  cookies: Record<string, string>;
  form: URLSearchParams;
  cors: Record<string, string>;
  setCookies: string[];
}

type Handler = (x: Exchange) => Promise<void> | void;

function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out[part.slice(0, i).trim()] = decodeURIComponent(part.slice(i + 1).trim());
  }
  return out;
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams | undefined> {
  if (req.method !== 'POST') return new URLSearchParams();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_FORM) return undefined;
    chunks.push(c as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

export class HostedUi {
  private store = new HostedUiStore();
  private oauth: OAuthEndpoints;
  private routes: Record<string, Handler> = {
    'GET /oauth2/authorize': (x) => this.authorize(x),
    'GET /login': (x) => this.page(x, (_ar, c) => pages.loginPage(c, x.url.searchParams.get('username') ?? '')),
    'POST /login': (x) => this.withRequest(x, (ar) => this.login(x, ar)),
    'GET /signup': (x) => this.page(x, (_ar, c) => pages.signUpPage(c)),
    'POST /signup': (x) => this.withRequest(x, (ar) => this.signUp(x, ar)),
    'POST /confirmUser': (x) => this.withRequest(x, (ar) => this.confirmUser(x, ar)),
    'POST /newPassword': (x) => this.withRequest(x, (ar) => this.newPassword(x, ar)),
    'GET /forgotPassword': (x) => this.page(x, (_ar, c) => pages.forgotPasswordPage(c)),
    'POST /forgotPassword': (x) => this.withRequest(x, (ar) => this.forgotPassword(x, ar)),
    'POST /confirmForgotPassword': (x) => this.withRequest(x, (ar) => this.confirmForgotPassword(x, ar)),
    'GET /logout': (x) => this.logout(x),
    'GET /error': (x) => this.html(x, 400, pages.errorPage(x.url.searchParams.get('error') ?? 'unknown error')),
    'POST /oauth2/token': async (x) => this.json(x, await this.oauth.token(x.form, x.req.headers.authorization)),
    'GET /oauth2/userInfo': async (x) => this.json(x, await this.oauth.userInfo(x.req.headers.authorization)),
    'POST /oauth2/userInfo': async (x) => this.json(x, await this.oauth.userInfo(x.req.headers.authorization)),
    'POST /oauth2/revoke': (x) => this.json(x, this.oauth.revoke(x.form, x.req.headers.authorization)),
  };

  constructor(private core: CognitoCore) {
    this.oauth = new OAuthEndpoints(core, this.store);
  }

  discovery(poolId: string): Rec {
    return this.oauth.discovery(poolId);
  }

  /** Serves the request when it is one of the hosted UI's; false otherwise. */
  async handle(req: IncomingMessage, res: ServerResponse, cors: Record<string, string>): Promise<boolean> {
    const url = new URL(req.url ?? '/', 'http://local');
    const route = this.routes[`${req.method} ${url.pathname}`];
    if (!route) return false;
    const form = await readForm(req);
    if (!form) return (res.writeHead(413, { 'content-type': 'text/plain' }).end('Request body too large\n'), true);
    await route({ req, res, url, cookies: parseCookies(req.headers.cookie), form, cors, setCookies: [] });
    return true;
  }

  private html(x: Exchange, status: number, body: string): void {
    x.res.writeHead(status, { ...PAGE_HEADERS, ...(x.setCookies.length ? { 'set-cookie': x.setCookies } : {}) }).end(body);
  }

  private redirect(x: Exchange, location: string): void {
    x.res.writeHead(302, { location, 'cache-control': 'no-store', ...(x.setCookies.length ? { 'set-cookie': x.setCookies } : {}) }).end();
  }

  private json(x: Exchange, r: OAuthResponse): void {
    x.res.writeHead(r.status, {
      'content-type': 'application/json;charset=UTF-8',
      'cache-control': 'no-store',
      pragma: 'no-cache',
      ...x.cors,
      ...(r.headers ?? {}),
    });
    x.res.end(r.body === '' ? '' : JSON.stringify(r.body));
  }

  private cookie(x: Exchange, name: string, value: string, maxAgeSeconds: number): void {
    x.setCookies.push(`${name}=${encodeURIComponent(value)}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAgeSeconds}`);
  }

  /** The page context, setting the CSRF cookie the page's form will echo. */
  private context(x: Exchange, ar: AuthorizeRequest, extra: { error?: string; notice?: string } = {}): pages.PageContext {
    let csrf = x.cookies[CSRF_COOKIE];
    if (!csrf) {
      csrf = randomBytes(24).toString('base64url');
      x.cookies[CSRF_COOKIE] = csrf;
      this.cookie(x, CSRF_COOKIE, csrf, 3600);
    }
    return { appName: ar.client.name, query: ar.query, csrf, ...extra };
  }

  private parse(x: Exchange): AuthorizeRequest | undefined {
    const p = parseAuthorizeRequest(this.core.pools, x.url.searchParams);
    if ('ok' in p) return p.ok;
    if ('redirect' in p) this.redirect(x, p.redirect);
    else this.html(x, 400, pages.errorPage(p.errorPage));
    return undefined;
  }

  private page(x: Exchange, render: (ar: AuthorizeRequest, c: pages.PageContext) => string): void {
    const ar = this.parse(x);
    if (ar) this.html(x, 200, render(ar, this.context(x, ar)));
  }

  /** A form post: valid authorize parameters and the double-submitted CSRF token. */
  private async withRequest(x: Exchange, run: (ar: AuthorizeRequest) => Promise<void> | void): Promise<void> {
    const ar = this.parse(x);
    if (!ar) return;
    const csrf = x.form.get('_csrf');
    if (!csrf || csrf !== x.cookies[CSRF_COOKIE])
      return this.html(x, 403, pages.errorPage('The form expired or came from another site. Go back and try again.'));
    await run(ar);
  }

  private authorize(x: Exchange): void {
    const ar = this.parse(x);
    if (!ar) return;
    const session = this.store.sessions.get(x.cookies[SESSION_COOKIE]);
    const user = session?.poolId === ar.pool.id ? this.core.findUser(this.core.poolState(ar.pool.id), session.username) : undefined;
    if (!session || !user || !user.enabled || user.status !== 'CONFIRMED') return this.redirect(x, `/login?${ar.query}`);
    const code = this.store.codes.add({
      poolId: ar.pool.id,
      clientId: ar.clientId,
      redirectUri: ar.redirectUri,
      username: user.username,
      scopes: ar.scopes,
      authTime: session.authTime,
      ...(ar.codeChallenge ? { codeChallenge: ar.codeChallenge } : {}),
      ...(ar.nonce ? { nonce: ar.nonce } : {}),
    });
    const to = new URL(ar.redirectUri);
    to.searchParams.set('code', code);
    if (ar.state !== undefined) to.searchParams.set('state', ar.state);
    this.redirect(x, to.toString());
  }

  /** A proven user gets the session cookie and goes back to /oauth2/authorize for the code. */
  private signIn(x: Exchange, ar: AuthorizeRequest, u: User): void {
    const sid = this.store.sessions.add({ poolId: ar.pool.id, username: u.username, authTime: Math.floor(Date.now() / 1000) });
    this.cookie(x, SESSION_COOKIE, sid, 3600);
    this.redirect(x, `/oauth2/authorize?${ar.query}`);
  }

  /** Runs an API operation for a form; Cognito's message goes back on the page. */
  private async attempt(x: Exchange, op: () => Promise<Rec>, onError: (message: string) => string): Promise<Rec | undefined> {
    try {
      return await op();
    } catch (e) {
      if (!(e instanceof CognitoError)) throw e;
      this.html(x, 200, onError(e.message));
      return undefined;
    }
  }

  private async login(x: Exchange, ar: AuthorizeRequest): Promise<void> {
    const username = (x.form.get('username') ?? '').trim();
    const retry = (error: string) => pages.loginPage(this.context(x, ar, { error }), username);
    let u: User | undefined;
    await this.attempt(
      x,
      async () => ((u = checkPassword(this.core, ar.pool, ar.client, username, x.form.get('password') ?? '')), {}),
      retry,
    );
    if (!u) return;
    if (!u.enabled) return this.html(x, 200, retry('User is disabled.'));
    if (u.status === 'CONFIRMED') return this.signIn(x, ar, u);
    const pending = this.store.steps.add({ poolId: ar.pool.id, username: u.username, signsIn: true });
    if (u.status === 'FORCE_CHANGE_PASSWORD') return this.html(x, 200, pages.newPasswordPage(this.context(x, ar), pending));
    if (u.status === 'UNCONFIRMED') {
      const sent = await this.attempt(
        x,
        () => this.core.call('ResendConfirmationCode', { ClientId: ar.clientId, Username: u!.username }),
        retry,
      );
      if (sent) this.html(x, 200, pages.confirmPage(this.context(x, ar), pending, String((sent.CodeDeliveryDetails as Rec).Destination)));
      return;
    }
    const sent = await this.attempt(x, () => this.core.call('ForgotPassword', { ClientId: ar.clientId, Username: u!.username }), retry);
    if (sent)
      this.html(
        x,
        200,
        pages.resetPasswordPage(
          this.context(x, ar, { notice: 'Your password must be reset: we have sent you a code by email.' }),
          u.attributes.email ?? username,
          String((sent.CodeDeliveryDetails as Rec).Destination),
        ),
      );
  }

  private async signUp(x: Exchange, ar: AuthorizeRequest): Promise<void> {
    const email = (x.form.get('username') ?? '').trim();
    const body = {
      ClientId: ar.clientId,
      Username: email,
      Password: x.form.get('password') ?? '',
      UserAttributes: [{ Name: 'email', Value: email }],
    };
    const r = await this.attempt(
      x,
      () => this.core.call('SignUp', body),
      (error) => pages.signUpPage(this.context(x, ar, { error }), email),
    );
    if (!r) return;
    const pending = this.store.steps.add({ poolId: ar.pool.id, username: String(r.UserSub), signsIn: true });
    this.html(x, 200, pages.confirmPage(this.context(x, ar), pending, String((r.CodeDeliveryDetails as Rec).Destination)));
  }

  private expired(x: Exchange, ar: AuthorizeRequest): void {
    this.html(x, 200, pages.loginPage(this.context(x, ar, { error: 'Your session has expired. Please sign in again.' })));
  }

  private async confirmUser(x: Exchange, ar: AuthorizeRequest): Promise<void> {
    const id = x.form.get('pending') ?? undefined;
    const step = this.store.steps.get(id);
    if (!step || step.poolId !== ar.pool.id) return this.expired(x, ar);
    const body = { ClientId: ar.clientId, Username: step.username, ConfirmationCode: (x.form.get('code') ?? '').trim() };
    const ok = await this.attempt(
      x,
      () => this.core.call('ConfirmSignUp', body),
      (error) => pages.confirmPage(this.context(x, ar, { error, notice: 'Enter the code we sent you by email.' }), id!, ''),
    );
    if (!ok) return;
    this.store.steps.delete(id);
    const u = this.core.findUser(this.core.poolState(ar.pool.id), step.username);
    if (u && step.signsIn) return this.signIn(x, ar, u);
    this.html(x, 200, pages.loginPage(this.context(x, ar, { notice: 'Your account is confirmed. Sign in.' })));
  }

  private async newPassword(x: Exchange, ar: AuthorizeRequest): Promise<void> {
    const id = x.form.get('pending') ?? undefined;
    const step = this.store.steps.get(id);
    if (!step || step.poolId !== ar.pool.id) return this.expired(x, ar);
    const body = { UserPoolId: ar.pool.id, Username: step.username, Password: x.form.get('password') ?? '', Permanent: true };
    const ok = await this.attempt(
      x,
      () => this.core.call('AdminSetUserPassword', body),
      (error) => pages.newPasswordPage(this.context(x, ar, { error }), id!),
    );
    if (!ok) return;
    this.store.steps.delete(id);
    this.signIn(x, ar, this.core.mustUser(this.core.poolState(ar.pool.id), step.username));
  }

  private async forgotPassword(x: Exchange, ar: AuthorizeRequest): Promise<void> {
    const username = (x.form.get('username') ?? '').trim();
    const r = await this.attempt(
      x,
      () => this.core.call('ForgotPassword', { ClientId: ar.clientId, Username: username }),
      (error) => pages.forgotPasswordPage(this.context(x, ar, { error }), username),
    );
    if (r) this.html(x, 200, pages.resetPasswordPage(this.context(x, ar), username, String((r.CodeDeliveryDetails as Rec).Destination)));
  }

  private async confirmForgotPassword(x: Exchange, ar: AuthorizeRequest): Promise<void> {
    const username = x.form.get('username') ?? '';
    const body = {
      ClientId: ar.clientId,
      Username: username,
      ConfirmationCode: (x.form.get('code') ?? '').trim(),
      Password: x.form.get('password') ?? '',
    };
    const ok = await this.attempt(
      x,
      () => this.core.call('ConfirmForgotPassword', body),
      (error) => pages.resetPasswordPage(this.context(x, ar, { error, notice: 'Enter the code we sent you by email.' }), username, ''),
    );
    if (ok)
      this.html(
        x,
        200,
        pages.loginPage(this.context(x, ar, { notice: 'Your password has been reset. Sign in with your new password.' }), username),
      );
  }

  /** Ends the hosted UI session, then goes to a listed logout_uri (or back to sign-in). */
  private logout(x: Exchange): void {
    const q = x.url.searchParams;
    const found = findClient(this.core.pools, q.get('client_id') ?? '');
    if (!found) return this.html(x, 400, pages.errorPage('invalid_request: client_id is missing or unknown'));
    const logoutUri = q.get('logout_uri');
    let target: string | undefined;
    if (logoutUri !== null) {
      if (!found.client.oauth.logoutUrls.includes(logoutUri))
        return this.html(x, 400, pages.errorPage(`logout_uri ${logoutUri} is not among the app client's LogoutURLs`));
      target = logoutUri;
    } else {
      const p = parseAuthorizeRequest(this.core.pools, q);
      if ('errorPage' in p) return this.html(x, 400, pages.errorPage(p.errorPage));
      target = 'ok' in p ? `/login?${p.ok.query}` : p.redirect;
    }
    this.store.sessions.delete(x.cookies[SESSION_COOKIE]);
    this.cookie(x, SESSION_COOKIE, '', 0);
    this.redirect(x, target);
  }
}
