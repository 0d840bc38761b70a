/**
 * The local runtime end to end on the fixture template (local/test/fixtures): started as
 * users start it (a child process on free ports), driven over HTTP and the AWS SDK.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import {
  CognitoIdentityProviderClient,
  ConfirmSignUpCommand,
  GetUserCommand,
  InitiateAuthCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { GetBucketCorsCommand, S3Client } from '@aws-sdk/client-s3';
import { REPO_ROOT, startLocalRuntime, type LocalRuntimeHandle } from '../../tests/support/runtime';

jest.setTimeout(120_000);

let rt: LocalRuntimeHandle;
let api: string;
const creds = { accessKeyId: 'local', secretAccessKey: 'local' };

beforeAll(async () => {
  rt = await startLocalRuntime({ template: 'local/test/fixtures/template.yaml' });
  api = rt.outputs.APIEndpoint!;
});
afterAll(async () => {
  await rt?.stop();
});

function cognito(): CognitoIdentityProviderClient {
  return new CognitoIdentityProviderClient({ endpoint: rt.outputs.CognitoEndpoint, region: 'us-east-1', credentials: creds });
}

/** Signs a user up through the SDK, reads the code from the local mailbox, confirms, signs in. */
async function signIn(email: string, password = 'Passw0rdX'): Promise<{ IdToken: string; AccessToken: string; RefreshToken: string }> {
  const c = cognito();
  await c.send(new SignUpCommand({ ClientId: rt.outputs.UserPoolClientId, Username: email, Password: password }));
  const mailbox = readFileSync(join(rt.stateDir, 'cognito', 'messages.log'), 'utf8');
  const code = new RegExp(`to=${email.replace(/[.+]/g, '\\$&')} Your confirmation code is (\\d{6})`).exec(mailbox)?.[1];
  expect(code).toMatch(/^\d{6}$/);
  await c.send(new ConfirmSignUpCommand({ ClientId: rt.outputs.UserPoolClientId, Username: email, ConfirmationCode: code }));
  const r = await c.send(
    new InitiateAuthCommand({
      ClientId: rt.outputs.UserPoolClientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: email, PASSWORD: password },
    }),
  );
  return r.AuthenticationResult as { IdToken: string; AccessToken: string; RefreshToken: string };
}

function claims(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}

