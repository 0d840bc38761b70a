import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from './handler';

process.env.TODOS_TABLE = 'todos-table';
const doc = mockClient(DynamoDBDocumentClient);
const context = { awsRequestId: 'aws-req' } as Context;

interface Req {
  method: string;
  resource: string;
  todoId?: string;
  body?: unknown;
  query?: Record<string, string>;
  sub?: string;
}
function ev(r: Req): APIGatewayProxyEvent {
  return {
    resource: r.resource,
    path: r.resource.replace('{todoId}', r.todoId ?? ''),
    httpMethod: r.method,
    headers: r.body !== undefined ? { 'content-type': 'application/json' } : {},
    queryStringParameters: r.query ?? null,
    pathParameters: r.todoId ? { todoId: r.todoId } : null,
    isBase64Encoded: false,
    body: r.body === undefined ? null : typeof r.body === 'string' ? r.body : JSON.stringify(r.body),
    requestContext: { requestId: 'req-1', authorizer: { sub: r.sub ?? 'user-1', email: 'u1@example.com', groups: 'apiAdmins' } },
  } as unknown as APIGatewayProxyEvent;
}
async function call(r: Req) {
  const res = await handler(ev(r), context);
  return { status: res.statusCode, body: res.body ? (JSON.parse(res.body) as Record<string, any>) : undefined };
}
const paths = (body: Record<string, any> | undefined): string[] => body?.error.details.map((d: { path: string }) => d.path);
const todo = {
  userId: 'user-1',
  todoId: 't-1',
  title: 'Milk',
  done: false,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};
const ccf = () => new ConditionalCheckFailedException({ message: 'failed', $metadata: {} });

beforeEach(() => doc.reset());

describe('GET /todos', () => {
  it("queries only the caller's partition, paginated", async () => {
    doc.on(QueryCommand).resolves({ Items: [todo], LastEvaluatedKey: { userId: 'user-1', todoId: 't-1' } });
    const res = await call({ method: 'GET', resource: '/todos', query: { limit: '1' } });
    expect(res.status).toBe(200);
    expect(res.body?.items).toEqual([todo]);
    const input = doc.commandCalls(QueryCommand)[0]!.args[0].input;
    expect(input).toMatchObject({ TableName: 'todos-table', KeyConditionExpression: 'userId = :userId', Limit: 1 });
    expect(input.ExpressionAttributeValues).toEqual({ ':userId': 'user-1' });
    doc.on(QueryCommand).resolves({ Items: [] });
    const next = await call({ method: 'GET', resource: '/todos', query: { nextToken: res.body!.nextToken } });
    expect(next.body).toEqual({ items: [] });
    expect(doc.commandCalls(QueryCommand)[1]!.args[0].input.ExclusiveStartKey).toEqual({ userId: 'user-1', todoId: 't-1' });
  });

  it("is 400 naming nextToken for another user's cursor", async () => {
    const theirs = Buffer.from(JSON.stringify({ userId: 'user-2', todoId: 't-9' })).toString('base64url');
    const res = await call({ method: 'GET', resource: '/todos', query: { nextToken: theirs } });
    expect(res.status).toBe(400);
    expect(paths(res.body)).toEqual(['nextToken']);
    expect(doc.calls()).toHaveLength(0);
  });
});

describe('POST /todos', () => {
  it('creates under the caller with a generated id → 201', async () => {
    doc.on(PutCommand).resolves({});
    const res = await call({ method: 'POST', resource: '/todos', body: { title: 'Milk', dueDate: '2026-12-01', notes: 'oat' } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ userId: 'user-1', title: 'Milk', done: false, dueDate: '2026-12-01', notes: 'oat' });
    const input = doc.commandCalls(PutCommand)[0]!.args[0].input;
    expect(input.Item).toMatchObject({ userId: 'user-1', todoId: res.body?.todoId });
    expect(input.ConditionExpression).toBe('attribute_not_exists(todoId)');
  });

  it.each([
    [{}, 'title'],
    [{ title: '' }, 'title'],
    [{ title: 'x'.repeat(201) }, 'title'],
    [{ title: 'ok', dueDate: 'tomorrow' }, 'dueDate'],
    [{ title: 'ok', notes: 'n'.repeat(2001) }, 'notes'],
    [{ title: 'ok', userId: 'user-2' }, 'userId'],
  ])('is 400 naming the failing field for %j', async (body, field) => {
    const res = await call({ method: 'POST', resource: '/todos', body });
    expect(res.status).toBe(400);
    expect(paths(res.body)).toContain(field);
    expect(doc.calls()).toHaveLength(0);
  });

  it('is 400 on malformed JSON and 415 on a non-JSON body', async () => {
    expect((await call({ method: 'POST', resource: '/todos', body: '{oops' })).status).toBe(400);
    const e = ev({ method: 'POST', resource: '/todos', body: 'title=x' });
    e.headers = { 'content-type': 'text/plain' };
    expect((await handler(e, context)).statusCode).toBe(415);
  });
});

