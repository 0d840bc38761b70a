import { ConditionalCheckFailedException, DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { conflict } from './errors';
import { idempotentPlaceOrder } from './idempotency';
import type { OrderRecord, OrdersRepository } from './repositories/orders';
import type { ProductsRepository } from './repositories/products';

const raw = mockClient(DynamoDBClient);
const created: OrderRecord[] = [];
const orders = { create: async (o: OrderRecord) => (created.push(o), o) } as unknown as OrdersRepository;
const products = {
  getMany: async () => new Map([['SKU-0001', { sku: 'SKU-0001', name: 'A', price: 100, currency: 'USD', stock: 5 }]]),
} as unknown as ProductsRepository;
const input = { userId: 'u1', orderId: 'k-1', items: [{ sku: 'SKU-0001', qty: 1 }] };

beforeEach(() => {
  raw.reset();
  created.length = 0;
  raw.on(PutItemCommand).resolves({});
  raw.on(UpdateItemCommand).resolves({});
});

describe('idempotentPlaceOrder', () => {
  const make = (waitMs: number) =>
    idempotentPlaceOrder(
      { orders, products, staleOrderSeconds: 60 },
      { tableName: 'Idem', client: new DynamoDBClient({}), inProgressWaitMs: waitMs },
    );

  it('writes no idempotency record without an orderId', async () => {
    const { order, replayed } = await make(100)({ userId: 'u1', items: input.items });
    expect(order.orderId).toMatch(/^[0-9a-f-]{36}$/);
    expect(replayed).toBe(false);
    expect(raw.commandCalls(PutItemCommand)).toHaveLength(0);
  });

  it('waits a bounded time for an in-progress duplicate, then answers 409', async () => {
    const fn = make(300);
    await fn(input);
    const record = raw.commandCalls(PutItemCommand)[0]!.args[0].input.Item!;
    // The first request is still running (no in-progress expiry, so it does not lapse).
    raw
      .on(PutItemCommand)
      .rejects(new ConditionalCheckFailedException({ message: 'exists', $metadata: {}, Item: { ...record, status: { S: 'INPROGRESS' } } }));
    const started = Date.now();
    await expect(fn(input)).rejects.toMatchObject({ status: 409, code: 'IDEMPOTENCY_IN_PROGRESS' });
    const waited = Date.now() - started;
    expect(waited).toBeGreaterThanOrEqual(250);
    expect(waited).toBeLessThan(3000);
    expect(raw.commandCalls(PutItemCommand).length).toBeGreaterThan(2);
    expect(created).toHaveLength(1);
  });

  it('maps a payload mismatch to 409 IDEMPOTENCY_CONFLICT', async () => {
    const fn = make(100);
    await fn(input);
    const record = raw.commandCalls(PutItemCommand)[0]!.args[0].input.Item!;
    raw
      .on(PutItemCommand)
      .rejects(new ConditionalCheckFailedException({ message: 'exists', $metadata: {}, Item: { ...record, status: { S: 'INPROGRESS' } } }));
    await expect(fn({ ...input, paymentToken: 'tok_other' })).rejects.toMatchObject({ status: 409, code: 'IDEMPOTENCY_CONFLICT' });
    expect(created).toHaveLength(1);
  });

  it('gives back the order an earlier failed call wrote (same request), instead of ORDER_EXISTS', async () => {
    // The first call wrote the order, then lost DynamoDB before completing its record.
    const existing = {
      ...input,
      status: 'CONFIRMED',
      items: [{ sku: 'SKU-0001', qty: 1, price: 100 }],
      total: 100,
      currency: 'USD',
      version: 3,
    } as unknown as OrderRecord;
    const taken = {
      create: async () => {
        throw conflict('Order k-1 already exists', 'ORDER_EXISTS');
      },
      get: async () => existing,
    } as unknown as OrdersRepository;
    const fn = idempotentPlaceOrder(
      { orders: taken, products, staleOrderSeconds: 60 },
      { tableName: 'Idem', client: new DynamoDBClient({}), inProgressWaitMs: 100 },
    );
    await expect(fn(input)).resolves.toEqual({ order: existing, replayed: false });
    // Another body under that key is still refused.
    await expect(fn({ ...input, orderId: 'k-2', items: [{ sku: 'SKU-0001', qty: 2 }] })).rejects.toMatchObject({
      status: 409,
      code: 'ORDER_EXISTS',
    });
  });
});
