import { Metrics } from '@aws-lambda-powertools/metrics';
import { givenOrder, taskContext as context, taskInput as input } from '../../tests/support/workflow-task';
import { handler } from './handler';

const addMetric = jest.spyOn(Metrics.prototype, 'addMetric');
beforeEach(() => addMetric.mockClear());

describe('confirm-order', () => {
  it('moves CHARGED to CONFIRMED and counts the confirmed order once', async () => {
    const { order } = await givenOrder({ status: 'CHARGED' });
    await expect(handler(input, context)).resolves.toMatchObject({ active: true, changed: true, status: 'CONFIRMED' });
    expect((await order()).status).toBe('CONFIRMED');
    expect(addMetric.mock.calls).toEqual([
      ['OrderConfirmed', 'Count', 1],
      ['ConfirmedOrderTotal', 'None', 1250],
    ]);
  });
  it('is a no-op on an already confirmed order, and counts nothing', async () => {
    const { order } = await givenOrder({ status: 'CONFIRMED' });
    await expect(handler(input, context)).resolves.toMatchObject({ active: true, changed: false });
    expect((await order()).version).toBe(1);
    expect(addMetric).not.toHaveBeenCalled();
  });
});
