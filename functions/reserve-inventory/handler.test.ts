import {
  fakeOrdersTable as table,
  orderItem as order,
  orderUpdates as updates,
  ordersDoc as doc,
  taskContext as context,
  taskInput as input,
} from '../../tests/support/workflow-task';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { handler } from './handler';

beforeEach(() => doc.reset());

describe('reserve-inventory', () => {
  it('reserves every line in one transaction, then marks the order RESERVED', async () => {
    table(order({ status: 'VALIDATED' }));
    doc.on(TransactWriteCommand).resolves({});
    await expect(handler(input, context)).resolves.toMatchObject({ active: true, status: 'RESERVED' });
    const tx = doc.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    expect(tx.map((t) => [t.Update?.Key?.sku, t.Update?.ExpressionAttributeValues?.[':q']])).toEqual([['SKU-1', 2], ['SKU-2', 1]]);
    expect(updates()[0]?.ExpressionAttributeValues).toMatchObject({ ':from': 'VALIDATED', ':to': 'RESERVED' });
    expect(Object.values(updates()[0]?.ExpressionAttributeValues ?? {})).toContainEqual({ reserved: true });
  });
  it('fails with OutOfStock naming the short lines, without touching the order', async () => {
    table(order({ status: 'VALIDATED' }));
    doc.on(TransactWriteCommand).rejects(new TransactionCanceledException({ message: 'cancelled', $metadata: {}, CancellationReasons: [{ Code: 'None' }, { Code: 'ConditionalCheckFailed' }] }));
    await expect(handler(input, context)).rejects.toMatchObject({ name: 'OutOfStock', message: expect.stringContaining('SKU-2') });
    expect(updates()).toHaveLength(0);
  });
  it('gives the stock back if the order cannot record the reservation', async () => {
    table(order({ status: 'VALIDATED' }));
    doc.on(TransactWriteCommand).resolves({});
    doc.on(UpdateCommand).rejects(new Error('throttled'));
    await expect(handler(input, context)).rejects.toThrow('throttled');
    const txs = doc.commandCalls(TransactWriteCommand).map((c) => c.args[0].input.TransactItems![0]!.Update?.UpdateExpression);
    expect(txs).toEqual(['SET stock = stock - :q', 'SET stock = stock + :q']);
  });
});
