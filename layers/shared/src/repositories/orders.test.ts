import { ConditionalCheckFailedException, DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { AppError } from '../errors';
import { DynamoOrdersRepository, type OrderRecord } from './orders';
import { encodeCursor } from './pagination';
import { DynamoProductsRepository } from './products';

const ddb = mockClient(DynamoDBDocumentClient);
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const repo = new DynamoOrdersRepository(doc, 'Orders');
const key = { userId: 'u1', orderId: 'o1' };
const order: OrderRecord = {
  ...key,
  status: 'PLACED',
  items: [{ sku: 'SKU-0001', qty: 1, price: 100 }],
  total: 100,
  currency: 'USD',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  expiresAt: 1767229200,
  version: 1,
  history: [{ status: 'PLACED', at: '2026-01-01T00:00:00.000Z' }],
};
// DynamoDB returns the old item of a failed condition in wire format.
const ccf = (item?: Record<string, unknown>) =>
  new ConditionalCheckFailedException({
    message: 'failed',
    $metadata: {},
    ...(item ? { Item: marshall(item, { removeUndefinedValues: true }) } : {}),
  });

beforeEach(() => ddb.reset());

describe('DynamoOrdersRepository', () => {
  it('creates with attribute_not_exists and marks PLACED for the sparse index', async () => {
    ddb.on(PutCommand).resolves({});
    await repo.create(order);
    const input = ddb.commandCalls(PutCommand)[0]!.args[0].input;
    expect(input.ConditionExpression).toBe('attribute_not_exists(orderId)');
    expect(input.Item).toMatchObject({ userId: 'u1', orderId: 'o1', placedStatus: 'PLACED' });
  });

  it('maps a duplicate create to 409', async () => {
    ddb.on(PutCommand).rejects(ccf());
    await expect(repo.create(order)).rejects.toMatchObject({ status: 409, code: 'ORDER_EXISTS' });
  });

  it('hides items whose TTL has passed', async () => {
    ddb.on(GetCommand).resolves({ Item: { ...order, ttlEpoch: 1000 } });
    await expect(repo.get(key)).resolves.toBeUndefined();
    ddb.on(GetCommand).resolves({ Item: { ...order, ttlEpoch: Math.floor(Date.now() / 1000) + 60 } });
    await expect(repo.get(key)).resolves.toMatchObject(key);
  });

  it('transitions with one conditional update on status and version', async () => {
    ddb.on(UpdateCommand).resolves({ Attributes: { ...order, status: 'CANCELED', version: 2 } });
    await repo.transition(key, 'PLACED', 'CANCELED', { expectedVersion: 1, reason: 'by owner' });
    const input = ddb.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(input.Key).toEqual(key);
    expect(input.ConditionExpression).toBe('attribute_exists(orderId) AND #status = :from AND version = :v');
    expect(input.ExpressionAttributeValues).toMatchObject({ ':from': 'PLACED', ':to': 'CANCELED', ':v': 1 });
    expect(input.ExpressionAttributeValues?.[':entry']).toEqual([expect.objectContaining({ status: 'CANCELED', reason: 'by owner' })]);
    expect(input.UpdateExpression).toMatch(/version = version \+ :one/);
    expect(input.UpdateExpression).toMatch(/REMOVE placedStatus/);
    expect(input.UpdateExpression).toMatch(/#ttl = :ttl/);
  });

  it('refuses a transition outside the table without calling DynamoDB', async () => {
    await expect(repo.transition(key, 'PLACED', 'CONFIRMED')).rejects.toMatchObject({ status: 409, code: 'INVALID_TRANSITION' });
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  it('maps a failed condition to 409 with the current status, or 404 when absent', async () => {
    ddb.on(UpdateCommand).rejects(ccf({ ...order, status: 'VALIDATED', version: 2 }));
    await expect(repo.transition(key, 'PLACED', 'CANCELED')).rejects.toMatchObject({
      status: 409,
      details: { currentStatus: 'VALIDATED', currentVersion: 2 },
    });
    ddb.on(UpdateCommand).rejects(ccf());
    await expect(repo.transition(key, 'PLACED', 'CANCELED')).rejects.toMatchObject({ status: 404 });
  });

  it('updates items only while PLACED at the expected version', async () => {
    ddb.on(UpdateCommand).rejects(ccf({ ...order, version: 3 }));
    await expect(repo.updateItems(key, { items: order.items, total: 100, currency: 'USD', expectedVersion: 2 })).rejects.toMatchObject({
      status: 409,
      code: 'VERSION_CONFLICT',
    });
    const input = ddb.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(input.ConditionExpression).toBe('attribute_exists(orderId) AND #status = :editable AND version = :v');
    expect(input.ExpressionAttributeValues).toMatchObject({ ':editable': 'PLACED', ':v': 2 });
  });

  it('lists newest first on the ByCreatedAt LSI and round-trips the cursor', async () => {
    const last = { userId: 'u1', orderId: 'o9', createdAt: '2026-01-01T00:00:00.000Z' };
    ddb.on(QueryCommand).resolves({ Items: [order], LastEvaluatedKey: last });
    const page = await repo.listByUser('u1', { limit: 5 });
    expect(page.nextToken).toBe(encodeCursor(last));
    await repo.listByUser('u1', { limit: 5, nextToken: page.nextToken! });
    const second = ddb.commandCalls(QueryCommand)[1]!.args[0].input;
    expect(second).toMatchObject({ IndexName: 'ByCreatedAt', ScanIndexForward: false, Limit: 5, ExclusiveStartKey: last });
  });

  it('rejects malformed and foreign cursors with 400', async () => {
    await expect(repo.listByUser('u1', { limit: 5, nextToken: 'not-json' })).rejects.toMatchObject({ status: 400 });
    const foreign = encodeCursor({ userId: 'u2', orderId: 'o', createdAt: 'x' })!;
    await expect(repo.listByUser('u1', { limit: 5, nextToken: foreign })).rejects.toMatchObject({ status: 400 });
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(0);
  });

  it('queries stale orders on the sparse PlacedByExpiry index', async () => {
    ddb.on(QueryCommand).resolves({ Items: [{ ...key, placedStatus: 'PLACED', expiresAt: 5 }] });
    const page = await repo.queryStale(1000);
    expect(page).toEqual({ items: [key] });
    expect(ddb.commandCalls(QueryCommand)[0]!.args[0].input).toMatchObject({
      IndexName: 'PlacedByExpiry',
      KeyConditionExpression: 'placedStatus = :placed AND expiresAt <= :now',
      ExpressionAttributeValues: { ':placed': 'PLACED', ':now': 1000 },
    });
  });
});

describe('DynamoProductsRepository.reserve', () => {
  const products = new DynamoProductsRepository(doc, 'Products');
  const lines = [
    { sku: 'SKU-0001', qty: 2 },
    { sku: 'SKU-0002', qty: 1 },
  ];

  it('decrements every line in one transaction conditioned on stock', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    await products.reserve(lines);
    const items = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    expect(items).toHaveLength(2);
    expect(items[0]!.Update).toMatchObject({
      Key: { sku: 'SKU-0001' },
      ConditionExpression: 'attribute_exists(sku) AND stock >= :q',
      ExpressionAttributeValues: { ':q': 2 },
    });
  });

  it('names the short skus in a 409 OUT_OF_STOCK', async () => {
    ddb.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({
        message: 'canceled',
        $metadata: {},
        CancellationReasons: [{ Code: 'None' }, { Code: 'ConditionalCheckFailed' }],
      }),
    );
    const err = await products.reserve(lines).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ status: 409, code: 'OUT_OF_STOCK', details: { skus: ['SKU-0002'] } });
  });
});

