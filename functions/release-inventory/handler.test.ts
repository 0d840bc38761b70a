import {
  fakeOrdersTable as table,
  orderItem as order,
  ordersDoc as doc,
  taskContext as context,
  taskInput as input,
} from '../../tests/support/workflow-task';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { handler } from './handler';

beforeEach(() => doc.reset());

describe('release-inventory', () => {
  it('releases stock and clears the flag in one transaction', async () => {
    table(order({ status: 'RESERVED', reservation: { reserved: true } }));
    doc.on(TransactWriteCommand).resolves({});
    await expect(handler({ ...input, error: { Error: 'PaymentDeclined' } }, context)).resolves.toEqual({ released: true });
    const tx = doc.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    expect(tx[0]?.Update?.ConditionExpression).toBe('reservation.reserved = :true');
    expect(tx.slice(1).map((t) => [t.Update?.Key?.sku, t.Update?.ExpressionAttributeValues?.[':q']])).toEqual([['SKU-1', 2], ['SKU-2', 1]]);
  });
  it('does nothing when nothing was reserved', async () => {
    table(order({ status: 'VALIDATED' }));
    await expect(handler(input, context)).resolves.toEqual({ released: false });
    expect(doc.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });
  it('does not release twice when a concurrent run already did', async () => {
    table(order({ status: 'RESERVED', reservation: { reserved: true } }));
    doc.on(TransactWriteCommand).rejects(new TransactionCanceledException({ message: 'cancelled', $metadata: {}, CancellationReasons: [{ Code: 'ConditionalCheckFailed' }] }));
    await expect(handler(input, context)).resolves.toEqual({ released: false });
  });
});
