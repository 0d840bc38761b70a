import { Metrics } from '@aws-lambda-powertools/metrics';
import { ConditionalCheckFailedException, DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from './handler';

const doc = mockClient(DynamoDBDocumentClient);
const raw = mockClient(DynamoDBClient);
const context = {
  awsRequestId: 'aws-req',
  functionName: 'CreateOrderFunction',
  getRemainingTimeInMillis: () => 5000,
} as unknown as Context;
const addMetric = jest.spyOn(Metrics.prototype, 'addMetric');

function post(body: unknown, opts: { headers?: Record<string, string>; sub?: string | null; raw?: string } = {}): APIGatewayProxyEvent {
  return {
    resource: '/orders',
    path: '/orders',
    httpMethod: 'POST',
    headers: opts.headers ?? { 'Content-Type': 'application/json' },
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    isBase64Encoded: false,
    body: opts.raw ?? JSON.stringify(body),
    requestContext: {
      requestId: 'req-1',
      authorizer: opts.sub === null ? {} : { sub: opts.sub ?? 'user-1', email: 'u@example.com', groups: '' },
    },
  } as unknown as APIGatewayProxyEvent;
}

const catalogue = [
  { sku: 'SKU-0001', name: 'Pack', price: 6900, currency: 'USD', stock: 10 },
  { sku: 'SKU-0002', name: 'Bottle', price: 2999, currency: 'USD', stock: 10 },
];

beforeAll(() => {
  process.env.ORDERS_TABLE = 'Orders';
  process.env.PRODUCTS_TABLE = 'Products';
  process.env.IDEMPOTENCY_TABLE = 'Idempotency';
  process.env.STALE_ORDER_SECONDS = '3600';
  process.env.ORDER_STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:myapp-OrderWorkflow';
});
beforeEach(() => {
  doc.reset();
  raw.reset();
  addMetric.mockClear();
  doc.on(BatchGetCommand).resolves({ Responses: { Products: catalogue } });
  doc.on(PutCommand).resolves({});
  raw.on(PutItemCommand).resolves({});
  raw.on(UpdateItemCommand).resolves({});
});

const parse = (body: string) => JSON.parse(body) as Record<string, any>;

describe('POST /orders', () => {
  it('prices from the catalogue, writes a PLACED order and answers 202', async () => {
    const before = Math.floor(Date.now() / 1000);
    const res = await handler(
      post({
        items: [
          { sku: 'SKU-0001', qty: 2 },
          { sku: 'SKU-0002', qty: 1 },
        ],
        paymentToken: 'tok_ok',
      }),
      context,
    );
    expect(res.statusCode).toBe(202);
    const order = parse(res.body);
    expect(order).toMatchObject({ userId: 'user-1', status: 'PLACED', total: 2 * 6900 + 2999, currency: 'USD', version: 1 });
    expect(order.orderId).toMatch(/^[0-9a-f-]{36}$/);
    expect(order.placedStatus).toBeUndefined();
    expect(order.paymentToken).toBeUndefined();
    expect(res.headers?.Location).toBe(`/orders/${order.orderId}`);
    const put = doc.commandCalls(PutCommand)[0]!.args[0].input;
    expect(put.TableName).toBe('Orders');
    expect(put.ConditionExpression).toBe('attribute_not_exists(orderId)');
    expect(put.Item?.expiresAt).toBeGreaterThanOrEqual(before + 3600);
    expect(put.Item?.placedStatus).toBe('PLACED');
    expect(put.Item?.paymentToken).toBe('tok_ok');
    // Written with the ARN of its workflow execution, which is named after the order.
    expect(put.Item?.executionArn).toBe(`arn:aws:states:us-east-1:123456789012:execution:myapp-OrderWorkflow:${order.orderId}`);
    expect(order.executionArn).toBe(put.Item?.executionArn);
    // No client orderId: no idempotency record.
    expect(raw.commandCalls(PutItemCommand)).toHaveLength(0);
    expect(addMetric).toHaveBeenCalledWith('SuccessfulOrder', 'Count', 1);
    expect(addMetric).toHaveBeenCalledWith('OrderTotal', expect.any(String), 2 * 6900 + 2999);
  });

  it('records an idempotency key for a client orderId', async () => {
    const res = await handler(post({ orderId: 'order-abc', items: [{ sku: 'SKU-0001', qty: 1 }] }), context);
    expect(res.statusCode).toBe(202);
    expect(parse(res.body).orderId).toBe('order-abc');
    const put = raw.commandCalls(PutItemCommand)[0]!.args[0].input;
    expect(put.TableName).toBe('Idempotency');
    expect(put.Item?.status?.S).toBe('INPROGRESS');
    expect(put.Item?.validation).toBeDefined();
    expect(raw.commandCalls(UpdateItemCommand)[0]!.args[0].input.ExpressionAttributeValues?.[':status']?.S).toBe('COMPLETED');
  });

  it('replays a completed orderId without a new order or new metrics, and refuses a different body', async () => {
    const body = { orderId: 'order-replay', items: [{ sku: 'SKU-0001', qty: 1 }] };
    const first = await handler(post(body), context);
    expect(first.statusCode).toBe(202);
    const stored = doc.commandCalls(PutCommand)[0]!.args[0].input.Item!;
    const record = raw.commandCalls(PutItemCommand)[0]!.args[0].input.Item!;
    // What IdempotencyTable now holds: the completed record with the order as its data.
    const completed = { ...record, status: { S: 'COMPLETED' }, data: { M: marshall(stored, { removeUndefinedValues: true }) } };
    raw.on(PutItemCommand).rejects(new ConditionalCheckFailedException({ message: 'exists', $metadata: {}, Item: completed }));
    doc.resetHistory();
    addMetric.mockClear();

    const replay = await handler(post(body), context);
    expect(replay.statusCode).toBe(202);
    expect(JSON.parse(replay.body)).toEqual(JSON.parse(first.body));
    expect(doc.commandCalls(PutCommand)).toHaveLength(0);
    expect(addMetric).not.toHaveBeenCalled();

    const other = await handler(post({ ...body, items: [{ sku: 'SKU-0001', qty: 2 }] }), context);
    expect(other.statusCode).toBe(409);
    expect(parse(other.body).error.code).toBe('IDEMPOTENCY_CONFLICT');
    const intruder = await handler(post(body, { sub: 'user-2' }), context);
    expect(intruder.statusCode).toBe(409);
    expect(doc.commandCalls(PutCommand)).toHaveLength(0);
  });

  it('names an unknown sku as items.N.sku', async () => {
    const res = await handler(
      post({
        items: [
          { sku: 'SKU-0001', qty: 1 },
          { sku: 'SKU-9999', qty: 1 },
        ],
      }),
      context,
    );
    expect(res.statusCode).toBe(400);
    expect(parse(res.body).error.details).toEqual([{ path: 'items.1.sku', message: expect.stringContaining('SKU-9999') }]);
    expect(doc.commandCalls(PutCommand)).toHaveLength(0);
    expect(addMetric).not.toHaveBeenCalled();
  });

  it.each([
    ['an unknown field', { items: [{ sku: 'SKU-0001', qty: 1 }], total: 1 }, 'total'],
    ['an unknown line field', { items: [{ sku: 'SKU-0001', qty: 1, price: 1 }] }, 'items.0.price'],
    ['qty 0', { items: [{ sku: 'SKU-0001', qty: 0 }] }, 'items.0.qty'],
    ['qty 101', { items: [{ sku: 'SKU-0001', qty: 101 }] }, 'items.0.qty'],
    ['a fractional qty', { items: [{ sku: 'SKU-0001', qty: 1.5 }] }, 'items.0.qty'],
    ['a bad sku', { items: [{ sku: 'DROP TABLE', qty: 1 }] }, 'items.0.sku'],
    ['no lines', { items: [] }, 'items'],
    ['51 lines', { items: Array.from({ length: 51 }, (_, i) => ({ sku: `SKU-${String(i).padStart(4, '0')}`, qty: 1 })) }, 'items'],
    ['a long paymentToken', { items: [{ sku: 'SKU-0001', qty: 1 }], paymentToken: 'x'.repeat(65) }, 'paymentToken'],
    ['an unsafe orderId', { orderId: '../x', items: [{ sku: 'SKU-0001', qty: 1 }] }, 'orderId'],
    [
      'a duplicate sku',
      {
        items: [
          { sku: 'SKU-0001', qty: 1 },
          { sku: 'SKU-0001', qty: 2 },
        ],
      },
      'items.1.sku',
    ],
  ])('answers 400 for %s', async (_name, body, path) => {
    const res = await handler(post(body), context);
    expect(res.statusCode).toBe(400);
    const err = parse(res.body).error;
    expect(err.code).toBe('VALIDATION_ERROR');
    expect(err.details.map((d: { path: string }) => d.path)).toContain(path);
    expect(doc.commandCalls(PutCommand)).toHaveLength(0);
  });

  it('answers 400 for malformed JSON', async () => {
    const res = await handler(post(undefined, { raw: '{"items": [' }), context);
    expect(res.statusCode).toBe(400);
    expect(parse(res.body).requestId).toBe('req-1');
  });

  it('answers 415 for a non-JSON content type', async () => {
    const res = await handler(post({ items: [{ sku: 'SKU-0001', qty: 1 }] }, { headers: { 'content-type': 'text/plain' } }), context);
    expect(res.statusCode).toBe(415);
  });

  it('answers 413 for an oversized body', async () => {
    const res = await handler(post({ items: [{ sku: 'SKU-0001', qty: 1 }], paymentToken: 'x'.repeat(17 * 1024) }), context);
    expect(res.statusCode).toBe(413);
  });

  it('answers 401 without an authorizer sub', async () => {
    const res = await handler(post({ items: [{ sku: 'SKU-0001', qty: 1 }] }, { sub: null }), context);
    expect(res.statusCode).toBe(401);
  });

  it('answers 500 without internals when DynamoDB fails', async () => {
    doc.on(PutCommand).rejects(new Error('arn:aws:dynamodb:secret'));
    const res = await handler(post({ items: [{ sku: 'SKU-0001', qty: 1 }] }), context);
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain('secret');
  });
});
