import { givenOrder, taskContext as context, taskInput as input } from '../../tests/support/workflow-task';
import { handler } from './handler';

describe('process-payment', () => {
  it('charges and records the payment on the order', async () => {
    const { order } = await givenOrder({ status: 'RESERVED', paymentToken: 'tok_visa' });
    await expect(handler(input, context)).resolves.toMatchObject({ active: true, status: 'CHARGED' });
    expect(await order()).toMatchObject({ payment: { chargeId: expect.stringMatching(/^ch_/), status: 'CHARGED' }, paymentAttempts: 1 });
  });
  it('declines tok_decline with a non-retryable PaymentDeclined', async () => {
    const { order } = await givenOrder({ status: 'RESERVED', paymentToken: 'tok_decline' });
    await expect(handler(input, context)).rejects.toMatchObject({ name: 'PaymentDeclined' });
    expect((await order()).payment).toBeUndefined();
  });
  it('fails tok_flaky once per order, then succeeds on the next attempt', async () => {
    const { order } = await givenOrder({ status: 'RESERVED', paymentToken: 'tok_flaky' });
    await expect(handler(input, context)).rejects.toMatchObject({ name: 'PaymentProviderUnavailable' });
    await expect(handler(input, context)).resolves.toMatchObject({ status: 'CHARGED' });
    expect((await order()).paymentAttempts).toBe(2);
  });
  it('does not charge an order that is already charged', async () => {
    const { order } = await givenOrder({ status: 'CHARGED', payment: { chargeId: 'ch_x', status: 'CHARGED' } });
    await expect(handler(input, context)).resolves.toMatchObject({ active: true, changed: false });
    expect(await order()).toMatchObject({ payment: { chargeId: 'ch_x' }, version: 1 });
  });
});
