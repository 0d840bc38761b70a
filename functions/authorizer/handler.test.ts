import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import type { APIGatewayTokenAuthorizerEvent, Context } from 'aws-lambda';

// Real RS256 tokens, a real JWKS over loopback HTTP: nothing about verification is mocked.
// Signed with node:crypto (jose 6 is ESM-only, which jest's CommonJS runtime cannot load).
const CLIENT_ID = 'testclient123';
const METHOD_ARN = 'arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/users/u-1';
let server: Server;
let issuer: string;
let signingKey: KeyObject;
let otherKey: KeyObject;
let jwksRequests = 0;
let handler: typeof import('./handler').handler;
const context = { awsRequestId: 'req-1', functionName: 'AuthorizerFunction' } as Context;

beforeAll(async () => {
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  signingKey = pair.privateKey;
  otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const jwk = { ...pair.publicKey.export({ format: 'jwk' }), kid: 'key-1', alg: 'RS256', use: 'sig' };
  server = createServer((req, res) => {
    if (req.url?.endsWith('/.well-known/jwks.json')) {
      jwksRequests++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
    } else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  issuer = `http://127.0.0.1:${port}/us-east-1_TestPool`;
  process.env.JWT_ISSUER = issuer;
  process.env.JWKS_URI = `${issuer}/.well-known/jwks.json`;
  process.env.USER_POOL_CLIENT_ID = CLIENT_ID;
  ({ handler } = await import('./handler'));
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

interface TokenOpts {
  claims?: Record<string, unknown>;
  key?: KeyObject;
  kid?: string | null;
  expiresIn?: number;
}
async function idToken(o: TokenOpts = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const header: { alg: string; kid?: string } = { alg: 'RS256' };
  if (o.kid !== null) header.kid = o.kid ?? 'key-1';
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const body = enc({
    sub: 'user-1',
    email: 'u1@example.com',
    'cognito:groups': ['apiAdmins', 'beta'],
    token_use: 'id',
    aud: CLIENT_ID,
    iss: issuer,
    auth_time: now - 10,
    iat: now - 10,
    exp: now + (o.expiresIn ?? 3600),
    ...o.claims,
  });
  const input = `${enc(header)}.${body}`;
  return `${input}.${sign('sha256', Buffer.from(input), o.key ?? signingKey).toString('base64url')}`;
}

const ev = (authorizationToken: string): APIGatewayTokenAuthorizerEvent => ({
  type: 'TOKEN',
  authorizationToken,
  methodArn: METHOD_ARN,
});

describe('authorizer', () => {
  it('allows a valid admin id token for the whole API, with sub, email and groups in context', async () => {
    const res = await handler(ev(`Bearer ${await idToken()}`), context);
    expect(res.principalId).toBe('user-1');
    expect(res.policyDocument.Statement).toEqual([
      { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: 'arn:aws:execute-api:us-east-1:123456789012:abc123/prod/*/*' },
    ]);
    expect(res.context).toEqual({ sub: 'user-1', email: 'u1@example.com', groups: 'apiAdmins,beta' });
  });

  it('allows a non-admin (no groups claim) with empty groups, and accepts a bare token', async () => {
    const token = await idToken({ claims: { sub: 'user-2', email: 'u2@example.com', 'cognito:groups': undefined } });
    const res = await handler(ev(token), context);
    expect(res.principalId).toBe('user-2');
    expect(res.context).toEqual({ sub: 'user-2', email: 'u2@example.com', groups: '' });
  });

  it('reuses the JWKS across invocations (one verifier per container)', async () => {
    const before = jwksRequests;
    await handler(ev(`Bearer ${await idToken()}`), context);
    await handler(ev(`Bearer ${await idToken()}`), context);
    expect(jwksRequests).toBe(before);
  });

  const denied: Array<[string, () => Promise<string>]> = [
    ['expired', () => idToken({ claims: { exp: Math.floor(Date.now() / 1000) - 60 } })],
    ['wrong audience', () => idToken({ claims: { aud: 'someoneelse' } })],
    ['wrong issuer', () => idToken({ claims: { iss: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other' } })],
    ['access token', () => idToken({ claims: { token_use: 'access' } })],
    ['bad signature (other key, same kid)', () => idToken({ key: otherKey })],
    ['missing kid', () => idToken({ kid: null })],
    ['unknown kid', () => idToken({ kid: 'key-404' })],
    [
      'alg none',
      async () => {
        const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
        const now = Math.floor(Date.now() / 1000);
        return `${enc({ alg: 'none', kid: 'key-1' })}.${enc({ sub: 'x', aud: CLIENT_ID, iss: issuer, token_use: 'id', exp: now + 60 })}.`;
      },
    ],
    ['malformed', async () => 'not.a.jwt'],
    ['empty bearer', async () => ''],
  ];
  it.each(denied)('denies %s with Unauthorized', async (_name, make) => {
    const token = await make();
    await expect(handler(ev(`Bearer ${token}`), context)).rejects.toThrow(/^Unauthorized$/);
  });

  it('denies a missing Authorization value', async () => {
    await expect(handler(ev(''), context)).rejects.toThrow('Unauthorized');
  });

  it('fails (API Gateway: 500), not Unauthorized, for a good token when the JWKS cannot be fetched', async () => {
    // A fresh execution environment whose JWKS location answers 404.
    const saved = process.env.JWKS_URI;
    process.env.JWKS_URI = `${issuer}/.well-known/missing.json`;
    let fresh!: typeof handler;
    jest.isolateModules(() => {
      ({ handler: fresh } = jest.requireActual<typeof import('./handler')>('./handler'));
    });
    const err = await fresh(ev(`Bearer ${await idToken()}`), context)
      .catch((e: unknown) => e)
      .finally(() => (process.env.JWKS_URI = saved));
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).name).toBe('JwksUnavailableError');
    expect((err as Error).message).not.toBe('Unauthorized');
  });
});
