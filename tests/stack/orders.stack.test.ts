/**
 * Seed 002's order scenarios plus an order to CONFIRMED, against any stack: it knows only the
 * stack's name (STACK_NAME) and the SDK's usual environment (region, credentials and, for
 * `npm start`, the AWS_ENDPOINT_URL_* that `npm run aws-env` prints). The API URL, the user
 * pool and its client come from the stack's CloudFormation outputs, the hold time and the
 * admin group from its parameters; the suite makes its own Cognito users (AdminCreateUser,
 * AdminAddUserToGroup, AdminSetUserPassword, USER_PASSWORD_AUTH) and deletes them after.
 */
import { randomUUID } from 'node:crypto';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';

type Json = Record<string, any>;
interface User {
  email: string;
  token: string;
}

const stackName = process.env.STACK_NAME;
let api: string;
let poolId: string;
let clientId: string;
let holdSeconds: number;
let adminGroup: string;
let cognito: CognitoIdentityProviderClient;
const made: string[] = [];
let alice: User;
let bob: User;
let admin: User;
let sku: string;

async function user(isAdmin = false): Promise<User> {
  const email = `stack-test-${randomUUID().slice(0, 8)}@example.com`;
  const password = `Pw-${randomUUID().slice(0, 12)}A1`;
  await cognito.send(
    new AdminCreateUserCommand({
      UserPoolId: poolId,
      Username: email,
      MessageAction: 'SUPPRESS',
      UserAttributes: [
        { Name: 'email', Value: email },
        { Name: 'email_verified', Value: 'true' },
      ],
    }),
  );
  made.push(email);
  if (isAdmin) await cognito.send(new AdminAddUserToGroupCommand({ UserPoolId: poolId, Username: email, GroupName: adminGroup }));
  await cognito.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: email, Password: password, Permanent: true }));
  const r = await cognito.send(
    new InitiateAuthCommand({
      ClientId: clientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: email, PASSWORD: password },
    }),
  );
  return { email, token: r.AuthenticationResult!.IdToken! };
}

