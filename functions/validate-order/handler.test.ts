import {
  conditionalCheckFailed as ccf,
  fakeOrdersTable as table,
  orderItem as order,
  orderUpdates as updates,
  ordersDoc as doc,
  taskContext as context,
  taskInput as input,
} from '../../tests/support/workflow-task';
import { GetCommand, UpdateCommand, BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { handler } from './handler';

beforeEach(() => doc.reset());

describe('validate-order', () => {
  it('moves PLACED to VALIDATED with a conditional write', async () => {
    table(order());
    doc.on(BatchGetCommand).resolves({ Responses: { Products: [{ sku: 'SKU-1' }, { sku: 'SKU-2' }] } });
    await expect(handler(input, context)).resolves.toMatchObject({ active: true, changed: true, status: 'VALIDATED' });
    const [u] = updates();
    expect(u?.ConditionExpression).toContain('#status = :from');
    expect(u?.ExpressionAttributeValues).toMatchObject({ ':from': 'PLACED', ':to': 'VALIDATED', ':v': 1 });
  });
  it('fails with OrderInvalid when the total does not match the lines', async () => {
    table(order({ total: 999 }));
    await expect(handler(input, context)).rejects.toMatchObject({ name: 'OrderInvalid' });
    expect(updates()).toHaveLength(0);
  });
  it('fails with OrderInvalid for an unknown product', async () => {
    table(order());
    doc.on(BatchGetCommand).resolves({ Responses: { Products: [{ sku: 'SKU-1' }] } });
    await expect(handler(input, context)).rejects.toMatchObject({ name: 'OrderInvalid', message: expect.stringContaining('SKU-2') });
  });
  it('ends cleanly for a canceled order, without writing', async () => {
    table(order({ status: 'CANCELED' }));
    await expect(handler(input, context)).resolves.toMatchObject({ active: false, changed: false, status: 'CANCELED' });
    expect(updates()).toHaveLength(0);
  });
  it('lets a resumed run move on when the order is already further along', async () => {
    table(order({ status: 'RESERVED' }));
    await expect(handler(input, context)).resolves.toMatchObject({ active: true, changed: false });
  });
  it('re-reads after losing a race with the owner cancelling', async () => {
    doc.on(GetCommand).resolvesOnce({ Item: order() }).resolves({ Item: order({ status: 'CANCELED', version: 2 }) });
    doc.on(BatchGetCommand).resolves({ Responses: { Products: [{ sku: 'SKU-1' }, { sku: 'SKU-2' }] } });
    doc.on(UpdateCommand).rejects(ccf(order({ status: 'CANCELED', version: 2 })));
    await expect(handler(input, context)).resolves.toMatchObject({ active: false, status: 'CANCELED' });
  });
  it('rejects a malformed input', async () => {
    await expect(handler({ orderId: 'o-1' }, context)).rejects.toThrow();
  });
});
