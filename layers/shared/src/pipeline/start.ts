/**
 * Starts OrderWorkflow for an OrderCreated event. The execution is named after the order,
 * so a duplicate OrderCreated (EventBridge delivers at least once) cannot start a second
 * run: StartExecution with the same name and input returns the running execution, and a
 * name whose execution already ended is ExecutionAlreadyExists, which is success here.
 */
import { StartExecutionCommand, type StartExecutionCommandOutput } from '@aws-sdk/client-sfn';
import { z } from '../schemas/zod';
import type { OrdersRepository } from '../repositories/orders';

export const OrderCreatedEvent = z.looseObject({
  'detail-type': z.literal('OrderCreated'),
  source: z.literal('myapp.orders'),
  detail: z.looseObject({ orderId: z.string().min(1), userId: z.string().min(1) }),
});
export type OrderCreatedEvent = z.infer<typeof OrderCreatedEvent>;

export interface SfnSender {
  send(command: StartExecutionCommand): Promise<StartExecutionCommandOutput>;
}

export interface StartResult {
  executionArn: string;
  started: boolean;
}

/** Execution ARN of a named execution (for the already-exists case, which returns none). */
export function executionArnFor(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}

export async function startOrderWorkflow(
  sfn: SfnSender,
  orders: OrdersRepository,
  stateMachineArn: string,
  event: OrderCreatedEvent,
): Promise<StartResult> {
  const { orderId, userId } = event.detail;
  // Same name, same input: the input must be byte-identical for AWS's idempotent start.
  const input = JSON.stringify({ orderId, userId });
  let result: StartResult;
  try {
    const out = await sfn.send(new StartExecutionCommand({ stateMachineArn, name: orderId, input }));
    result = { executionArn: out.executionArn ?? executionArnFor(stateMachineArn, orderId), started: true };
  } catch (err) {
    if ((err as { name?: string }).name !== 'ExecutionAlreadyExists') throw err;
    return { executionArn: executionArnFor(stateMachineArn, orderId), started: false };
  }
  const order = await orders.get({ userId, orderId });
  if (order && order.executionArn !== result.executionArn) await orders.recordExecution({ userId, orderId }, result.executionArn);
  return result;
}
