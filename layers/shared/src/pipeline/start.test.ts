import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { stepFunctions } from '../clients';
import { InMemoryOrdersRepository } from '../testing/in-memory-repositories';
import { stepsOf } from './executions';
import { retryOrder } from './start';

const sfn = mockClient(SFNClient);
const ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:OrderWorkflow';
const now = new Date('2026-03-01T10:00:00.000Z');

async function failedOrder() {
  const orders = new InMemoryOrdersRepository();
  const order = await orders.create({
    userId: 'u-1',
    orderId: 'o-1',
    status: 'FAILED',
    items: [],
    total: 0,
    currency: 'USD',
    createdAt: '2026-03-01T09:00:00.000Z',
    updatedAt: '2026-03-01T09:00:00.000Z',
    expiresAt: 0,
    version: 4,
    history: [],
    failureReason: 'PaymentDeclined',
  });
  return { orders, order };
}

describe('retryOrder', () => {
  beforeEach(() => sfn.reset());

  it('puts a FAILED order back to PLACED with a fresh expiry and starts a new, uniquely named execution', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:exec:o-1-retry-5' });
    const { orders, order } = await failedOrder();
    const retried = await retryOrder(stepFunctions(), orders, order, { stateMachineArn: ARN, staleOrderSeconds: 600, now });
    expect(retried).toMatchObject({
      status: 'PLACED',
      placedStatus: 'PLACED',
      expiresAt: now.getTime() / 1000 + 600,
      executionArn: 'arn:exec:o-1-retry-5',
      version: 6,
    });
    expect(sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input).toEqual({
      stateMachineArn: ARN,
      name: 'o-1-retry-5',
      input: '{"orderId":"o-1","userId":"u-1"}',
    });
  });

  it('restores FAILED when the execution cannot start, so the retry can be asked again', async () => {
    sfn.on(StartExecutionCommand).rejects(Object.assign(new Error('throttled'), { name: 'ThrottlingException' }));
    const { orders, order } = await failedOrder();
    await expect(retryOrder(stepFunctions(), orders, order, { stateMachineArn: ARN, staleOrderSeconds: 600, now })).rejects.toThrow(
      'throttled',
    );
    expect(await orders.get(order)).toMatchObject({ status: 'FAILED', version: 6 });
  });

  it('refuses an order that is not FAILED before writing anything', async () => {
    const { orders, order } = await failedOrder();
    await expect(
      retryOrder(stepFunctions(), orders, { ...order, status: 'CONFIRMED' }, { stateMachineArn: ARN, staleOrderSeconds: 600 }),
    ).rejects.toMatchObject({ status: 409, code: 'INVALID_TRANSITION' });
    expect((await orders.get(order))?.version).toBe(4);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });
});

describe('stepsOf', () => {
  const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
  it('condenses a history to one entry per state visit, with how each ended', () => {
    expect(
      stepsOf([
        { type: 'TaskStateEntered', timestamp: at(0), stateEnteredEventDetails: { name: 'ValidateOrder' }, id: 1 },
        { type: 'TaskStateExited', timestamp: at(1), stateExitedEventDetails: { name: 'ValidateOrder' }, id: 2 },
        { type: 'TaskStateEntered', timestamp: at(2), stateEnteredEventDetails: { name: 'ProcessPayment' }, id: 3 },
        { type: 'LambdaFunctionFailed', timestamp: at(3), id: 4 },
        { type: 'TaskStateEntered', timestamp: at(4), stateEnteredEventDetails: { name: 'MarkOrderFailed' }, id: 5 },
      ]),
    ).toEqual([
      { name: 'ValidateOrder', status: 'SUCCEEDED', at: at(1).toISOString() },
      { name: 'ProcessPayment', status: 'FAILED', at: at(3).toISOString() },
      { name: 'MarkOrderFailed', status: 'ENTERED', at: at(4).toISOString() },
    ]);
  });
});
