import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
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
  sub?: string;
  email?: string;
  groups?: string;
}
function ev(r: Req): APIGatewayProxyEvent {
  return {
    resource: r.resource,
    path: r.resource.replace('{userId}', r.userId ?? ''),
    httpMethod: r.method,
    headers: r.body !== undefined ? { 'content-type': 'application/json' } : {},
    queryStringParameters: null,
    pathParameters: r.userId ? { userId: r.userId } : null,
    isBase64Encoded: false,
    body: r.body === undefined ? null : typeof r.body === 'string' ? r.body : JSON.stringify(r.body),
    requestContext: {
      requestId: 'req-1',
      authorizer: { sub: r.sub ?? 'sub-1', email: r.email ?? 'me@example.com', groups: r.groups ?? '' },
    },
  } as unknown as APIGatewayProxyEvent;
}
async function call(r: Req) {
  const res = await handler(ev(r), context);
  return { status: res.statusCode, body: res.body ? (JSON.parse(res.body) as Record<string, any>) : undefined };
}
const record = {
  userId: 'sub-1',
  name: 'Me',
  email: 'me@example.com',
  plan: 'free',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};

beforeEach(() => doc.reset());

describe('POST /profiles', () => {
  it("creates the caller's record keyed by sub with the token's email → 201", async () => {
    doc.on(GetCommand).resolves({});
    doc.on(UpdateCommand).callsFake((input: { ExpressionAttributeValues: Record<string, unknown> }) => ({
      Attributes: {
        userId: 'sub-1',
        name: input.ExpressionAttributeValues[':name'],
        email: input.ExpressionAttributeValues[':email'],
        plan: 'free',
      },
    }));
    const res = await call({ method: 'POST', resource: '/profiles', body: { name: 'Me' } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ userId: 'sub-1', email: 'me@example.com', name: 'Me', plan: 'free' });
    const input = doc.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(input.Key).toEqual({ userId: 'sub-1' });
    expect(input.ExpressionAttributeValues).toMatchObject({ ':email': 'me@example.com', ':plan': 'free' });
    // A new record has no plan yet: the default applies only if none is stored.
    expect(input.UpdateExpression).toContain('#plan = if_not_exists(#plan, :plan)');
    expect(input.UpdateExpression).toContain('REMOVE #ttl');
  });

  it('updates an existing record → 200, keeping createdAt and overwriting a given plan', async () => {
    doc.on(GetCommand).resolves({ Item: record });
    doc.on(UpdateCommand).resolves({ Attributes: { ...record, plan: 'pro', bio: 'hello' } });
    const res = await call({ method: 'POST', resource: '/profiles', body: { name: 'Me', plan: 'pro', bio: 'hello' } });
    expect(res.status).toBe(200);
    const expr = doc.commandCalls(UpdateCommand)[0]!.args[0].input.UpdateExpression!;
    expect(expr).toContain('#plan = :plan');
    expect(expr).toContain('#createdAt = if_not_exists(#createdAt, :at)');
  });

  it.each([
    [{ name: 'Me', email: 'other@example.com' }, 'email'],
    [{ name: 'Me', userId: 'sub-2' }, 'userId'],
    [{}, 'name'],
    [{ name: 'Me', plan: 'platinum' }, 'plan'],
    [{ name: 'Me', bio: 'b'.repeat(1001) }, 'bio'],
  ])('is 400 naming the failing field for %j (email and id never come from the body)', async (body, field) => {
    const res = await call({ method: 'POST', resource: '/profiles', body });
    expect(res.status).toBe(400);
    expect(res.body?.error.details.map((d: { path: string }) => d.path)).toContain(field);
    expect(doc.calls()).toHaveLength(0);
  });

  it('is 403 for a token without an email claim, writing nothing', async () => {
    const res = await call({ method: 'POST', resource: '/profiles', body: { name: 'Me' }, email: '' });
    expect(res.status).toBe(403);
    expect(doc.calls()).toHaveLength(0);
  });

  it('is 400 on malformed JSON', async () => {
    const res = await call({ method: 'POST', resource: '/profiles', body: '{"name":' });
    expect(res.status).toBe(400);
  });
});

describe('GET /profiles/{userId}', () => {
  it('returns the owner their profile', async () => {
    doc.on(GetCommand).resolves({ Item: record });
    expect(await call({ method: 'GET', resource: '/profiles/{userId}', userId: 'sub-1' })).toEqual({ status: 200, body: record });
  });

  it('lets an admin read any profile', async () => {
    doc.on(GetCommand).resolves({ Item: record });
    const res = await call({ method: 'GET', resource: '/profiles/{userId}', userId: 'sub-1', sub: 'admin', groups: 'apiAdmins' });
    expect(res.status).toBe(200);
  });

  it('hides other profiles from a non-admin (404, table untouched)', async () => {
    const res = await call({ method: 'GET', resource: '/profiles/{userId}', userId: 'sub-2' });
    expect(res.status).toBe(404);
    expect(doc.calls()).toHaveLength(0);
  });

  it('is 404 for an absent or TTL-expired profile', async () => {
    doc
      .on(GetCommand)
      .resolvesOnce({})
      .resolvesOnce({ Item: { ...record, ttl: 1 } });
    expect((await call({ method: 'GET', resource: '/profiles/{userId}', userId: 'sub-1' })).status).toBe(404);
    expect((await call({ method: 'GET', resource: '/profiles/{userId}', userId: 'sub-1' })).status).toBe(404);
  });
});
