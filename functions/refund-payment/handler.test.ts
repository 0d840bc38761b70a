import {
  fakeOrdersTable as table,
  orderItem as order,
  orderUpdates as updates,
  ordersDoc as doc,
  taskContext as context,
  taskInput as input,
} from '../../tests/support/workflow-task';
import { handler } from './handler';

beforeEach(() => doc.reset());

describe('refund-payment', () => {
  it('refunds a charge in place, conditionally', async () => {
    table(order({ status: 'CHARGED', payment: { chargeId: 'ch_1', status: 'CHARGED' } }));
    await expect(handler(input, context)).resolves.toEqual({ refunded: true, chargeId: 'ch_1' });
    expect(updates()[0]).toMatchObject({ ConditionExpression: 'payment.#st = :charged', ExpressionAttributeValues: expect.objectContaining({ ':refunded': 'REFUNDED' }) });
  });
  it('is idempotent: nothing to refund twice or without a charge', async () => {
    table(order({ status: 'CHARGED', payment: { chargeId: 'ch_1', status: 'REFUNDED' } }));
    await expect(handler(input, context)).resolves.toEqual({ refunded: false });
    table(order({ status: 'RESERVED' }));
    await expect(handler(input, context)).resolves.toEqual({ refunded: false });
    expect(updates()).toHaveLength(0);
  });
});
