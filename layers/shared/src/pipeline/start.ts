/**
 * Starting OrderWorkflow: for an OrderCreated event, and again when an admin retries a FAILED
 * order. The first execution is named after the order, so a duplicate OrderCreated
 * (EventBridge delivers at least once) cannot start a second run: StartExecution with the same
 * name and input returns the running execution, and a name whose execution already ended is
 * ExecutionAlreadyExists, which is success here. The order was written with that execution's
 * ARN (orders/service.ts), so starting it writes nothing. A retry is named
 * `<orderId>-retry-<version>` and recorded on the order.
 */
import type { StepFunctions } from '../clients';
import { logger } from '../observability';
import { assertTransition, executionArnFor } from '../orders/rules';
import type { OrderKey, OrderRecord, OrdersRepository } from '../repositories/orders';
import { z } from '../schemas/zod';

export { executionArnFor };

export const OrderCreatedEvent = z.looseObject({
  'detail-type': z.literal('OrderCreated'),
  source: z.literal('myapp.orders'),
  detail: z.looseObject({ orderId: z.string().min(1), userId: z.string().min(1) }),
});
export type OrderCreatedEvent = z.infer<typeof OrderCreatedEvent>;

export interface StartResult {
  executionArn: string;
  started: boolean;
}

/** The state input is exactly `{orderId, userId}`: byte-identical for AWS's idempotent start. */
async function startExecution(sfn: StepFunctions, stateMachineArn: string, name: string, key: OrderKey): Promise<string> {
  const input = JSON.stringify({ orderId: key.orderId, userId: key.userId });
  const out = await sfn.client.send(new sfn.sdk.StartExecutionCommand({ stateMachineArn, name, input }));
  return out.executionArn ?? executionArnFor(stateMachineArn, name);
}

export async function startOrderWorkflow(sfn: StepFunctions, stateMachineArn: string, event: OrderCreatedEvent): Promise<StartResult> {
  const key = { orderId: event.detail.orderId, userId: event.detail.userId };
  try {
    return { executionArn: await startExecution(sfn, stateMachineArn, key.orderId, key), started: true };
  } catch (err) {
    if ((err as { name?: string }).name !== 'ExecutionAlreadyExists') throw err;
    return { executionArn: executionArnFor(stateMachineArn, key.orderId), started: false };
  }
}

export interface RetryOptions {
  stateMachineArn: string;
  /** The retried order gets a fresh expiry, so cleanup does not expire it before the workflow runs. */
  staleOrderSeconds: number;
  now?: Date;
}

/**
 * Admin retry: FAILED → PLACED, then a new execution. If the execution cannot start, the order
 * goes back to FAILED (so the retry can be asked again) and the error is thrown.
 */
export async function retryOrder(
  sfn: StepFunctions,
  orders: OrdersRepository,
  order: OrderRecord,
  opts: RetryOptions,
): Promise<OrderRecord> {
  assertTransition(order.status, 'PLACED');
  const key = { userId: order.userId, orderId: order.orderId };
  const now = opts.now ?? new Date();
  const placed = await orders.transition(key, 'FAILED', 'PLACED', {
    expectedVersion: order.version,
    reason: 'retry',
    now,
    set: { expiresAt: Math.floor(now.getTime() / 1000) + opts.staleOrderSeconds },
  });
  let executionArn: string;
  try {
    // Unique per retry: the version only grows, and a name is never reused.
    executionArn = await startExecution(sfn, opts.stateMachineArn, `${order.orderId}-retry-${placed.version}`, key);
  } catch (err) {
    await orders
      .transition(key, 'PLACED', 'FAILED', { expectedVersion: placed.version, reason: 'retry could not start' })
      .catch((e: unknown) => logger.error('Could not restore FAILED after a failed retry', e instanceof Error ? e : new Error(String(e))));
    throw err;
  }
  return orders.recordExecution(key, executionArn);
}
