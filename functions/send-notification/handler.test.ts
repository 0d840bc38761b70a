import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand, UpdateCommand, BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from './handler';

process.env.ORDERS_TABLE = 'Orders';
process.env.PRODUCTS_TABLE = 'Products';
const doc = mockClient(DynamoDBDocumentClient);
const context = { awsRequestId: 'req-1', functionName: 'fn' } as Context;
const order = (over: Record<string, unknown> = {}) => ({
  userId: 'u-1',
  orderId: 'o-1',
  status: 'PLACED',
  items: [{ sku: 'SKU-1', qty: 2, price: 500 }, { sku: 'SKU-2', qty: 1, price: 250 }],
  total: 1250,
  currency: 'USD',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  expiresAt: 2_000_000_000,
  version: 1,
  history: [],
  ...over,
});
/** GetItem answers with `current`; an UpdateItem that moves the status answers with the new item. */
function table(current: Record<string, unknown>) {
  doc.on(GetCommand).resolves({ Item: current });
  doc.on(UpdateCommand).callsFake((input: { ExpressionAttributeValues?: Record<string, unknown> }) => {
    const to = input.ExpressionAttributeValues?.[':to'];
    return { Attributes: { ...current, ...(to ? { status: to } : {}), version: Number(current.version) + 1 } };
  });
}
const updates = () => doc.commandCalls(UpdateCommand).map((c) => c.args[0].input);
const input = { orderId: 'o-1', userId: 'u-1' };
const ccf = (item: Record<string, unknown>) =>
  new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {}, Item: marshall(item, { removeUndefinedValues: true }) });

beforeEach(() => doc.reset());

describe('send-notification', () => {
  it('notifies for a confirmed order', async () => {
    table(order({ status: 'CONFIRMED' }));
    await expect(handler(input, context)).resolves.toEqual({ orderId: 'o-1', userId: 'u-1', notified: true });
  });
  it('does not notify an order that is not confirmed', async () => {
    table(order({ status: 'FAILED' }));
    await expect(handler(input, context)).resolves.toMatchObject({ notified: false });
  });
});
