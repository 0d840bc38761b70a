import { Metrics } from '@aws-lambda-powertools/metrics';
import { givenOrder, taskContext as context, taskInput as input } from '../../tests/support/workflow-task';
import { handler } from './handler';

const addDimension = jest.spyOn(Metrics.prototype, 'addDimension');

describe('mark-order-failed', () => {
  it('marks the order FAILED with the reason from the caught error, counted by cause', async () => {
    const { order } = await givenOrder({ status: 'RESERVED' });
    const error = {
      Error: 'PaymentDeclined',
      Cause: JSON.stringify({ errorType: 'PaymentDeclined', errorMessage: 'Payment declined for order o-1' }),
    };
    await expect(handler({ ...input, error }, context)).resolves.toMatchObject({ status: 'FAILED', active: false, changed: true });
    expect(await order()).toMatchObject({ status: 'FAILED', failureReason: 'PaymentDeclined: Payment declined for order o-1' });
    expect(addDimension).toHaveBeenCalledWith('error', 'PaymentDeclined');
  });
  it('leaves an order that already left the pipeline alone', async () => {
    const { order } = await givenOrder({ status: 'CANCELED' });
    await expect(handler({ ...input, error: { Error: 'X' } }, context)).resolves.toMatchObject({ changed: false, status: 'CANCELED' });
    expect((await order()).version).toBe(1);
  });
});
