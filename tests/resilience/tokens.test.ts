/**
 * Forged and faulty tokens: every one is refused (401/403), none is a 5xx. Claim-level
 * faults are signed with the runtime's own key so that only the claim under test is wrong
 * (a control token signed the same way with correct claims is accepted).
 */
import { createHmac, createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { createTestUser, type TestUser } from '../support/runtime';
import { call, outputs, signingKeyFile } from './support';

let alice: TestUser;
let bob: TestUser;
type JWTPayload = { sub?: string; aud?: unknown; iss?: string; exp?: number; iat?: number };
let claims: JWTPayload & Record<string, unknown>;
let realKid: string;

const b64 = (o: unknown) => Buffer.from(typeof o === 'string' ? o : JSON.stringify(o)).toString('base64url');
const decode = (t: string) => JSON.parse(Buffer.from(t.split('.')[1]!, 'base64url').toString('utf8')) as JWTPayload & Record<string, unknown>;

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
    await expectRefused(await signReal({ ...claims, iss: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Evil0000', exp: now() + 600 }));
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
