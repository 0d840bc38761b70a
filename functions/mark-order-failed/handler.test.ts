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

describe('mark-order-failed', () => {
  it('marks the order FAILED with the reason from the caught error', async () => {
    table(order({ status: 'RESERVED' }));
    const error = { Error: 'PaymentDeclined', Cause: JSON.stringify({ errorType: 'PaymentDeclined', errorMessage: 'Payment declined for order o-1' }) };
    await expect(handler({ ...input, error }, context)).resolves.toMatchObject({ status: 'FAILED', active: false, changed: true });
    const u = updates()[0]!;
    expect(u.ExpressionAttributeValues).toMatchObject({ ':from': 'RESERVED', ':to': 'FAILED' });
    expect(Object.values(u.ExpressionAttributeValues ?? {})).toContain('PaymentDeclined: Payment declined for order o-1');
  });
  it('leaves an order that already left the pipeline alone', async () => {
    table(order({ status: 'CANCELED' }));
    await expect(handler({ ...input, error: { Error: 'X' } }, context)).resolves.toMatchObject({ changed: false, status: 'CANCELED' });
    expect(updates()).toHaveLength(0);
  });
});
