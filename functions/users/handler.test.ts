import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from './handler';

process.env.USERS_TABLE = 'users-table';
process.env.ADMIN_GROUP = 'apiAdmins';
const doc = mockClient(DynamoDBDocumentClient);
const context = { awsRequestId: 'aws-req' } as Context;

interface Req {
  method: string;
  resource: string;
  userId?: string;
  body?: unknown;
  query?: Record<string, string>;
  sub?: string;
  groups?: string;
}
function ev(r: Req): APIGatewayProxyEvent {
  return {
    resource: r.resource,
    path: r.resource.replace('{userId}', r.userId ?? ''),
    httpMethod: r.method,
    headers: r.body !== undefined ? { 'Content-Type': 'application/json' } : {},
    queryStringParameters: r.query ?? null,
    pathParameters: r.userId ? { userId: r.userId } : null,
    isBase64Encoded: false,
    body: r.body === undefined ? null : typeof r.body === 'string' ? r.body : JSON.stringify(r.body),
    requestContext: { requestId: 'req-1', authorizer: { sub: r.sub ?? 'user-1', email: 'u1@example.com', groups: r.groups ?? '' } },
  } as unknown as APIGatewayProxyEvent;
}
async function call(r: Req) {
  const res = await handler(ev(r), context);
  return { status: res.statusCode, body: res.body ? (JSON.parse(res.body) as Record<string, any>) : undefined };
}
const admin = { sub: 'admin-1', groups: 'beta,apiAdmins' };
const stored = {
  userId: 'user-1',
  name: 'Ann',
  email: 'ann@example.com',
  plan: 'free',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};
const ccf = () => new ConditionalCheckFailedException({ message: 'failed', $metadata: {} });

beforeEach(() => doc.reset());

describe('GET /users', () => {
  it('lists for an admin with limit and an opaque nextToken', async () => {
    doc.on(ScanCommand).resolves({ Items: [stored], LastEvaluatedKey: { userId: 'user-1' } });
    const res = await call({ method: 'GET', resource: '/users', query: { limit: '5' }, ...admin });
    expect(res.status).toBe(200);
    expect(res.body?.items).toEqual([stored]);
    expect(typeof res.body?.nextToken).toBe('string');
    expect(doc.commandCalls(ScanCommand)[0]!.args[0].input).toMatchObject({ TableName: 'users-table', Limit: 5 });
    // The token round-trips into ExclusiveStartKey.
    doc.on(ScanCommand).resolves({ Items: [] });
    await call({ method: 'GET', resource: '/users', query: { nextToken: res.body!.nextToken }, ...admin });
    expect(doc.commandCalls(ScanCommand)[1]!.args[0].input.ExclusiveStartKey).toEqual({ userId: 'user-1' });
  });

  it('is 403 for a non-admin, even one whose first group looks similar', async () => {
    const res = await call({ method: 'GET', resource: '/users', sub: 'u', groups: 'apiAdminsX' });
    expect(res.status).toBe(403);
    expect(doc.calls()).toHaveLength(0);
  });

  it.each([['0'], ['101'], ['abc']])('is 400 naming limit for limit=%s', async (limit) => {
    const res = await call({ method: 'GET', resource: '/users', query: { limit }, ...admin });
    expect(res.status).toBe(400);
    expect(res.body?.error.details[0].path).toBe('limit');
  });

  it('is 400 naming nextToken for a forged token', async () => {
    const forged = Buffer.from(JSON.stringify({ nope: 1 })).toString('base64url');
    const res = await call({ method: 'GET', resource: '/users', query: { nextToken: forged }, ...admin });
    expect(res.status).toBe(400);
    expect(res.body?.error.details[0].path).toBe('nextToken');
  });

  it('is 401 without an authorizer context', async () => {
    const e = ev({ method: 'GET', resource: '/users' });
    (e.requestContext as unknown as { authorizer: unknown }).authorizer = undefined;
    expect((await handler(e, context)).statusCode).toBe(401);
  });
});

describe('POST /users', () => {
  it('creates with a generated uuid and a conditional put → 201', async () => {
    doc.on(PutCommand).resolves({});
    const res = await call({ method: 'POST', resource: '/users', body: { name: 'Bob', email: 'bob@example.com', plan: 'pro' }, ...admin });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: 'Bob', email: 'bob@example.com', plan: 'pro' });
    expect(res.body?.userId).toMatch(/^[0-9a-f-]{36}$/);
    const input = doc.commandCalls(PutCommand)[0]!.args[0].input;
    expect(input.Item).toMatchObject({ userId: res.body?.userId, email: 'bob@example.com' });
    expect(input.ConditionExpression).toContain('attribute_not_exists(userId)');
  });

  it('gives a user created without a plan the free plan (seed 000`s request)', async () => {
    doc.on(PutCommand).resolves({});
    const res = await call({ method: 'POST', resource: '/users', body: { name: 'Alice', email: 'alice@example.com' }, ...admin });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: 'Alice', email: 'alice@example.com', plan: 'free' });
    expect(doc.commandCalls(PutCommand)[0]!.args[0].input.Item).toMatchObject({ plan: 'free' });
  });

  it.each([
    [{ name: 'Bob', email: 'not-an-email', plan: 'pro' }, 'email'],
    [{ name: 'Bob', email: 'b@example.com', plan: 'gold' }, 'plan'],
    [{ name: '', email: 'b@example.com', plan: 'free' }, 'name'],
    [{ email: 'b@example.com', plan: 'free' }, 'name'],
    [{ name: 'Bob', email: 'b@example.com', plan: 'free', role: 'admin' }, 'role'],
  ])('is 400 naming the failing field (%j)', async (body, field) => {
    const res = await call({ method: 'POST', resource: '/users', body, ...admin });
    expect(res.status).toBe(400);
    expect(res.body?.error.details.map((d: { path: string }) => d.path)).toContain(field);
    expect(doc.calls()).toHaveLength(0);
  });

  it('is 400 on malformed JSON, never 500', async () => {
    const res = await call({ method: 'POST', resource: '/users', body: '{"name": ', ...admin });
    expect(res.status).toBe(400);
    expect(res.body?.error.code).toBe('MALFORMED_JSON');
  });

  it('is 409 when the id is taken', async () => {
    doc.on(PutCommand).rejects(ccf());
    const res = await call({ method: 'POST', resource: '/users', body: { name: 'Bob', email: 'b@example.com', plan: 'free' }, ...admin });
    expect(res.status).toBe(409);
  });

  it('is 403 for a non-admin', async () => {
    const res = await call({ method: 'POST', resource: '/users', body: { name: 'Bob', email: 'b@example.com', plan: 'free' } });
    expect(res.status).toBe(403);
  });
});

