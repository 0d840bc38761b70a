import { givenOrder, taskContext as context, taskInput as input } from '../../tests/support/workflow-task';
import { handler } from './handler';

describe('release-inventory', () => {
  it('puts the reserved stock back and clears the flag, once', async () => {
    const { repos, order, stock } = await givenOrder({ status: 'RESERVED', reservation: { reserved: true } });
    await repos.products.reserve([
      { sku: 'SKU-1', qty: 2 },
      { sku: 'SKU-2', qty: 1 },
    ]);
    await expect(handler({ ...input, error: { Error: 'PaymentDeclined' } }, context)).resolves.toEqual({ released: true });
    await expect(handler(input, context)).resolves.toEqual({ released: false });
    expect(await stock()).toEqual([5, 1]);
    expect((await order()).reservation).toEqual({ reserved: false });
  });
  it('does nothing when nothing was reserved', async () => {
    const { stock } = await givenOrder({ status: 'VALIDATED' });
    await expect(handler(input, context)).resolves.toEqual({ released: false });
    expect(await stock()).toEqual([5, 1]);
  });
});
