import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from './handler';

process.env.ORDERS_TABLE = 'Orders';
process.env.ORDER_STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:myapp-OrderWorkflow';
const sfn = mockClient(SFNClient);
const doc = mockClient(DynamoDBDocumentClient);
const context = { awsRequestId: 'req-1', functionName: 'fn' } as Context;
const event = (detail: Record<string, unknown>) => ({
  version: '0',
  id: 'ev-1',
  source: 'myapp.orders',
  'detail-type': 'OrderCreated',
  detail,
});
const execArn = 'arn:aws:states:us-east-1:123456789012:execution:myapp-OrderWorkflow:o-1';

beforeEach(() => {
  sfn.reset();
  doc.reset();
});

describe('start-order-workflow', () => {
  it('starts an execution named after the order with {orderId, userId}, and touches no table (the order already carries its ARN)', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: execArn, startDate: new Date() });
    await expect(handler(event({ orderId: 'o-1', userId: 'u-1', total: 5 }), context)).resolves.toEqual({
      executionArn: execArn,
      started: true,
    });
    expect(sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input).toEqual({
      stateMachineArn: process.env.ORDER_STATE_MACHINE_ARN,
      name: 'o-1',
      input: JSON.stringify({ orderId: 'o-1', userId: 'u-1' }),
    });
    expect(doc.calls()).toHaveLength(0);
  });

  it('treats a duplicate OrderCreated (execution already exists) as done: no second run, no write', async () => {
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));
    await expect(handler(event({ orderId: 'o-1', userId: 'u-1' }), context)).resolves.toEqual({ executionArn: execArn, started: false });
    expect(doc.calls()).toHaveLength(0);
  });

  it('propagates other failures so EventBridge / the async DLQ retry', async () => {
    sfn.on(StartExecutionCommand).rejects(new Error('ThrottlingException'));
    await expect(handler(event({ orderId: 'o-1', userId: 'u-1' }), context)).rejects.toThrow('ThrottlingException');
  });

  it('refuses an event that is not OrderCreated', async () => {
    await expect(handler({ ...event({ orderId: 'o', userId: 'u' }), 'detail-type': 'OrderStatusChanged' }, context)).rejects.toThrow();
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });
});