describe('/users/{userId}', () => {
  it('lets the owner read their record', async () => {
    doc.on(GetCommand).resolves({ Item: stored });
    const res = await call({ method: 'GET', resource: '/users/{userId}', userId: 'user-1' });
    expect(res).toEqual({ status: 200, body: stored });
    expect(doc.commandCalls(GetCommand)[0]!.args[0].input.Key).toEqual({ userId: 'user-1' });
  });

  it('lets an admin read anyone', async () => {
    doc.on(GetCommand).resolves({ Item: stored });
    expect((await call({ method: 'GET', resource: '/users/{userId}', userId: 'user-1', ...admin })).status).toBe(200);
  });

  it.each(['GET', 'PUT', 'DELETE'])('hides other users from a non-admin on %s (404, no table access)', async (method) => {
    const res = await call({ method, resource: '/users/{userId}', userId: 'user-2', ...(method === 'PUT' ? { body: { name: 'X' } } : {}) });
    expect(res.status).toBe(404);
    expect(doc.calls()).toHaveLength(0);
  });

  it('is 404 for a TTL-expired record', async () => {
    doc.on(GetCommand).resolves({ Item: { ...stored, ttl: Math.floor(Date.now() / 1000) - 10 } });
    expect((await call({ method: 'GET', resource: '/users/{userId}', userId: 'user-1' })).status).toBe(404);
  });

  it('updates name/plan/bio partially with a condition on existence', async () => {
    doc.on(UpdateCommand).resolves({ Attributes: { ...stored, plan: 'pro', bio: 'hi' } });
    const res = await call({ method: 'PUT', resource: '/users/{userId}', userId: 'user-1', body: { plan: 'pro', bio: 'hi' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ plan: 'pro', bio: 'hi' });
    const input = doc.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(input.ConditionExpression).toContain('attribute_exists(userId)');
    expect(input.ExpressionAttributeValues).toMatchObject({ ':plan': 'pro', ':bio': 'hi' });
    expect(input.ExpressionAttributeValues).not.toHaveProperty(':name');
  });

  it('is 404 when updating a user that does not exist', async () => {
    doc.on(UpdateCommand).rejects(ccf());
    expect((await call({ method: 'PUT', resource: '/users/{userId}', userId: 'user-9', body: { name: 'Z' }, ...admin })).status).toBe(404);
  });

  it.each([
    [{}, ''],
    [{ email: 'x@example.com' }, 'email'],
    [{ plan: 'gold' }, 'plan'],
  ])('is 400 on a bad update body %j', async (body, field) => {
    const res = await call({ method: 'PUT', resource: '/users/{userId}', userId: 'user-1', body });
    expect(res.status).toBe(400);
    expect(res.body?.error.details.map((d: { path: string }) => d.path)).toContain(field);
  });

  it('deletes → 204, and 404 when absent', async () => {
    doc.on(DeleteCommand).resolvesOnce({}).rejectsOnce(ccf());
    const ok = await handler(ev({ method: 'DELETE', resource: '/users/{userId}', userId: 'user-1' }), context);
    expect(ok.statusCode).toBe(204);
    expect(ok.body).toBe('');
    expect(doc.commandCalls(DeleteCommand)[0]!.args[0].input.Key).toEqual({ userId: 'user-1' });
    expect((await call({ method: 'DELETE', resource: '/users/{userId}', userId: 'user-1' })).status).toBe(404);
  });

  it('is 400 naming userId for an unsafe id', async () => {
    const res = await call({ method: 'GET', resource: '/users/{userId}', userId: 'a/b', ...admin });
    expect(res.status).toBe(400);
    expect(res.body?.error.details[0].path).toBe('userId');
  });

  it('answers 500 without internals when DynamoDB fails', async () => {
    doc.on(GetCommand).rejects(new Error('secret internal detail'));
    const res = await call({ method: 'GET', resource: '/users/{userId}', userId: 'user-1' });
    expect(res.status).toBe(500);
    expect(JSON.stringify(res.body)).not.toContain('secret');
  });
});
