import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { createIdTokenVerifier, JwksUnavailableError } from './id-token-verifier';

// A real JWKS over loopback HTTP whose behaviour each test sets: served, failing, hanging,
// garbage, or served only after some failures. Tokens are real RS256 (node:crypto).
type Mode = 'ok' | 'http500' | 'hang' | 'garbage';
let mode: Mode = 'ok';
let failFirst = 0;
let requests = 0;
let server: Server;
let base: string;
let key: KeyObject;
let otherKey: KeyObject;
let jwk: Record<string, unknown>;
const CLIENT = 'client-1';

beforeAll(async () => {
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  key = pair.privateKey;
  otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  jwk = { ...pair.publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'RS256', use: 'sig' };
  server = createServer((_req, res) => {
    requests++;
    if (failFirst > 0) return void (failFirst--, res.writeHead(503).end());
    if (mode === 'hang') return; // never answers
    if (mode === 'http500') return void res.writeHead(500).end('oops');
    if (mode === 'garbage') return void res.writeHead(200, { 'content-type': 'text/html' }).end('<html>maintenance</html>');
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/us-east-1_Pool`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

beforeEach(() => {
  mode = 'ok';
  failFirst = 0;
  requests = 0;
});

function token(claims: Record<string, unknown> = {}, signer = key): string {
  const now = Math.floor(Date.now() / 1000);
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const input = `${enc({ alg: 'RS256', kid: 'k1' })}.${enc({ sub: 'u1', token_use: 'id', aud: CLIENT, iss: base, iat: now, exp: now + 600, ...claims })}`;
  return `${input}.${sign('sha256', Buffer.from(input), signer).toString('base64url')}`;
}

const verifier = (o: { fetchTimeoutMs?: number; fetchAttempts?: number } = {}) =>
  createIdTokenVerifier({
    issuer: base,
    audience: CLIENT,
    jwksUri: `${base}/.well-known/jwks.json`,
    fetchTimeoutMs: 300,
    fetchAttempts: 2,
    ...o,
  });

describe('id token verifier', () => {
  it('accepts a good token and denies a bad one, telling them apart from an outage', async () => {
    const v = verifier();
    await expect(v.verify(token())).resolves.toMatchObject({ claims: { sub: 'u1' } });
    await expect(v.verify(token({}, otherKey))).resolves.toMatchObject({ denied: expect.stringMatching(/signature/i) });
    await expect(v.verify(token({ aud: 'other' }))).resolves.toMatchObject({ denied: expect.stringMatching(/audience/i) });
    await expect(v.verify(token({ token_use: 'access' }))).resolves.toMatchObject({ denied: expect.stringMatching(/token_use/) });
  });

  it.each<[Mode, RegExp]>([
    ['http500', /HTTP 500/],
    ['hang', /TimeoutError/],
    ['garbage', /not a JWKS/],
  ])('a JWKS that is %s is an outage (JwksUnavailableError), never a denial of a good token', async (m, reason) => {
    mode = m;
    const err = await verifier()
      .verify(token())
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JwksUnavailableError);
    expect((err as Error).message).toMatch(reason);
  });

  it('an unreachable issuer (connection refused) is an outage too', async () => {
    const v = createIdTokenVerifier({
      issuer: base,
      audience: CLIENT,
      jwksUri: 'http://127.0.0.1:1/jwks.json',
      fetchTimeoutMs: 300,
      fetchAttempts: 1,
    });
    await expect(v.verify(token())).rejects.toBeInstanceOf(JwksUnavailableError);
  });

  it('retries a failed fetch within one verification', async () => {
    failFirst = 1;
    await expect(verifier().verify(token())).resolves.toMatchObject({ claims: { sub: 'u1' } });
    expect(requests).toBe(2);
  });

  it('does not keep a failure: once the JWKS is back, the same verifier accepts the token', async () => {
    const v = verifier({ fetchAttempts: 1 });
    mode = 'http500';
    await expect(v.verify(token())).rejects.toBeInstanceOf(JwksUnavailableError);
    mode = 'ok';
    await expect(v.verify(token())).resolves.toMatchObject({ claims: { sub: 'u1' } });
  });

  it('keeps the JWKS for the execution environment: an outage after the first fetch changes nothing', async () => {
    const v = verifier();
    await v.verify(token());
    mode = 'http500';
    const before = requests;
    await expect(v.verify(token())).resolves.toMatchObject({ claims: { sub: 'u1' } });
    expect(requests).toBe(before);
  });
});
