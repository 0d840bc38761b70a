/**
 * Shared fixtures of the OrderWorkflow task tests (functions/<task>/handler.test.ts): the task
 * handlers run over the in-memory repositories (which pass the same contract suite as the
 * DynamoDB ones), so a test states an order and the stock, runs the handler, and checks what
 * became of them.
 */
import type { Context } from 'aws-lambda';
import { overrideRepositories, type OrderRecord } from '@myapp/shared/repositories';
import { inMemoryRepositories } from '../../layers/shared/src/testing/in-memory-repositories';

export const taskContext = { awsRequestId: 'req-1', functionName: 'fn' } as Context;
export const taskInput = { orderId: 'o-1', userId: 'u-1' };

/** A PLACED order o-1 of u-1 (2 x SKU-1 at 500, 1 x SKU-2 at 250) with `over` applied; SKU-1 has 5 in stock, SKU-2 1. */
export async function givenOrder(over: Partial<OrderRecord> = {}) {
  const repos = inMemoryRepositories([
    { sku: 'SKU-1', name: 'One', price: 500, currency: 'USD', stock: 5 },
    { sku: 'SKU-2', name: 'Two', price: 250, currency: 'USD', stock: 1 },
  ]);
  overrideRepositories(repos);
  await repos.orders.create({
    ...taskInput,
    status: 'PLACED',
    items: [
      { sku: 'SKU-1', qty: 2, price: 500 },
      { sku: 'SKU-2', qty: 1, price: 250 },
    ],
    total: 1250,
    currency: 'USD',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    expiresAt: 2_000_000_000,
    version: 1,
    history: [],
    ...over,
  });
  return {
    repos,
    order: async () => (await repos.orders.get(taskInput))!,
    stock: async () => ['SKU-1', 'SKU-2'].map((sku) => repos.products.items.get(sku)?.stock),
  };
}