describe('template resolution reaches the function', () => {
  it('serves a public route under the stage prefix and bare, with the layer, env and a proxy event', async () => {
    const res = await fetch(`${api}/hello?a=1&a=2`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-fixture')).toBe('yes');
    const body = (await res.json()) as {
      greeting: string;
      env: Record<string, string | null>;
      event: Record<string, any>;
      context: Record<string, unknown>;
    };
    expect(body.greeting).toBe('hello world');
    expect(body.env).toMatchObject({
      TABLE: 'myapp-ItemsTable',
      STAGE: 'dev',
      APP_VERSION: '0.0.1-dev',
      HOLD: '0', // local default of OrderHoldSeconds
      BUCKET: 'myapp-uploadsbucket',
      ONLY_PROD: null, // !If [IsProd, ..., !Ref AWS::NoValue] drops the key
      JOINED: 'myapp-b',
      // ${!Literal} is the escape for a literal ${Literal}.
      SUBBED: 'us-east-1/dev/myapp-ItemsTable/arn:aws:dynamodb:us-east-1:123456789012:table/myapp-ItemsTable/${Literal}',
      AWS_ENDPOINT_URL_DYNAMODB: rt.outputs.DynamoDBEndpoint,
      AWS_LAMBDA_FUNCTION_NAME: 'myapp-HelloFunction',
    });
    expect(body.event.multiValueQueryStringParameters).toEqual({ a: ['1', '2'] });
    expect(body.event.requestContext.stage).toBe('v1');
    expect(body.event.resource).toBe('/hello');
    expect(body.context.functionName).toBe('myapp-HelloFunction');
    expect(Number(body.context.remaining)).toBeGreaterThan(0);
    expect(Number(body.context.remaining)).toBeLessThanOrEqual(3000);

    const bare = await fetch(`${rt.outputs.APIEndpoint!.replace(/\/v1$/, '')}/hello`);
    expect(bare.status).toBe(200);
  });

  it('reuses a warm process between invocations', async () => {
    const a = (await (await fetch(`${api}/hello`)).json()) as { pid: number; invocations: number };
    const b = (await (await fetch(`${api}/hello`)).json()) as { pid: number; invocations: number };
    expect(b.pid).toBe(a.pid);
    expect(b.invocations).toBe(a.invocations + 1);
  });

  it('passes path parameters and the body', async () => {
    const res = await fetch(`${api}/items/a%20b`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"x":1}' });
    const body = (await res.json()) as { event: { pathParameters: unknown; body: string; isBase64Encoded: boolean } };
    expect(body.event.pathParameters).toEqual({ id: 'a b' });
    expect(JSON.parse(body.event.body)).toEqual({ x: 1 });
    expect(body.event.isBase64Encoded).toBe(false);
  });

  it('answers an unknown route as API Gateway does without gateway responses (403 Missing Authentication Token), and CORS preflight from the template', async () => {
    const nf = await fetch(`${api}/nope`);
    expect(nf.status).toBe(403);
    expect(nf.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
    expect(await nf.json()).toEqual({ message: 'Missing Authentication Token' });
    const pre = await fetch(`${api}/hello`, { method: 'OPTIONS' });
    expect(pre.status).toBe(200);
    expect(pre.headers.get('access-control-allow-methods')).toBe('GET,POST,OPTIONS');
    expect(pre.headers.get('access-control-allow-headers')).toBe('Content-Type,Authorization');
  });

  it('ran the custom resource on the fresh state (seeded item in DynamoDB Local)', async () => {
    const ddb = new DynamoDBClient({ endpoint: rt.outputs.DynamoDBEndpoint, region: 'us-east-1', credentials: creds });
    const r = await ddb.send(new GetItemCommand({ TableName: 'myapp-ItemsTable', Key: { pk: { S: 'seed' }, sk: { S: 'seeded' } } }));
    expect(r.Item).toBeDefined();
    ddb.destroy();
  });

  it('created the bucket with the template CORS', async () => {
    const s3 = new S3Client({ endpoint: rt.outputs.S3Endpoint, region: 'us-east-1', credentials: creds, forcePathStyle: true });
    const cors = await s3.send(new GetBucketCorsCommand({ Bucket: 'myapp-uploadsbucket' }));
    expect(cors.CORSRules?.[0]?.AllowedMethods).toEqual(['PUT', 'POST']);
    s3.destroy();
  });
});

describe('auth', () => {
  it('401 without a token and with a forged one', async () => {
    expect((await fetch(`${api}/me`)).status).toBe(401);
    const res = await fetch(`${api}/me`, { headers: { authorization: 'eyJhbGciOiJSUzI1NiJ9.e30.AAAA' } });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ message: 'Unauthorized' });
  });

  it('signs up, confirms, signs in with Cognito-shaped tokens, calls an authorised route, refreshes', async () => {
    const t = await signIn('alice@example.com');
    const id = claims(t.IdToken);
    expect(id).toMatchObject({
      token_use: 'id',
      aud: rt.outputs.UserPoolClientId,
      email: 'alice@example.com',
      email_verified: true,
      iss: `${rt.outputs.CognitoEndpoint}/${rt.outputs.UserPoolId}`,
    });
    expect(claims(t.AccessToken)).toMatchObject({ token_use: 'access', client_id: rt.outputs.UserPoolClientId });
    expect(rt.outputs.UserPoolId).toMatch(/^us-east-1_[A-Za-z0-9]{9}$/);

    const res = await fetch(`${api}/me`, { headers: { authorization: t.IdToken } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { authorizer: Record<string, unknown> };
    expect(body.authorizer).toMatchObject({ principalId: id.sub, sub: id.sub, email: 'alice@example.com' });

    const me = await cognito().send(new GetUserCommand({ AccessToken: t.AccessToken }));
    expect(me.UserAttributes?.find((a) => a.Name === 'email')?.Value).toBe('alice@example.com');

    const refreshed = await cognito().send(
      new InitiateAuthCommand({
        ClientId: rt.outputs.UserPoolClientId,
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        AuthParameters: { REFRESH_TOKEN: t.RefreshToken },
      }),
    );
    expect(claims(refreshed.AuthenticationResult!.IdToken!).sub).toBe(id.sub);
    expect(refreshed.AuthenticationResult!.RefreshToken).toBeUndefined();
  });

  it('enforces the template password policy and refuses wrong passwords', async () => {
    await expect(
      cognito().send(new SignUpCommand({ ClientId: rt.outputs.UserPoolClientId, Username: 'weak@example.com', Password: 'password' })),
    ).rejects.toMatchObject({ name: 'InvalidPasswordException' });
    await expect(
      cognito().send(
        new InitiateAuthCommand({
          ClientId: rt.outputs.UserPoolClientId,
          AuthFlow: 'USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: 'alice@example.com', PASSWORD: 'Wr0ngPassword' },
        }),
      ),
    ).rejects.toMatchObject({ name: 'NotAuthorizedException' });
  });

  it('403 on an explicit Deny, 502 on a malformed proxy response', async () => {
    const deny = await signIn('deny@example.com');
    const res = await fetch(`${api}/forbidden`, { headers: { authorization: deny.IdToken } });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ Message: 'User is not authorized to access this resource with an explicit deny' });

    const ok = await signIn('bob@example.com');
    const broken = await fetch(`${api}/broken`, { headers: { authorization: ok.IdToken } });
    expect(broken.status).toBe(502);
    expect(await broken.json()).toEqual({ message: 'Internal server error' });
  });
});

