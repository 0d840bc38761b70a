import { givenOrder, taskContext as context, taskInput as input } from '../../tests/support/workflow-task';
import { handler } from './handler';

describe('reserve-inventory', () => {
  it('takes the stock of every line and marks the order RESERVED', async () => {
    const { order, stock } = await givenOrder({ status: 'VALIDATED' });
    await expect(handler(input, context)).resolves.toMatchObject({ active: true, status: 'RESERVED' });
    expect(await stock()).toEqual([3, 0]);
    expect((await order()).reservation).toEqual({ reserved: true });
  });
  it('fails with OutOfStock naming the short lines, taking nothing', async () => {
    const { order, stock } = await givenOrder({
      status: 'VALIDATED',
      items: [
        { sku: 'SKU-1', qty: 1, price: 500 },
        { sku: 'SKU-2', qty: 3, price: 250 },
      ],
      total: 1250,
    });
    await expect(handler(input, context)).rejects.toMatchObject({ name: 'OutOfStock', message: expect.stringContaining('SKU-2') });
    expect(await stock()).toEqual([5, 1]);
    expect((await order()).status).toBe('VALIDATED');
  });
  it('gives the stock back if the order cannot record the reservation', async () => {
    const { repos, stock } = await givenOrder({ status: 'VALIDATED' });
    repos.orders.transition = () => Promise.reject(new Error('throttled'));
    await expect(handler(input, context)).rejects.toThrow('throttled');
    expect(await stock()).toEqual([5, 1]);
  });
});
