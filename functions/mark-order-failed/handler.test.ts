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
