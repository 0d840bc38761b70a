import { givenOrder, taskContext as context, taskInput as input } from '../../tests/support/workflow-task';
import { handler } from './handler';

describe('send-notification', () => {
  it('notifies for a confirmed order', async () => {
    await givenOrder({ status: 'CONFIRMED' });
    await expect(handler(input, context)).resolves.toEqual({ orderId: 'o-1', userId: 'u-1', notified: true });
  });
  it('does not notify an order that is not confirmed', async () => {
    await givenOrder({ status: 'FAILED' });
    await expect(handler(input, context)).resolves.toMatchObject({ notified: false });
  });
});
