/**
 * Shared fixtures of the OrderWorkflow task tests (functions/<task>/handler.test.ts): the task
 * handlers run over the in-memory repositories (which pass the same contract suite as the
 * DynamoDB ones), so a test states an order and the stock, runs the handler, and checks what
 * became of them.
 */
import type { Context } from 'aws-lambda';
import { overrideRepositories, type OrderRecord } from '@myapp/shared/repositories';
import { FIXTURE_ORDER_KEY, givenPlacedOrder } from '../../layers/shared/src/testing/order-fixtures';

export const taskContext = { awsRequestId: 'req-1', functionName: 'fn' } as Context;
export const taskInput = { orderId: FIXTURE_ORDER_KEY.orderId, userId: FIXTURE_ORDER_KEY.userId };

/** A PLACED order o-1 of u-1 (2 x SKU-1 at 500, 1 x SKU-2 at 250) with `over` applied, in repositories the handlers use; SKU-1 has 5 in stock, SKU-2 1. */
export async function givenOrder(over: Partial<OrderRecord> = {}) {
  const given = await givenPlacedOrder(over);
  overrideRepositories(given.repos);
  return given;
}