describe('/todos/{todoId}', () => {
  it('reads own item by (sub, todoId)', async () => {
    doc.on(GetCommand).resolves({ Item: todo });
    const res = await call({ method: 'GET', resource: '/todos/{todoId}', todoId: 't-1' });
    expect(res).toEqual({ status: 200, body: todo });
    expect(doc.commandCalls(GetCommand)[0]!.args[0].input.Key).toEqual({ userId: 'user-1', todoId: 't-1' });
  });

  it("is 404 for another user's item (their key is never addressed), admin or not", async () => {
    doc.on(GetCommand).resolves({});
    const res = await call({ method: 'GET', resource: '/todos/{todoId}', todoId: 't-1', sub: 'user-2' });
    expect(res.status).toBe(404);
    expect(doc.commandCalls(GetCommand)[0]!.args[0].input.Key).toEqual({ userId: 'user-2', todoId: 't-1' });
  });

  it('updates given fields; done=true stamps completedAt; conditional on existence', async () => {
    doc.on(UpdateCommand).resolves({ Attributes: { ...todo, done: true, completedAt: 'x' } });
    const res = await call({ method: 'PUT', resource: '/todos/{todoId}', todoId: 't-1', body: { done: true, title: 'Oat milk' } });
    expect(res.status).toBe(200);
    const input = doc.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(input.Key).toEqual({ userId: 'user-1', todoId: 't-1' });
    expect(input.ConditionExpression).toBe('attribute_exists(todoId)');
    expect(input.UpdateExpression).toContain('#completedAt = if_not_exists(#completedAt, :at)');
    expect(input.ExpressionAttributeValues).toMatchObject({ ':done': true, ':title': 'Oat milk' });
  });

  it('done=false removes completedAt', async () => {
    doc.on(UpdateCommand).resolves({ Attributes: todo });
    await call({ method: 'PUT', resource: '/todos/{todoId}', todoId: 't-1', body: { done: false } });
    expect(doc.commandCalls(UpdateCommand)[0]!.args[0].input.UpdateExpression).toMatch(/REMOVE #completedAt$/);
  });

  it.each([
    [{}, ''],
    [{ done: 'yes' }, 'done'],
    [{ title: '' }, 'title'],
    [{ owner: 'x' }, 'owner'],
  ])('is 400 for update body %j', async (body, field) => {
    const res = await call({ method: 'PUT', resource: '/todos/{todoId}', todoId: 't-1', body });
    expect(res.status).toBe(400);
    expect(paths(res.body)).toContain(field);
  });

  it('is 404 when updating or deleting a missing item', async () => {
    doc.on(UpdateCommand).rejects(ccf());
    doc.on(DeleteCommand).rejects(ccf());
    expect((await call({ method: 'PUT', resource: '/todos/{todoId}', todoId: 'nope', body: { title: 'a' } })).status).toBe(404);
    expect((await call({ method: 'DELETE', resource: '/todos/{todoId}', todoId: 'nope' })).status).toBe(404);
  });

  it('deletes → 204 with a condition on existence', async () => {
    doc.on(DeleteCommand).resolves({});
    expect((await handler(ev({ method: 'DELETE', resource: '/todos/{todoId}', todoId: 't-1' }), context)).statusCode).toBe(204);
    const input = doc.commandCalls(DeleteCommand)[0]!.args[0].input;
    expect(input).toMatchObject({ Key: { userId: 'user-1', todoId: 't-1' }, ConditionExpression: 'attribute_exists(todoId)' });
  });
});

describe('POST /todos/{todoId}/done', () => {
  it('marks an open item complete', async () => {
    doc.on(UpdateCommand).resolves({ Attributes: { ...todo, done: true, completedAt: '2026-02-01T00:00:00.000Z' } });
    const res = await call({ method: 'POST', resource: '/todos/{todoId}/done', todoId: 't-1' });
    expect(res.status).toBe(200);
    expect(res.body?.done).toBe(true);
    expect(doc.commandCalls(UpdateCommand)[0]!.args[0].input.ConditionExpression).toBe('attribute_exists(todoId) AND #done <> :true');
  });

  it('is idempotent: an already-done item is returned unchanged', async () => {
    const done = { ...todo, done: true, completedAt: '2026-02-01T00:00:00.000Z' };
    doc.on(UpdateCommand).rejects(ccf());
    doc.on(GetCommand).resolves({ Item: done });
    const res = await call({ method: 'POST', resource: '/todos/{todoId}/done', todoId: 't-1' });
    expect(res).toEqual({ status: 200, body: done });
  });

  it('is 404 for a missing item', async () => {
    doc.on(UpdateCommand).rejects(ccf());
    doc.on(GetCommand).resolves({});
    expect((await call({ method: 'POST', resource: '/todos/{todoId}/done', todoId: 't-1' })).status).toBe(404);
  });
});
