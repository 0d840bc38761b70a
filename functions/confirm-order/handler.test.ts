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

describe('confirm-order', () => {
  it('moves CHARGED to CONFIRMED', async () => {
    table(order({ status: 'CHARGED' }));
    await expect(handler(input, context)).resolves.toMatchObject({ active: true, changed: true, status: 'CONFIRMED' });
    expect(updates()[0]?.ExpressionAttributeValues).toMatchObject({ ':from': 'CHARGED', ':to': 'CONFIRMED' });
  });
  it('is a no-op on an already confirmed order', async () => {
    table(order({ status: 'CONFIRMED' }));
    await expect(handler(input, context)).resolves.toMatchObject({ active: true, changed: false });
    expect(updates()).toHaveLength(0);
  });
});