describe('DynamoProductsRepository reads', () => {
  const products = new DynamoProductsRepository(doc, 'Products');
  const p = (sku: string) => ({ sku, name: sku, price: 1, currency: 'USD', stock: 1 });

  it('retries unprocessed keys of a BatchGet', async () => {
    ddb
      .on(BatchGetCommand)
      .resolvesOnce({ Responses: { Products: [p('SKU-0001')] }, UnprocessedKeys: { Products: { Keys: [{ sku: 'SKU-0002' }] } } })
      .resolves({ Responses: { Products: [p('SKU-0002')] } });
    const found = await products.getMany(['SKU-0001', 'SKU-0002', 'SKU-0001']);
    expect([...found.keys()].sort()).toEqual(['SKU-0001', 'SKU-0002']);
    const calls = ddb.commandCalls(BatchGetCommand);
    expect(calls[0]!.args[0].input.RequestItems?.Products?.Keys).toEqual([{ sku: 'SKU-0001' }, { sku: 'SKU-0002' }]);
    expect(calls[1]!.args[0].input.RequestItems?.Products?.Keys).toEqual([{ sku: 'SKU-0002' }]);
  });

  it('follows every Scan page and sorts by sku', async () => {
    ddb
      .on(ScanCommand)
      .resolvesOnce({ Items: [p('SKU-0003')], LastEvaluatedKey: { sku: 'SKU-0003' } })
      .resolves({ Items: [p('SKU-0001')] });
    expect((await products.list()).map((x) => x.sku)).toEqual(['SKU-0001', 'SKU-0003']);
    expect(ddb.commandCalls(ScanCommand)[1]!.args[0].input.ExclusiveStartKey).toEqual({ sku: 'SKU-0003' });
  });
});
