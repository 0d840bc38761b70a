/**
 * The local hosted UI driven as a browser drives it (cookies, its HTML forms, redirects
 * followed by hand), with oauth4webapi as the OAuth client: discovery from the issuer,
 * PKCE (S256), state and nonce, and its checks of the authorization and token responses.
 */
import * as oauth from 'oauth4webapi';

/** Cookies by name, as a browser keeps them for one host. */
export class CookieJar {
  private cookies = new Map<string, string>();

  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  take(res: Response): void {
    for (const c of res.headers.getSetCookie()) {
      const [pair = '', ...attrs] = c.split(';');
      const i = pair.indexOf('=');
      const expired = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a));
      if (expired) this.cookies.delete(pair.slice(0, i).trim());
      else this.cookies.set(pair.slice(0, i).trim(), pair.slice(i + 1).trim());
    }
  }

  has(name: string): boolean {
    return this.cookies.has(name);
  }
}

export interface HostedUiClient {
  as: oauth.AuthorizationServer;
  client: oauth.Client;
  redirectUri: string;
  jar: CookieJar;
  /** An absolute URL on the hosted UI's domain. */
  url(pathAndQuery: string): string;
  get(url: string): Promise<Response>;
  post(url: string, form: Record<string, string>): Promise<Response>;
}

/** Plain http is allowed for the local endpoint only (loopback). */
export const local = { [oauth.allowInsecureRequests]: true } as const;

export async function hostedUiClient(outputs: Record<string, string>): Promise<HostedUiClient> {
  const issuer = new URL(`${outputs.CognitoEndpoint}/${outputs.UserPoolId}`);
  const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...local }));
  const jar = new CookieJar();
  const base = new URL(as.authorization_endpoint!).origin;
  const send = async (url: string, init: RequestInit = {}) => {
    const res = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), cookie: jar.header() },
    });
    jar.take(res);
    return res;
  };
  return {
    as,
    client: { client_id: outputs.UserPoolClientId! },
    redirectUri: `${new URL(outputs.WebURL!).origin}/app/`,
    jar,
    url: (p) => new URL(p, base).toString(),
    get: (url) => send(url),
    post: (url, form) =>
      send(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form).toString(),
      }),
  };
}

export interface PendingAuthorization {
  url: URL;
  verifier: string;
  state: string;
  nonce: string;
}

export async function authorizationRequest(h: HostedUiClient, extra: Record<string, string> = {}): Promise<PendingAuthorization> {
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const nonce = oauth.generateRandomNonce();
  const url = new URL(h.as.authorization_endpoint!);
  url.search = new URLSearchParams({
    client_id: h.client.client_id,
    response_type: 'code',
    redirect_uri: h.redirectUri,
    scope: 'openid email profile',
    state,
    nonce,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    ...extra,
  }).toString();
  return { url, verifier, state, nonce };
}

/** The hidden CSRF token and the action of the first form on a hosted UI page. */
export function formOf(html: string): { action: string; csrf: string; hidden: Record<string, string> } {
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1]?.replace(/&amp;/g, '&');
  if (!action) throw new Error(`no form on the page:\n${html.slice(0, 2000)}`);
  const hidden: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) hidden[m[1]!] = m[2]!.replace(/&amp;/g, '&');
  return { action, csrf: hidden._csrf ?? '', hidden };
}

/** Follows /oauth2/authorize through the login page to the redirect back with a code. */
export async function signInThroughHostedUi(
  h: HostedUiClient,
  email: string,
  password: string,
  extra: Record<string, string> = {},
): Promise<{ pending: PendingAuthorization; callback: URL }> {
  const pending = await authorizationRequest(h, extra);
  let res = await h.get(pending.url.toString());
  if (res.status === 302 && new URL(res.headers.get('location')!, pending.url).pathname === '/login') {
    const login = await h.get(h.url(res.headers.get('location')!));
    const form = formOf(await login.text());
    res = await h.post(h.url(form.action), { ...form.hidden, username: email, password });
    if (res.status !== 302) throw new Error(`sign-in did not redirect (${res.status}):\n${(await res.text()).slice(0, 1500)}`);
    res = await h.get(h.url(res.headers.get('location')!));
  }
  if (res.status !== 302) throw new Error(`authorize answered ${res.status}, not a redirect`);
  return { pending, callback: new URL(res.headers.get('location')!) };
}

/** The whole code flow: sign in, redeem the code with the verifier, check the response. */
export async function hostedUiTokens(h: HostedUiClient, email: string, password: string): Promise<oauth.TokenEndpointResponse> {
  const { pending, callback } = await signInThroughHostedUi(h, email, password);
  const params = oauth.validateAuthResponse(h.as, h.client, callback, pending.state);
  const res = await oauth.authorizationCodeGrantRequest(h.as, h.client, oauth.None(), params, h.redirectUri, pending.verifier, local);
  return oauth.processAuthorizationCodeResponse(h.as, h.client, res, { expectedNonce: pending.nonce, requireIdToken: true });
}
