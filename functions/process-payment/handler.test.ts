import {
  fakeOrdersTable as table,
  orderItem as order,
  orderUpdates as updates,
  ordersDoc as doc,
  taskContext as context,
  taskInput as input,
} from '../../tests/support/workflow-task';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { handler } from './handler';

beforeEach(() => doc.reset());

const payment = () => updates().find((u) => u.ExpressionAttributeValues?.[':to'] === 'CHARGED');
describe('process-payment', () => {
  it('charges and records the payment on the order', async () => {
    table(order({ status: 'RESERVED', paymentToken: 'tok_visa' }));
    doc.on(UpdateCommand, { ConditionExpression: 'attribute_exists(orderId) AND #status = :reserved' }).resolves({ Attributes: { paymentAttempts: 1 } });
    await expect(handler(input, context)).resolves.toMatchObject({ active: true, status: 'CHARGED' });
    const values = Object.values(payment()?.ExpressionAttributeValues ?? {});
    expect(values).toContainEqual({ chargeId: expect.stringMatching(/^ch_/), status: 'CHARGED' });
  });
  it('declines tok_decline with a non-retryable PaymentDeclined', async () => {
    table(order({ status: 'RESERVED', paymentToken: 'tok_decline' }));
    doc.on(UpdateCommand, { ConditionExpression: 'attribute_exists(orderId) AND #status = :reserved' }).resolves({ Attributes: { paymentAttempts: 1 } });
    await expect(handler(input, context)).rejects.toMatchObject({ name: 'PaymentDeclined' });
    expect(payment()).toBeUndefined();
  });
  it('fails tok_flaky once per order, then succeeds on the next attempt', async () => {
    table(order({ status: 'RESERVED', paymentToken: 'tok_flaky' }));
    doc.on(UpdateCommand, { ConditionExpression: 'attribute_exists(orderId) AND #status = :reserved' }).resolvesOnce({ Attributes: { paymentAttempts: 1 } }).resolves({ Attributes: { paymentAttempts: 2 } });
    await expect(handler(input, context)).rejects.toMatchObject({ name: 'PaymentProviderUnavailable' });
    await expect(handler(input, context)).resolves.toMatchObject({ status: 'CHARGED' });
    const attempts = updates().filter((u) => u.ConditionExpression === 'attribute_exists(orderId) AND #status = :reserved');
    expect(attempts).toHaveLength(2);
    expect(attempts[0]?.UpdateExpression).toContain('paymentAttempts = if_not_exists(paymentAttempts, :zero) + :one');
  });
  it('does not charge an order that is already charged', async () => {
    table(order({ status: 'CHARGED', payment: { chargeId: 'ch_x', status: 'CHARGED' } }));
    await expect(handler(input, context)).resolves.toMatchObject({ active: true, changed: false });
    expect(updates()).toHaveLength(0);
  });
});