describe('Lambda invoke API', () => {
  const invoke = (name: string, payload: unknown) =>
    fetch(`${rt.outputs.LambdaEndpoint}/2015-03-31/functions/${name}/invocations`, { method: 'POST', body: JSON.stringify(payload) });

  it('returns results and handler errors like Lambda', async () => {
    const ok = await invoke('SlowFunction', { ms: 10 });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { slept: number }).slept).toBe(10);
    const err = await invoke('myapp-SlowFunction', { fail: true });
    expect(err.headers.get('x-amz-function-error')).toBe('Unhandled');
    expect(await err.json()).toMatchObject({ errorType: 'TypeError', errorMessage: 'asked to fail' });
    expect((await invoke('NoSuchFunction', {})).status).toBe(404);
  });

  it('enforces Timeout, then serves the next invocation from a fresh process', async () => {
    const slow = await invoke('SlowFunction', { ms: 5000 });
    expect(slow.headers.get('x-amz-function-error')).toBe('Unhandled');
    expect(((await slow.json()) as { errorMessage: string }).errorMessage).toMatch(/Task timed out after 1\.00 seconds/);
    const next = await invoke('SlowFunction', { ms: 1 });
    expect(next.headers.get('x-amz-function-error')).toBeNull();
  });

  it('queues over ReservedConcurrentExecutions (1): two calls run one after the other', async () => {
    const started = Date.now();
    const [a, b] = await Promise.all([invoke('SlowFunction', { ms: 400 }), invoke('SlowFunction', { ms: 400 })]);
    const [ja, jb] = (await Promise.all([a.json(), b.json()])) as { pid: number }[];
    expect(ja!.pid).toBe(jb!.pid);
    expect(Date.now() - started).toBeGreaterThanOrEqual(780);
  });
});

