import { givenOrder, taskContext as context, taskInput as input } from '../../tests/support/workflow-task';
import { handler } from './handler';

describe('refund-payment', () => {
  it('refunds a charge in place, once', async () => {
    const { order } = await givenOrder({ status: 'CHARGED', payment: { chargeId: 'ch_1', status: 'CHARGED' } });
    await expect(handler(input, context)).resolves.toEqual({ refunded: true, chargeId: 'ch_1' });
    await expect(handler(input, context)).resolves.toEqual({ refunded: false });
    expect((await order()).payment).toEqual({ chargeId: 'ch_1', status: 'REFUNDED' });
  });
  it('has nothing to refund without a charge', async () => {
    const { order } = await givenOrder({ status: 'RESERVED' });
    await expect(handler(input, context)).resolves.toEqual({ refunded: false });
    expect((await order()).version).toBe(1);
  });
});
