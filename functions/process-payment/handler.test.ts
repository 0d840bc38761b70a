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

const payment = () => updates().find((u) => u.ExpressionAttributeValues?.[':to'] === 'CHARGED');
describe('process-payment', () => {
  it('charges and records the payment on the order', async () => {
    table(order({ status: 'RESERVED', paymentToken: 'tok_visa' }));
    doc.on(UpdateCommand, { ConditionExpression: '#status = :reserved' }).resolves({ Attributes: { paymentAttempts: 1 } });
    await expect(handler(input, context)).resolves.toMatchObject({ active: true, status: 'CHARGED' });
    const values = Object.values(payment()?.ExpressionAttributeValues ?? {});
    expect(values).toContainEqual({ chargeId: expect.stringMatching(/^ch_/), status: 'CHARGED' });
  });
  it('declines tok_decline with a non-retryable PaymentDeclined', async () => {
    table(order({ status: 'RESERVED', paymentToken: 'tok_decline' }));
    doc.on(UpdateCommand, { ConditionExpression: '#status = :reserved' }).resolves({ Attributes: { paymentAttempts: 1 } });
    await expect(handler(input, context)).rejects.toMatchObject({ name: 'PaymentDeclined' });
    expect(payment()).toBeUndefined();
  });
  it('fails tok_flaky once per order, then succeeds on the next attempt', async () => {
    table(order({ status: 'RESERVED', paymentToken: 'tok_flaky' }));
    doc.on(UpdateCommand, { ConditionExpression: '#status = :reserved' }).resolvesOnce({ Attributes: { paymentAttempts: 1 } }).resolves({ Attributes: { paymentAttempts: 2 } });
    await expect(handler(input, context)).rejects.toMatchObject({ name: 'PaymentProviderUnavailable' });
    await expect(handler(input, context)).resolves.toMatchObject({ status: 'CHARGED' });
    const attempts = updates().filter((u) => u.ConditionExpression === '#status = :reserved');
    expect(attempts).toHaveLength(2);
    expect(attempts[0]?.UpdateExpression).toContain('paymentAttempts = if_not_exists(paymentAttempts, :zero) + :one');
  });
  it('does not charge an order that is already charged', async () => {
    table(order({ status: 'CHARGED', payment: { chargeId: 'ch_x', status: 'CHARGED' } }));
    await expect(handler(input, context)).resolves.toMatchObject({ active: true, changed: false });
    expect(updates()).toHaveLength(0);
  });
});
