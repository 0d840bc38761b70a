import { givenOrder, taskContext as context, taskInput as input } from '../../tests/support/workflow-task';
import { handler } from './handler';

describe('validate-order', () => {
  it('moves a sound PLACED order to VALIDATED', async () => {
    const { order } = await givenOrder();
    await expect(handler(input, context)).resolves.toMatchObject({ active: true, changed: true, status: 'VALIDATED' });
    expect(await order()).toMatchObject({ status: 'VALIDATED', version: 2 });
  });
  it('fails with OrderInvalid when the total does not match the lines, leaving the order PLACED', async () => {
    const { order } = await givenOrder({ total: 999 });
    await expect(handler(input, context)).rejects.toMatchObject({ name: 'OrderInvalid' });
    expect((await order()).status).toBe('PLACED');
  });
  it('fails with OrderInvalid for an unknown product', async () => {
    await givenOrder({ items: [{ sku: 'SKU-9', qty: 1, price: 1250 }] });
    await expect(handler(input, context)).rejects.toMatchObject({ name: 'OrderInvalid', message: expect.stringContaining('SKU-9') });
  });
  it('ends cleanly for a canceled order, and lets a resumed run move on past a later status', async () => {
    await givenOrder({ status: 'CANCELED' });
    await expect(handler(input, context)).resolves.toMatchObject({ active: false, changed: false, status: 'CANCELED' });
    await givenOrder({ status: 'RESERVED' });
    await expect(handler(input, context)).resolves.toMatchObject({ active: true, changed: false, status: 'RESERVED' });
  });
  it('rejects a malformed input', async () => {
    await expect(handler({ orderId: 'o-1' }, context)).rejects.toMatchObject({ name: 'TaskInputError' });
  });
});