describe('npm run aws-env', () => {
  it('points SDK clients made with no endpoint or credentials at the running stack', () => {
    // What a user runs: eval the export lines, then an SDK program that knows nothing of local.
    const program = [
      "const { DynamoDBClient, ListTablesCommand } = require('@aws-sdk/client-dynamodb');",
      "const { S3Client, ListBucketsCommand } = require('@aws-sdk/client-s3');",
      "const { CognitoIdentityProviderClient, ListUsersCommand } = require('@aws-sdk/client-cognito-identity-provider');",
      '(async () => {',
      '  const t = await new DynamoDBClient({}).send(new ListTablesCommand({}));',
      '  const b = await new S3Client({ forcePathStyle: true }).send(new ListBucketsCommand({}));',
      '  const u = await new CognitoIdentityProviderClient({}).send(new ListUsersCommand({ UserPoolId: process.argv[1] }));',
      '  console.log(JSON.stringify({ tables: t.TableNames, buckets: b.Buckets.map((x) => x.Name), users: Array.isArray(u.Users) }));',
      '})().catch((e) => { console.error(e); process.exit(1); });',
    ].join('\n');
    const tsx = join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
    const cli = join(REPO_ROOT, 'local', 'src', 'cli.ts');
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_')));
    const script = `eval "$("${process.execPath}" "${tsx}" "${cli}" aws-env --state-dir "${rt.stateDir}")" && "${process.execPath}" -e "$PROGRAM" "$POOL"`;
    const out = execFileSync('bash', ['-c', script], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      env: { ...env, PROGRAM: program, POOL: rt.outputs.UserPoolId! },
    });
    expect(JSON.parse(out)).toEqual({ tables: ['myapp-ItemsTable'], buckets: ['myapp-uploadsbucket'], users: true });
  });
});

describe('restart', () => {
  it('keeps users, tokens and table data across a restart (no --fresh)', async () => {
    const t = await signIn('carol@example.com');
    const ddb = new DynamoDBClient({ endpoint: rt.outputs.DynamoDBEndpoint, region: 'us-east-1', credentials: creds });
    await ddb.send(new PutItemCommand({ TableName: 'myapp-ItemsTable', Item: { pk: { S: 'keep' }, sk: { S: 'me' } } }));
    ddb.destroy();
    await rt.restart();
    api = rt.outputs.APIEndpoint!;
    // Same key and pool id: the old token still verifies.
    const res = await fetch(`${api}/me`, { headers: { authorization: t.IdToken } });
    expect(res.status).toBe(200);
    const ddb2 = new DynamoDBClient({ endpoint: rt.outputs.DynamoDBEndpoint, region: 'us-east-1', credentials: creds });
    const r = await ddb2.send(new GetItemCommand({ TableName: 'myapp-ItemsTable', Key: { pk: { S: 'keep' }, sk: { S: 'me' } } }));
    expect(r.Item).toBeDefined();
    ddb2.destroy();
    // The custom resource did not run again (would have failed nothing, but it is a create-only event).
    expect(rt.output().match(/Seed CREATE_COMPLETE/g)?.length).toBe(1);
  });
});

describe('clear failures', () => {
  it('a port in use: one line saying which and how to fix, non-zero exit', async () => {
    const blocker = createServer();
    await new Promise<void>((ok) => blocker.listen(0, '127.0.0.1', ok));
    const port = (blocker.address() as { port: number }).port;
    try {
      await expect(
        startLocalRuntime({
          template: 'local/test/fixtures/template.yaml',
          extraArgs: ['--cognito-port', String(port)],
          timeoutMs: 30_000,
        }),
      ).rejects.toThrow(new RegExp(`exited \\(1\\)[\\s\\S]*error: Port ${port} \\(cognito\\) is in use`));
    } finally {
      blocker.close();
    }
  });

  it('no Java on PATH: says so and how to install it', async () => {
    await expect(
      startLocalRuntime({ template: 'local/test/fixtures/template.yaml', env: { PATH: '/nonexistent' }, timeoutMs: 30_000 }),
    ).rejects.toThrow(/error: Java is not installed/);
  });

  it('a bad parameter override names the parameter and its allowed values', async () => {
    await expect(
      startLocalRuntime({ template: 'local/test/fixtures/template.yaml', parameterOverrides: { Stage: 'qa' }, timeoutMs: 30_000 }),
    ).rejects.toThrow(/error: Parameter "Stage"="qa" is not one of its AllowedValues: dev, prod/);
  });
});
