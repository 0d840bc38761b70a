/**
 * Forged and faulty tokens: every one is refused (401/403), none is a 5xx. Claim-level
 * faults are signed with the runtime's own key so that only the claim under test is wrong
 * (a control token signed the same way with correct claims is accepted). Tokens from every
 * way of signing in (the CLI's password flow, SRP, the hosted UI's code flow with PKCE)
 * are accepted, refreshed, and refused once tampered with.
 */
import { createHmac, createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import { AuthenticationDetails, CognitoUser, CognitoUserPool, type CognitoUserSession } from 'amazon-cognito-identity-js';
import * as oauth from 'oauth4webapi';
import { hostedUiClient, hostedUiTokens, local } from '../support/hosted-ui';
import { cognitoClient, createTestUser, type TestUser } from '../support/runtime';
import { call, outputs, signingKeyFile } from './support';

let alice: TestUser;
let bob: TestUser;
type JWTPayload = { sub?: string; aud?: unknown; iss?: string; exp?: number; iat?: number };
let claims: JWTPayload & Record<string, unknown>;
let realKid: string;

const b64 = (o: unknown) => Buffer.from(typeof o === 'string' ? o : JSON.stringify(o)).toString('base64url');
const decode = (t: string) =>
  JSON.parse(Buffer.from(t.split('.')[1]!, 'base64url').toString('utf8')) as JWTPayload & Record<string, unknown>;

/** RS256 with node:crypto (jose is ESM-only, which jest's CommonJS runtime cannot load). */
function signRs256(payload: Record<string, unknown>, header: Record<string, unknown>, key: KeyObject): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${sign('RSA-SHA256', Buffer.from(input), key).toString('base64url')}`;
}

async function signReal(payload: Record<string, unknown>, header: Record<string, unknown> = {}): Promise<string> {
  const k = signingKeyFile();
  const key = createPrivateKey({ key: k.private as never, format: 'jwk' });
  const h: Record<string, unknown> = { alg: 'RS256', kid: k.kid, ...header };
  if (header.kid === undefined && 'kid' in header) delete h.kid;
  return signRs256(payload, h, key);
}

const otherKey = () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;

const now = () => Math.floor(Date.now() / 1000);

beforeAll(async () => {
  [alice, bob] = await Promise.all([createTestUser(outputs()), createTestUser(outputs())]);
  claims = decode(alice.idToken);
  realKid = JSON.parse(Buffer.from(alice.idToken.split('.')[0]!, 'base64url').toString('utf8')).kid as string;
});

async function expectRefused(token: string) {
  for (const [method, path, body] of [
    ['GET', '/orders', undefined],
    ['POST', '/orders', { items: [{ sku: 'SKU-0001', qty: 1 }] }],
    ['GET', `/profiles/${claims.sub}`, undefined],
  ] as const) {
    const r = await call(method, path, { token, body });
    // The request is part of the value compared, so a failure names it: "POST /orders -> 500".
    expect(`${method} ${path} -> ${r.status}`).toMatch(/ -> 40[13]$/);
  }
}

describe('tokens', () => {
  it('control: a token signed with the local key and correct claims is accepted', async () => {
    const t = await signReal({ ...claims, iat: now(), exp: now() + 600 });
    const r = await call('GET', '/orders', { token: t });
    expect(r.status).toBe(200);
  });

  it('signed by another key (same kid)', async () => {
    const t = signRs256({ ...claims, exp: now() + 600 }, { alg: 'RS256', kid: realKid }, otherKey());
    await expectRefused(t);
  });

  it('expired', async () => {
    await expectRefused(await signReal({ ...claims, iat: now() - 7200, exp: now() - 3600 }));
  });

  it('alg none (with and without a trailing signature part)', async () => {
    const body = b64({ ...claims, exp: now() + 600 });
    await expectRefused(`${b64({ alg: 'none', typ: 'JWT' })}.${body}.`);
    await expectRefused(`${b64({ alg: 'none', typ: 'JWT', kid: realKid })}.${body}.`);
    await expectRefused(`${b64({ alg: 'NONE' })}.${body}`);
  });

  it('HS256 confusion: HMAC with the public key as the secret', async () => {
    const pub = signingKeyFile().public;
    const pem = createPublicKey({ key: pub as never, format: 'jwk' }).export({ type: 'spki', format: 'pem' }) as string;
    for (const secret of [pem, JSON.stringify(pub)]) {
      const signingInput = `${b64({ alg: 'HS256', typ: 'JWT', kid: realKid })}.${b64({ ...claims, exp: now() + 600 })}`;
      const sig = createHmac('sha256', secret).update(signingInput).digest('base64url');
      await expectRefused(`${signingInput}.${sig}`);
    }
  });

  it('wrong audience', async () => {
    await expectRefused(await signReal({ ...claims, aud: 'another-client-id', exp: now() + 600 }));
  });

  it('wrong issuer', async () => {
    await expectRefused(
      await signReal({ ...claims, iss: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Evil0000', exp: now() + 600 }),
    );
    await expectRefused(await signReal({ ...claims, iss: `${String(claims.iss)}x`, exp: now() + 600 }));
  });

  it('an access token where an id token is expected', async () => {
    await expectRefused(alice.accessToken);
    // Even one carrying aud (as an id token would) is refused on token_use.
    await expectRefused(await signReal({ ...decode(alice.accessToken), aud: claims.aud, exp: now() + 600 }));
  });

  it('tampered claims keep the original signature', async () => {
    const [h, , s] = alice.idToken.split('.');
    await expectRefused(`${h}.${b64({ ...claims, sub: bob.sub })}.${s}`);
    await expectRefused(`${h}.${b64({ ...claims, 'cognito:groups': ['apiAdmins'] })}.${s}`);
    await expectRefused(`${h}.${b64({ ...claims, exp: now() + 86400 * 365 })}.${s}`);
  });

  it('missing kid', async () => {
    await expectRefused(await signReal({ ...claims, exp: now() + 600 }, { kid: undefined }));
  });

  it('oversized token (a 12 KB header part) and garbage', async () => {
    const big = signRs256({ ...claims, exp: now() + 600 }, { alg: 'RS256', kid: realKid, pad: 'x'.repeat(9000) }, otherKey());
    expect(big.length).toBeGreaterThan(12_000);
    await expectRefused(big);
    for (const t of ['Bearer', 'Bearer ', '...', 'a.b.c', `${alice.idToken}.extra`, alice.idToken.slice(0, -5)]) await expectRefused(t);
  });

  it('no token is 401 with a JSON body', async () => {
    const r = await call('GET', '/orders');
    expect(r.status).toBe(401);
    expect(r.body).toBeDefined();
  });
});

interface FlowTokens {
  idToken: string;
  accessToken: string;
  /** A fresh ID token through this flow's own refresh path. */
  refresh(): Promise<string>;
}

/** One user signed in through each flow a client of this app uses. */
const FLOWS: Array<[string, (u: TestUser) => Promise<FlowTokens>]> = [
  [
    'USER_PASSWORD_AUTH (the CLI path)',
    async (u) => ({
      idToken: u.idToken,
      accessToken: u.accessToken,
      refresh: async () => {
        const c = cognitoClient(outputs());
        try {
          const r = await c.send(
            new InitiateAuthCommand({
              ClientId: outputs().UserPoolClientId,
              AuthFlow: 'REFRESH_TOKEN_AUTH',
              AuthParameters: { REFRESH_TOKEN: u.refreshToken },
            }),
          );
          return r.AuthenticationResult!.IdToken!;
        } finally {
          c.destroy();
        }
      },
    }),
  ],
  [
    'USER_SRP_AUTH (amazon-cognito-identity-js)',
    async (u) => {
      const pool = new CognitoUserPool({
        UserPoolId: outputs().UserPoolId!,
        ClientId: outputs().UserPoolClientId!,
        endpoint: `${outputs().CognitoEndpoint}/`,
      });
      const user = new CognitoUser({ Username: u.email, Pool: pool });
      const s = await new Promise<CognitoUserSession>((ok, fail) =>
        user.authenticateUser(new AuthenticationDetails({ Username: u.email, Password: u.password }), { onSuccess: ok, onFailure: fail }),
      );
      return {
        idToken: s.getIdToken().getJwtToken(),
        accessToken: s.getAccessToken().getJwtToken(),
        refresh: () =>
          new Promise((ok, fail) =>
            user.refreshSession(s.getRefreshToken(), (e: Error | undefined, r: CognitoUserSession) =>
              e ? fail(e) : ok(r.getIdToken().getJwtToken()),
            ),
          ),
      };
    },
  ],
  [
    'the hosted UI (code flow with PKCE, oauth4webapi)',
    async (u) => {
      const h = await hostedUiClient(outputs());
      const t = await hostedUiTokens(h, u.email, u.password);
      return {
        idToken: t.id_token!,
        accessToken: t.access_token,
        refresh: async () =>
          (
            await oauth.processRefreshTokenResponse(
              h.as,
              h.client,
              await oauth.refreshTokenGrantRequest(h.as, h.client, oauth.None(), t.refresh_token!, local),
            )
          ).id_token!,
      };
    },
  ],
];

describe.each(FLOWS)('tokens from %s', (_flow, signIn) => {
  let u: TestUser;
  let t: FlowTokens;
  beforeAll(async () => {
    u = await createTestUser(outputs());
    t = await signIn(u);
  });

  it('the ID token is accepted by the API, also in a burst (never a 401 for a valid token)', async () => {
    const routes = [
      ['GET', '/orders'],
      ['GET', '/orders?limit=1'],
      ['GET', '/todos'],
    ] as const;
    const results = await Promise.all(
      Array.from({ length: 24 }, (_, i) => routes[i % routes.length]!).map(([m, p]) => call(m, p, { token: t.idToken })),
    );
    expect(results.map((r) => r.status).filter((s) => s !== 200)).toEqual([]);
  });

  it('the refreshed ID token is accepted; the access token and a tampered ID token are refused', async () => {
    expect((await call('GET', '/orders', { token: await t.refresh() })).status).toBe(200);
    await expectRefused(t.accessToken);
    const [h, , sig] = t.idToken.split('.');
    await expectRefused(`${h}.${b64({ ...decode(t.idToken), sub: bob.sub })}.${sig}`);
  });
});
