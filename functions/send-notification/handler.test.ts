import {
  fakeOrdersTable as table,
  orderItem as order,
  ordersDoc as doc,
  taskContext as context,
  taskInput as input,
} from '../../tests/support/workflow-task';
import { handler } from './handler';

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
