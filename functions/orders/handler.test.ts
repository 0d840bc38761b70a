import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { BatchGetCommand, DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from './handler';

const doc = mockClient(DynamoDBDocumentClient);
const sfn = mockClient(SFNClient);
const context = { awsRequestId: 'aws-req' } as Context;

interface Req {
  method: string;
  resource: string;
  orderId?: string;
  body?: unknown;
  query?: Record<string, string>;
  sub?: string;
  groups?: string;
  headers?: Record<string, string>;
}
function ev(r: Req): APIGatewayProxyEvent {
  return {
    resource: r.resource,
    path: r.resource.replace('{orderId}', r.orderId ?? ''),
    httpMethod: r.method,
    headers: r.headers ?? (r.body !== undefined ? { 'content-type': 'application/json' } : {}),
    multiValueHeaders: {},
    queryStringParameters: r.query ?? null,
    multiValueQueryStringParameters: null,
    pathParameters: r.orderId ? { orderId: r.orderId } : null,
    stageVariables: null,
    isBase64Encoded: false,
    body: r.body === undefined ? null : typeof r.body === 'string' ? r.body : JSON.stringify(r.body),
    requestContext: { requestId: 'req-1', authorizer: { sub: r.sub ?? 'owner', email: 'o@example.com', groups: r.groups ?? '' } },
  } as unknown as APIGatewayProxyEvent;
}
const call = async (r: Req) => {
  const res = await handler(ev(r), context);
  return { status: res.statusCode, body: res.body ? (JSON.parse(res.body) as Record<string, any>) : {} };
};

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
const order = (over: Record<string, unknown> = {}) => ({
  userId: 'owner',
  orderId: 'o-1',
  status: 'PLACED',
  items: [{ sku: 'SKU-0001', qty: 1, price: 500 }],
  total: 500,
  currency: 'USD',
  createdAt: minutesAgo(1),
  updatedAt: minutesAgo(1),
  expiresAt: 2_000_000_000,
  version: 3,
  history: [{ status: 'PLACED', at: minutesAgo(1) }],
  placedStatus: 'PLACED',
  ...over,
});
const ccf = (item: Record<string, unknown>) =>
  new ConditionalCheckFailedException({ message: 'failed', $metadata: {}, Item: marshall(item, { removeUndefinedValues: true }) });

beforeAll(() => {
  process.env.ORDERS_TABLE = 'Orders';
  process.env.PRODUCTS_TABLE = 'Products';
  process.env.ORDER_STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:OrderWorkflow';
  process.env.STALE_ORDER_SECONDS = '3600';
  process.env.ADMIN_GROUP = 'apiAdmins';
});
beforeEach(() => {
  doc.reset();
  sfn.reset();
  doc.on(GetCommand).resolves({});
  doc.on(QueryCommand).resolves({ Items: [] });
});

const ownGet = (item: Record<string, unknown>) => doc.on(GetCommand, { Key: { userId: 'owner', orderId: 'o-1' } }).resolves({ Item: item });

describe('GET /orders', () => {
  it('lists only the caller own orders, newest first, without storage attributes', async () => {
    doc
      .on(QueryCommand)
      .resolves({ Items: [order({ orderId: 'o-2' }), order()], LastEvaluatedKey: { userId: 'owner', orderId: 'o-1', createdAt: 'x' } });
    const res = await call({ method: 'GET', resource: '/orders', query: { limit: '2' } });
    expect(res.status).toBe(200);
    expect(res.body.items.map((o: { orderId: string }) => o.orderId)).toEqual(['o-2', 'o-1']);
    expect(res.body.items[0].placedStatus).toBeUndefined();
    expect(typeof res.body.nextToken).toBe('string');
    const input = doc.commandCalls(QueryCommand)[0]!.args[0].input;
    expect(input).toMatchObject({
      ExpressionAttributeValues: expect.objectContaining({ ':u': 'owner' }),
      Limit: 2,
      ScanIndexForward: false,
    });
  });

  it.each<Record<string, string>>([{ limit: '0' }, { limit: '101' }, { limit: 'ten' }, { nextToken: 'bm90LWpzb24' }, { sort: 'asc' }])(
    'answers 400 for query %o',
    async (query) => {
      const res = await call({ method: 'GET', resource: '/orders', query });
      expect(res.status).toBe(400);
      expect(res.body.error.details.length).toBeGreaterThan(0);
    },
  );
});

describe('GET /orders/{orderId}', () => {
  it('returns the owner order with its history', async () => {
    ownGet(order());
    const res = await call({ method: 'GET', resource: '/orders/{orderId}', orderId: 'o-1' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ orderId: 'o-1', history: [{ status: 'PLACED' }] });
  });

  it('answers 404 to a non-admin for someone else order, without the GSI lookup', async () => {
    doc.on(QueryCommand).resolves({ Items: [order()] });
    const res = await call({ method: 'GET', resource: '/orders/{orderId}', orderId: 'o-1', sub: 'intruder' });
    expect(res.status).toBe(404);
    expect(doc.commandCalls(QueryCommand)).toHaveLength(0);
  });

  it('lets an admin read any order through the ByOrderId index', async () => {
    doc.on(QueryCommand).resolves({ Items: [order()] });
    const res = await call({ method: 'GET', resource: '/orders/{orderId}', orderId: 'o-1', sub: 'admin', groups: 'staff,apiAdmins' });
    expect(res.status).toBe(200);
    expect(doc.commandCalls(QueryCommand)[0]!.args[0].input.IndexName).toBe('ByOrderId');
  });

  it('adds the workflow steps with include=workflow', async () => {
    const arn = 'arn:aws:states:us-east-1:123456789012:execution:OrderWorkflow:o-1';
    ownGet(order({ status: 'CONFIRMED', executionArn: arn }));
    const t = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
    sfn.on(DescribeExecutionCommand).resolves({ status: 'RUNNING', startDate: t(0) });
    sfn.on(GetExecutionHistoryCommand).resolves({
      events: [
        { id: 1, type: 'ExecutionStarted', timestamp: t(0) },
        { id: 2, type: 'TaskStateEntered', timestamp: t(1), stateEnteredEventDetails: { name: 'Validate' } },
        { id: 3, type: 'TaskStateExited', timestamp: t(2), stateExitedEventDetails: { name: 'Validate' } },
        { id: 4, type: 'TaskStateEntered', timestamp: t(3), stateEnteredEventDetails: { name: 'ReserveInventory' } },
        { id: 5, type: 'TaskFailed', timestamp: t(4) },
      ],
    });
    const res = await call({ method: 'GET', resource: '/orders/{orderId}', orderId: 'o-1', query: { include: 'workflow' } });
    expect(res.status).toBe(200);
    expect(res.body.workflow).toEqual({
      executionArn: arn,
      status: 'RUNNING',
      startDate: t(0).toISOString(),
      steps: [
        { name: 'Validate', status: 'SUCCEEDED', at: t(2).toISOString() },
        { name: 'ReserveInventory', status: 'FAILED', at: t(4).toISOString() },
      ],
    });
  });

  it('still answers when Step Functions is unreachable', async () => {
    ownGet(order({ executionArn: 'arn:aws:states:us-east-1:1:execution:x:y' }));
    sfn.on(DescribeExecutionCommand).rejects(new Error('connect ECONNREFUSED'));
    sfn.on(GetExecutionHistoryCommand).rejects(new Error('connect ECONNREFUSED'));
    const res = await call({ method: 'GET', resource: '/orders/{orderId}', orderId: 'o-1', query: { include: 'workflow' } });
    expect(res.status).toBe(200);
    expect(res.body.workflow.error).toEqual(expect.any(String));
    expect(JSON.stringify(res.body)).not.toContain('ECONNREFUSED');
  });

  it('shows a workflow not started yet (the order is written with its ARN before OrderCreated starts it) without an error', async () => {
    const arn = 'arn:aws:states:us-east-1:123456789012:execution:OrderWorkflow:o-1';
    ownGet(order({ executionArn: arn }));
    const gone = Object.assign(new Error('Execution Does Not Exist'), { name: 'ExecutionDoesNotExist' });
    sfn.on(DescribeExecutionCommand).rejects(gone);
    sfn.on(GetExecutionHistoryCommand).rejects(gone);
    const res = await call({ method: 'GET', resource: '/orders/{orderId}', orderId: 'o-1', query: { include: 'workflow' } });
    expect(res.status).toBe(200);
    expect(res.body.workflow).toEqual({ executionArn: arn, steps: [] });
  });

  it('answers 400 for an unsafe orderId', async () => {
    const res = await call({ method: 'GET', resource: '/orders/{orderId}', orderId: 'a b' });
    expect(res.status).toBe(400);
  });
});

describe('PUT /orders/{orderId}', () => {
  const body = { items: [{ sku: 'SKU-0002', qty: 2 }], version: 3 };
  beforeEach(() => {
    doc.on(BatchGetCommand).resolves({ Responses: { Products: [{ sku: 'SKU-0002', name: 'B', price: 250, currency: 'USD', stock: 5 }] } });
  });

  it('reprices and updates at the expected version', async () => {
    ownGet(order());
    doc.on(UpdateCommand).resolves({ Attributes: order({ items: [{ sku: 'SKU-0002', qty: 2, price: 250 }], total: 500, version: 4 }) });
    const res = await call({ method: 'PUT', resource: '/orders/{orderId}', orderId: 'o-1', body });
    expect(res.status).toBe(200);
    expect(res.body.version).toBe(4);
    const input = doc.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(input.ExpressionAttributeValues).toMatchObject({ ':v': 3, ':total': 500, ':items': [{ sku: 'SKU-0002', qty: 2, price: 250 }] });
  });

  it('answers 409 on a stale version', async () => {
    ownGet(order());
    doc.on(UpdateCommand).rejects(ccf(order({ version: 4 })));
    const res = await call({ method: 'PUT', resource: '/orders/{orderId}', orderId: 'o-1', body });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('VERSION_CONFLICT');
  });

  it('answers 409 once the order left PLACED', async () => {
    ownGet(order({ status: 'VALIDATED' }));
    const res = await call({ method: 'PUT', resource: '/orders/{orderId}', orderId: 'o-1', body });
    expect(res.status).toBe(409);
    expect(doc.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  it('answers 404 to an admin who does not own it (owner-only route)', async () => {
    doc.on(QueryCommand).resolves({ Items: [order()] });
    const res = await call({ method: 'PUT', resource: '/orders/{orderId}', orderId: 'o-1', body, sub: 'admin', groups: 'apiAdmins' });
    expect(res.status).toBe(404);
  });

  it.each([
    ['a missing version', { items: body.items }, 400],
    ['malformed JSON', '{"items":', 400],
  ])('answers 400 for %s', async (_n, b, status) => {
    ownGet(order());
    const res = await call({ method: 'PUT', resource: '/orders/{orderId}', orderId: 'o-1', body: b });
    expect(res.status).toBe(status);
  });

  it('answers 415 for a form body', async () => {
    const res = await call({
      method: 'PUT',
      resource: '/orders/{orderId}',
      orderId: 'o-1',
      body: 'a=b',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.status).toBe(415);
  });
});

describe('DELETE /orders/{orderId}', () => {
  it('cancels a fresh PLACED order conditionally', async () => {
    ownGet(order());
    doc.on(UpdateCommand).resolves({ Attributes: order({ status: 'CANCELED', version: 4 }) });
    const res = await call({ method: 'DELETE', resource: '/orders/{orderId}', orderId: 'o-1' });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('CANCELED');
    expect(doc.commandCalls(UpdateCommand)[0]!.args[0].input.ExpressionAttributeValues).toMatchObject({
      ':from': 'PLACED',
      ':to': 'CANCELED',
      ':v': 3,
    });
  });

  it('answers 409 after the 10-minute window', async () => {
    ownGet(order({ createdAt: minutesAgo(11) }));
    const res = await call({ method: 'DELETE', resource: '/orders/{orderId}', orderId: 'o-1' });
    expect(res.status).toBe(409);
    expect(doc.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  it('answers 409 when not PLACED', async () => {
    ownGet(order({ status: 'CHARGED' }));
    const res = await call({ method: 'DELETE', resource: '/orders/{orderId}', orderId: 'o-1' });
    expect(res.status).toBe(409);
  });
});

describe('POST /orders/{orderId}/acknowledge', () => {
  it('is admin only', async () => {
    ownGet(order({ status: 'CONFIRMED' }));
    const res = await call({ method: 'POST', resource: '/orders/{orderId}/acknowledge', orderId: 'o-1' });
    expect(res.status).toBe(403);
  });

  it('moves CONFIRMED to ACKNOWLEDGED', async () => {
    doc.on(QueryCommand).resolves({ Items: [order({ status: 'CONFIRMED' })] });
    doc.on(UpdateCommand).resolves({ Attributes: order({ status: 'ACKNOWLEDGED', version: 4 }) });
    const res = await call({
      method: 'POST',
      resource: '/orders/{orderId}/acknowledge',
      orderId: 'o-1',
      sub: 'admin',
      groups: 'apiAdmins',
    });
    expect(res.status).toBe(200);
    expect(doc.commandCalls(UpdateCommand)[0]!.args[0].input.ExpressionAttributeValues).toMatchObject({
      ':from': 'CONFIRMED',
      ':to': 'ACKNOWLEDGED',
    });
  });

  it('answers 409 for an order that is not CONFIRMED', async () => {
    doc.on(QueryCommand).resolves({ Items: [order({ status: 'PLACED' })] });
    const res = await call({
      method: 'POST',
      resource: '/orders/{orderId}/acknowledge',
      orderId: 'o-1',
      sub: 'admin',
      groups: 'apiAdmins',
    });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('INVALID_TRANSITION');
  });
});

describe('POST /orders/{orderId}/retry', () => {
  const admin = { sub: 'admin', groups: 'apiAdmins' };
  it('puts a FAILED order back to PLACED and starts a new execution', async () => {
    doc.on(QueryCommand).resolves({ Items: [order({ status: 'FAILED', placedStatus: undefined })] });
    doc
      .on(UpdateCommand)
      .resolvesOnce({ Attributes: order({ version: 4 }) })
      .resolves({ Attributes: order({ version: 5, executionArn: 'arn:exec' }) });
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:exec', startDate: new Date() });
    const res = await call({ method: 'POST', resource: '/orders/{orderId}/retry', orderId: 'o-1', ...admin });
    expect(res.status).toBe(202);
    expect(res.body.executionArn).toBe('arn:exec');
    const start = sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input;
    expect(start).toMatchObject({ stateMachineArn: process.env.ORDER_STATE_MACHINE_ARN, name: 'o-1-retry-4' });
    expect(JSON.parse(start.input!)).toEqual({ orderId: 'o-1', userId: 'owner' });
    const first = doc.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(first.ExpressionAttributeValues).toMatchObject({ ':from': 'FAILED', ':to': 'PLACED', ':v': 3 });
    expect(first.ExpressionAttributeValues?.[':entry']).toEqual([expect.objectContaining({ reason: 'retry' })]);
  });

  it('answers 409 for an order that is not FAILED', async () => {
    doc.on(QueryCommand).resolves({ Items: [order({ status: 'CONFIRMED' })] });
    const res = await call({ method: 'POST', resource: '/orders/{orderId}/retry', orderId: 'o-1', ...admin });
    expect(res.status).toBe(409);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('restores FAILED when the execution cannot start', async () => {
    doc.on(QueryCommand).resolves({ Items: [order({ status: 'FAILED' })] });
    doc.on(UpdateCommand).resolves({ Attributes: order({ version: 4 }) });
    sfn.on(StartExecutionCommand).rejects(new Error('throttled'));
    const res = await call({ method: 'POST', resource: '/orders/{orderId}/retry', orderId: 'o-1', ...admin });
    expect(res.status).toBe(500);
    const second = doc.commandCalls(UpdateCommand)[1]!.args[0].input;
    expect(second.ExpressionAttributeValues).toMatchObject({ ':from': 'PLACED', ':to': 'FAILED', ':v': 4 });
  });

  it('is admin only', async () => {
    const res = await call({ method: 'POST', resource: '/orders/{orderId}/retry', orderId: 'o-1' });
    expect(res.status).toBe(403);
  });
});

it('answers 404 for an unknown route', async () => {
  const res = await call({ method: 'PATCH', resource: '/orders/{orderId}', orderId: 'o-1' });
  expect(res.status).toBe(404);
});
