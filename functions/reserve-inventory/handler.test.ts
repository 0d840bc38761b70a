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

describe('reserve-inventory', () => {
  it('reserves every line in one transaction, then marks the order RESERVED', async () => {
    table(order({ status: 'VALIDATED' }));
    doc.on(TransactWriteCommand).resolves({});
    await expect(handler(input, context)).resolves.toMatchObject({ active: true, status: 'RESERVED' });
    const tx = doc.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    expect(tx.map((t) => [t.Update?.Key?.sku, t.Update?.ExpressionAttributeValues?.[':q']])).toEqual([['SKU-1', 2], ['SKU-2', 1]]);
    expect(updates()[0]?.ExpressionAttributeValues).toMatchObject({ ':from': 'VALIDATED', ':to': 'RESERVED' });
    expect(Object.values(updates()[0]?.ExpressionAttributeValues ?? {})).toContainEqual({ reserved: true });
  });
  it('fails with OutOfStock naming the short lines, without touching the order', async () => {
    table(order({ status: 'VALIDATED' }));
    doc.on(TransactWriteCommand).rejects(new TransactionCanceledException({ message: 'cancelled', $metadata: {}, CancellationReasons: [{ Code: 'None' }, { Code: 'ConditionalCheckFailed' }] }));
    await expect(handler(input, context)).rejects.toMatchObject({ name: 'OutOfStock', message: expect.stringContaining('SKU-2') });
    expect(updates()).toHaveLength(0);
  });
  it('gives the stock back if the order cannot record the reservation', async () => {
    table(order({ status: 'VALIDATED' }));
    doc.on(TransactWriteCommand).resolves({});
    doc.on(UpdateCommand).rejects(new Error('throttled'));
    await expect(handler(input, context)).rejects.toThrow('throttled');
    const txs = doc.commandCalls(TransactWriteCommand).map((c) => c.args[0].input.TransactItems![0]!.Update?.UpdateExpression);
    expect(txs).toEqual(['SET stock = stock - :q', 'SET stock = stock + :q']);
  });
});
