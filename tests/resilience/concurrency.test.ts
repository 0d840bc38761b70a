/**
 * Concurrency: simultaneous creates with one orderId make exactly one order (checked over
 * the API and in DynamoDB through the ByOrderId index), and no request is a 5xx.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient, ListTablesCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { createTestUser, type TestUser } from '../support/runtime';
import { call, outputs } from './support';

let alice: TestUser;
let bob: TestUser;
let ddb: DynamoDBClient;
let ordersTable: string;

beforeAll(async () => {
  [alice, bob] = await Promise.all([createTestUser(outputs()), createTestUser(outputs())]);
  ddb = new DynamoDBClient({
    endpoint: outputs().DynamoDBEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const names = (await ddb.send(new ListTablesCommand({}))).TableNames ?? [];
  ordersTable = names.find((n) => n.endsWith('OrdersTable'))!;
  expect(ordersTable).toBeDefined();
});
afterAll(() => ddb?.destroy());

async function storedCount(orderId: string): Promise<number> {
  const r = await ddb.send(
    new QueryCommand({
      TableName: ordersTable,
      IndexName: 'ByOrderId',
      KeyConditionExpression: 'orderId = :o',
      ExpressionAttributeValues: { ':o': { S: orderId } },
    }),
  );
  return r.Count ?? 0;
}

const body = (orderId: string) => ({ orderId, items: [{ sku: 'SKU-0001', qty: 2 }] });

describe('concurrent creates', () => {
  it('20 simultaneous POST /orders by one user with one orderId → one order', async () => {
    const orderId = `race-${randomUUID()}`;
    const rs = await Promise.all(Array.from({ length: 20 }, () => call('POST', '/orders', { user: alice, body: body(orderId) })));
    const statuses = rs.map((r) => r.status);
    expect(rs.filter((r) => r.status >= 500).map((r) => `${r.status} ${r.text.slice(0, 200)}`)).toEqual([]);
    expect(statuses.every((s) => s === 202 || s === 409)).toBe(true);
    expect(statuses.filter((s) => s === 202).length).toBeGreaterThanOrEqual(1);
    const created = rs.filter((r) => r.status === 202).map((r) => r.body!);
    expect(new Set(created.map((b) => b.createdAt)).size).toBe(1);
    expect(created.every((b) => b.orderId === orderId && b.userId === alice.sub)).toBe(true);
    expect(await storedCount(orderId)).toBe(1);
    const list = await call('GET', '/orders?limit=100', { user: alice });
    expect((list.body!.items as { orderId: string }[]).filter((o) => o.orderId === orderId)).toHaveLength(1);
    // Settled: a retry now gets the same order.
    const again = await call('POST', '/orders', { user: alice, body: body(orderId) });
    expect(again.status).toBe(202);
    expect(again.body!.createdAt).toBe(created[0]!.createdAt);
  });

  it('20 simultaneous creates from two users with one orderId → one order, one owner', async () => {
    const orderId = `race2-${randomUUID()}`;
    const rs = await Promise.all(
      Array.from({ length: 20 }, (_, i) => call('POST', '/orders', { user: i % 2 ? bob : alice, body: body(orderId) })),
    );
    expect(rs.filter((r) => r.status >= 500).map((r) => `${r.status} ${r.text.slice(0, 200)}`)).toEqual([]);
    expect(await storedCount(orderId)).toBe(1);
    const owners = new Set(rs.filter((r) => r.status === 202).map((r) => r.body!.userId as string));
    expect(owners.size).toBe(1);
  });
});