async function call(method: string, path: string, who?: User | string, body?: unknown): Promise<{ status: number; body: Json }> {
  const token = typeof who === 'string' ? who : who?.token;
  const res = await fetch(`${api}${path}`, {
    method,
    headers: { ...(token ? { authorization: token } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Json) : {} };
}

async function waitForStatus(orderId: string, who: User, wanted: string[], ms: number): Promise<Json> {
  const until = Date.now() + ms;
  let last: Json = {};
  while (Date.now() < until) {
    last = (await call('GET', `/orders/${orderId}`, who)).body;
    if (wanted.includes(last.status)) return last;
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`order ${orderId} is ${String(last.status)}, not ${wanted.join(' or ')}, after ${ms} ms`);
}

beforeAll(async () => {
  if (!stackName) throw new Error('STACK_NAME is not set: run npm run test:stack -- --stack <name>');
  const cfn = new CloudFormationClient({});
  try {
    const stack = (await cfn.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks![0]!;
    const outputs = Object.fromEntries((stack.Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]));
    const params = Object.fromEntries((stack.Parameters ?? []).map((p) => [p.ParameterKey, p.ParameterValue]));
    [api, poolId, clientId] = [outputs.APIEndpoint!.replace(/\/$/, ''), outputs.UserPool!, outputs.UserPoolClient!];
    holdSeconds = Number(params.OrderHoldSeconds ?? 0);
    adminGroup = params.UserPoolAdminGroupName ?? 'apiAdmins';
  } finally {
    cfn.destroy();
  }
  // Updating and cancelling need an order still PLACED: the workflow's hold is that window.
  if (holdSeconds < 5)
    throw new Error(
      `stack ${stackName} has OrderHoldSeconds=${holdSeconds}: the update and cancel scenarios need an order to stay PLACED for at least 5 s (deploy with OrderHoldSeconds=10, the default)`,
    );
  cognito = new CognitoIdentityProviderClient({});
  [alice, bob, admin] = await Promise.all([user(), user(), user(true)]);
  const products = await call('GET', '/products');
  sku = (products.body.items as Json[]).find((p) => p.stock > 10)!.sku as string;
});

afterAll(async () => {
  await Promise.all(
    made.map((email) => cognito?.send(new AdminDeleteUserCommand({ UserPoolId: poolId, Username: email })).catch(() => undefined)),
  );
  cognito?.destroy();
});

describe(`stack ${stackName ?? '(none)'}`, () => {
  it('401 without a token or with a bad one; 403 for what only admins may do', async () => {
    const none = await call('GET', '/orders');
    expect(none.status).toBe(401);
    expect((await call('GET', '/orders', 'not-a-token')).status).toBe(401);
    expect((await call('GET', '/users', alice)).status).toBe(403);
    expect((await call('GET', '/users', admin)).status).toBe(200);
  });

  it('creates an order (202 PLACED), idempotently on orderId; the same id with another body is 409', async () => {
    const orderId = `ord-${randomUUID()}`;
    const first = await call('POST', '/orders', alice, { orderId, items: [{ sku, qty: 1 }] });
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ orderId, status: 'PLACED', version: 1 });
    const again = await call('POST', '/orders', alice, { orderId, items: [{ sku, qty: 1 }] });
    expect(again.status).toBe(202);
    expect(again.body.createdAt).toBe(first.body.createdAt);
    expect((await call('POST', '/orders', alice, { orderId, items: [{ sku, qty: 2 }] })).status).toBe(409);
    expect((await call('POST', '/orders', alice, { items: [{ sku, qty: 0 }] })).status).toBe(400);
  });

  it('gets its own order with history (another user gets 404); updates with the version; cancels; then refuses what the rules refuse', async () => {
    const id = (await call('POST', '/orders', alice, { items: [{ sku, qty: 1 }] })).body.orderId as string;
    const got = await call('GET', `/orders/${id}`, alice);
    expect(got.status).toBe(200);
    expect(got.body.history[0].status).toBe('PLACED');
    expect((await call('GET', `/orders/${id}`, bob)).status).toBe(404);
    const updated = await call('PUT', `/orders/${id}`, alice, { items: [{ sku, qty: 2 }], version: 1 });
    expect(updated.status).toBe(200);
    expect(updated.body.version).toBe(2);
    expect((await call('PUT', `/orders/${id}`, alice, { items: [{ sku, qty: 3 }], version: 1 })).status).toBe(409);
    expect((await call('DELETE', `/orders/${id}`, bob)).status).toBe(404);
    const canceled = await call('DELETE', `/orders/${id}`, alice);
    expect(canceled.status).toBe(200);
    expect(canceled.body.status).toBe('CANCELED');
    expect((await call('DELETE', `/orders/${id}`, alice)).status).toBe(409);
    expect((await call('PUT', `/orders/${id}`, alice, { items: [{ sku, qty: 1 }], version: 3 })).status).toBe(409);
    expect((await call('POST', `/orders/${id}/acknowledge`, admin)).status).toBe(409);
  });

  it('refuses invalid transitions: acknowledging a PLACED order (409), acknowledging as a non-admin (403)', async () => {
    const id = (await call('POST', '/orders', bob, { items: [{ sku, qty: 1 }] })).body.orderId as string;
    expect((await call('POST', `/orders/${id}/acknowledge`, bob)).status).toBe(403);
    expect((await call('POST', `/orders/${id}/acknowledge`, admin)).status).toBe(409);
    expect((await call('DELETE', `/orders/${id}`, bob)).status).toBe(200);
  });

  it('lists the caller’s own orders only, newest first', async () => {
    const id = (await call('POST', '/orders', bob, { items: [{ sku, qty: 1 }] })).body.orderId as string;
    const mine = await call('GET', '/orders', bob);
    expect(mine.status).toBe(200);
    expect((mine.body.items as Json[])[0]!.orderId).toBe(id);
    expect((mine.body.items as Json[]).every((o) => o.userId === (mine.body.items as Json[])[0]!.userId)).toBe(true);
    expect(((await call('GET', '/orders', alice)).body.items as Json[]).some((o) => o.orderId === id)).toBe(false);
    await call('DELETE', `/orders/${id}`, bob);
  });

  it('takes an order through the workflow to CONFIRMED; then it can be acknowledged by an admin and no longer canceled', async () => {
    const id = (await call('POST', '/orders', alice, { items: [{ sku, qty: 1 }], paymentToken: 'tok_visa' })).body.orderId as string;
    const done = await waitForStatus(id, alice, ['CONFIRMED', 'FAILED'], (holdSeconds + 90) * 1000);
    expect(done.status).toBe('CONFIRMED');
    expect((done.history as Json[]).map((h) => h.status)).toEqual(['PLACED', 'VALIDATED', 'RESERVED', 'CHARGED', 'CONFIRMED']);
    expect((await call('DELETE', `/orders/${id}`, alice)).status).toBe(409);
    const ack = await call('POST', `/orders/${id}/acknowledge`, admin);
    expect(ack.status).toBe(200);
    expect(ack.body.status).toBe('ACKNOWLEDGED');
  });
});
