/**
 * The hosted UI and Cognito's OAuth2 endpoints on the local user pool domain, with
 * oauth4webapi as the client (discovery, PKCE S256, state, nonce, its response checks) and
 * the pages driven over HTTP as a browser would (tests/e2e does it in a real browser).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPublicKey, verify, type JsonWebKey } from 'node:crypto';
import * as oauth from 'oauth4webapi';
import { createTestUser, startLocalRuntime, type LocalRuntimeHandle } from '../support/runtime';
import {
  authorizationRequest,
  formOf,
  hostedUiClient,
  hostedUiTokens,
  local,
  signInThroughHostedUi,
  type HostedUiClient,
} from '../support/hosted-ui';

jest.setTimeout(120_000);

let rt: LocalRuntimeHandle;
beforeAll(async () => {
  rt = await startLocalRuntime();
});
afterAll(async () => {
  await rt?.stop();
});

const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;

describe('discovery and the template’s outputs', () => {
  it('serves Cognito’s openid-configuration on the issuer, its endpoints on the local domain', async () => {
    const h = await hostedUiClient(rt.outputs);
    const base = rt.outputs.CognitoEndpoint;
    expect(h.as).toMatchObject({
      issuer: `${base}/${rt.outputs.UserPoolId}`,
      authorization_endpoint: `${base}/oauth2/authorize`,
      token_endpoint: `${base}/oauth2/token`,
      userinfo_endpoint: `${base}/oauth2/userInfo`,
      end_session_endpoint: `${base}/logout`,
      revocation_endpoint: `${base}/oauth2/revoke`,
      jwks_uri: `${base}/${rt.outputs.UserPoolId}/.well-known/jwks.json`,
    });
  });

  it('CognitoLoginURL and CognitoHostedUIURL point at the local hosted UI, back to the local web app', async () => {
    expect(rt.outputs.CognitoHostedUIURL).toBe(rt.outputs.CognitoEndpoint);
    const login = new URL(rt.outputs.CognitoLoginURL!);
    expect(login.origin).toBe(rt.outputs.CognitoEndpoint);
    expect(login.searchParams.get('redirect_uri')).toBe(`${new URL(rt.outputs.WebURL!).origin}/app/`);
    const page = await fetch(login);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<form method="post"');
  });
});

describe('authorization code flow with PKCE', () => {
  let h: HostedUiClient;
  let user: Awaited<ReturnType<typeof createTestUser>>;
  beforeEach(async () => {
    h = await hostedUiClient(rt.outputs);
    user = await createTestUser(rt.outputs);
  });

  it('signs in on the login page and redeems the code for Cognito-shaped tokens the API accepts', async () => {
    const tokens = await hostedUiTokens(h, user.email, user.password);
    expect(tokens).toMatchObject({ token_type: 'bearer', expires_in: 3600, refresh_token: expect.any(String) });
    const id = claimsOf(tokens.id_token!);
    expect(id).toMatchObject({
      sub: user.sub,
      email: user.email,
      token_use: 'id',
      aud: rt.outputs.UserPoolClientId,
      nonce: expect.any(String),
      at_hash: expect.any(String),
    });
    expect(claimsOf(tokens.access_token)).toMatchObject({
      token_use: 'access',
      client_id: rt.outputs.UserPoolClientId,
      scope: 'openid email profile',
      version: 2,
    });
    // Signed with the key the JWKS serves.
    const { keys } = (await (await fetch(h.as.jwks_uri!)).json()) as { keys: (JsonWebKey & { kid: string })[] };
    const [head, body, sig] = tokens.id_token!.split('.') as [string, string, string];
    const kid = (JSON.parse(Buffer.from(head, 'base64url').toString()) as { kid: string }).kid;
    expect(
      verify(
        'RSA-SHA256',
        Buffer.from(`${head}.${body}`),
        createPublicKey({ key: keys.find((k) => k.kid === kid)!, format: 'jwk' }),
        Buffer.from(sig, 'base64url'),
      ),
    ).toBe(true);
    const api = await fetch(`${rt.outputs.APIEndpoint}/orders`, { headers: { authorization: `Bearer ${tokens.id_token}` } });
    expect(api.status).toBe(200);
  });

  it('userInfo answers for the access token, by scope; refresh_token grants new tokens', async () => {
    const tokens = await hostedUiTokens(h, user.email, user.password);
    const info = await oauth.processUserInfoResponse(
      h.as,
      h.client,
      user.sub,
      await oauth.userInfoRequest(h.as, h.client, tokens.access_token, local),
    );
    expect(info).toMatchObject({ sub: user.sub, email: user.email, email_verified: 'true' });
    const refreshed = await oauth.processRefreshTokenResponse(
      h.as,
      h.client,
      await oauth.refreshTokenGrantRequest(h.as, h.client, oauth.None(), tokens.refresh_token!, local),
    );
    expect(claimsOf(refreshed.id_token!)).toMatchObject({ sub: user.sub, token_use: 'id' });
    expect(claimsOf(refreshed.access_token).scope).toBe('openid email profile');
    // The hosted UI's token has no aws.cognito.signin.user.admin scope, so no GetUser, as in Cognito.
    const getUser = await fetch(rt.outputs.CognitoEndpoint!, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSCognitoIdentityProviderService.GetUser' },
      body: JSON.stringify({ AccessToken: tokens.access_token }),
    });
    expect(getUser.status).toBe(400);
    expect(await getUser.json()).toMatchObject({ __type: 'NotAuthorizedException' });
  });

  it('a second flow is answered from the hosted UI session, without the login page', async () => {
    await hostedUiTokens(h, user.email, user.password);
    const pending = await authorizationRequest(h);
    const res = await h.get(pending.url.toString());
    expect(res.status).toBe(302);
    const callback = new URL(res.headers.get('location')!);
    expect(callback.origin + callback.pathname).toBe(h.redirectUri);
    expect(callback.searchParams.get('state')).toBe(pending.state);
    expect(callback.searchParams.get('code')).toBeTruthy();
  });

  it('refuses a wrong code_verifier, a reused code and another redirect_uri (invalid_grant)', async () => {
    const redeem = async (callback: URL, state: string, verifier: string, redirectUri = h.redirectUri) => {
      const params = oauth.validateAuthResponse(h.as, h.client, callback, state);
      return oauth.authorizationCodeGrantRequest(h.as, h.client, oauth.None(), params, redirectUri, verifier, local);
    };
    const first = await signInThroughHostedUi(h, user.email, user.password);
    const wrong = await redeem(first.callback, first.pending.state, oauth.generateRandomCodeVerifier());
    expect([wrong.status, await wrong.json()]).toEqual([400, { error: 'invalid_grant', error_description: expect.any(String) }]);
    // The code was spent by that attempt: even the right verifier cannot use it now.
    const reused = await redeem(first.callback, first.pending.state, first.pending.verifier);
    expect([reused.status, await reused.json()]).toEqual([400, { error: 'invalid_grant' }]);
    const second = await signInThroughHostedUi(h, user.email, user.password);
    const elsewhere = await redeem(second.callback, second.pending.state, second.pending.verifier, `${h.redirectUri}elsewhere`);
    expect(elsewhere.status).toBe(400);
  });

  it('checks the request: unlisted redirect_uri (an error page, no redirect), scope, response_type, PKCE method', async () => {
    const page = await h.get((await authorizationRequest(h, { redirect_uri: 'https://evil.example.com/cb' })).url.toString());
    expect(page.status).toBe(400);
    expect(page.headers.get('location')).toBeNull();
    expect(await page.text()).toContain('redirect_mismatch');
    const errorOf = async (extra: Record<string, string>) => {
      const res = await h.get((await authorizationRequest(h, extra)).url.toString());
      expect(res.status).toBe(302);
      return new URL(res.headers.get('location')!).searchParams.get('error');
    };
    expect(await errorOf({ scope: 'openid phone' })).toBe('invalid_scope');
    expect(await errorOf({ response_type: 'token' })).toBe('unauthorized_client');
    expect(await errorOf({ code_challenge_method: 'plain' })).toBe('invalid_request');
  });

  it('the login page: a wrong password is shown on the page; a post without the CSRF token is refused', async () => {
    const pending = await authorizationRequest(h);
    const toLogin = await h.get(pending.url.toString());
    const login = await h.get(h.url(toLogin.headers.get('location')!));
    const form = formOf(await login.text());
    const wrong = await h.post(h.url(form.action), { ...form.hidden, username: user.email, password: 'Wr0ng-passw0rd' });
    expect(wrong.status).toBe(200);
    expect(await wrong.text()).toContain('Incorrect username or password.');
    const forged = await h.post(h.url(form.action), { username: user.email, password: user.password });
    expect(forged.status).toBe(403);
    expect(h.jar.has('cognito')).toBe(false);
  });

  it('logout ends the session and goes only to a listed logout_uri', async () => {
    await hostedUiTokens(h, user.email, user.password);
    const bad = await h.get(h.url(`/logout?client_id=${h.client.client_id}&logout_uri=${encodeURIComponent('https://evil.example.com/')}`));
    expect(bad.status).toBe(400);
    const out = await h.get(h.url(`/logout?client_id=${h.client.client_id}&logout_uri=${encodeURIComponent(h.redirectUri)}`));
    expect([out.status, out.headers.get('location')]).toEqual([302, h.redirectUri]);
    const again = await h.get((await authorizationRequest(h)).url.toString());
    expect(new URL(again.headers.get('location')!, h.as.issuer).pathname).toBe('/login');
  });
});

describe('hosted UI pages', () => {
  it('signs up, confirms with the mailed code and comes back with a code', async () => {
    const h = await hostedUiClient(rt.outputs);
    const email = `hosted-${Date.now()}@example.com`;
    const pending = await authorizationRequest(h);
    const signup = await h.get(h.url(`/signup?${pending.url.searchParams.toString()}`));
    let form = formOf(await signup.text());
    const weak = await h.post(h.url(form.action), { ...form.hidden, username: email, password: 'weak' });
    expect(await weak.text()).toContain('Password did not conform with policy');
    const confirmPage = await h.post(h.url(form.action), { ...form.hidden, username: email, password: 'Corr3ct-Horse' });
    form = formOf(await confirmPage.text());
    const code = /Your confirmation code is (\d{6})/.exec(
      readFileSync(join(rt.stateDir, 'cognito', 'messages.log'), 'utf8')
        .split('\n')
        .filter((l) => l.includes(`to=${email}`))
        .at(-1)!,
    )![1]!;
    const confirmed = await h.post(h.url(form.action), { ...form.hidden, code });
    expect(confirmed.status).toBe(302);
    const back = await h.get(h.url(confirmed.headers.get('location')!));
    const callback = new URL(back.headers.get('location')!);
    const params = oauth.validateAuthResponse(h.as, h.client, callback, pending.state);
    const res = await oauth.authorizationCodeGrantRequest(h.as, h.client, oauth.None(), params, h.redirectUri, pending.verifier, local);
    const tokens = await oauth.processAuthorizationCodeResponse(h.as, h.client, res, {
      expectedNonce: pending.nonce,
      requireIdToken: true,
    });
    expect(claimsOf(tokens.id_token!)).toMatchObject({ email, email_verified: true });
  });
});
