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

describe('validate-order', () => {
  it('moves PLACED to VALIDATED with a conditional write', async () => {
    table(order());
    doc.on(BatchGetCommand).resolves({ Responses: { Products: [{ sku: 'SKU-1' }, { sku: 'SKU-2' }] } });
    await expect(handler(input, context)).resolves.toMatchObject({ active: true, changed: true, status: 'VALIDATED' });
    const [u] = updates();
    expect(u?.ConditionExpression).toContain('#status = :from');
    expect(u?.ExpressionAttributeValues).toMatchObject({ ':from': 'PLACED', ':to': 'VALIDATED', ':v': 1 });
  });
  it('fails with OrderInvalid when the total does not match the lines', async () => {
    table(order({ total: 999 }));
    await expect(handler(input, context)).rejects.toMatchObject({ name: 'OrderInvalid' });
    expect(updates()).toHaveLength(0);
  });
  it('fails with OrderInvalid for an unknown product', async () => {
    table(order());
    doc.on(BatchGetCommand).resolves({ Responses: { Products: [{ sku: 'SKU-1' }] } });
    await expect(handler(input, context)).rejects.toMatchObject({ name: 'OrderInvalid', message: expect.stringContaining('SKU-2') });
  });
  it('ends cleanly for a canceled order, without writing', async () => {
    table(order({ status: 'CANCELED' }));
    await expect(handler(input, context)).resolves.toMatchObject({ active: false, changed: false, status: 'CANCELED' });
    expect(updates()).toHaveLength(0);
  });
  it('lets a resumed run move on when the order is already further along', async () => {
    table(order({ status: 'RESERVED' }));
    await expect(handler(input, context)).resolves.toMatchObject({ active: true, changed: false });
  });
  it('re-reads after losing a race with the owner cancelling', async () => {
    doc.on(GetCommand).resolvesOnce({ Item: order() }).resolves({ Item: order({ status: 'CANCELED', version: 2 }) });
    doc.on(BatchGetCommand).resolves({ Responses: { Products: [{ sku: 'SKU-1' }, { sku: 'SKU-2' }] } });
    doc.on(UpdateCommand).rejects(ccf(order({ status: 'CANCELED', version: 2 })));
    await expect(handler(input, context)).resolves.toMatchObject({ active: false, status: 'CANCELED' });
  });
  it('rejects a malformed input', async () => {
    await expect(handler({ orderId: 'o-1' }, context)).rejects.toThrow();
  });
});
