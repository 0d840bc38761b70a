/**
 * The order and catalogue the workflow tests start from: the task functions' handler tests
 * (tests/support/workflow-task.ts) and the layer's own task tests (pipeline/tasks.test.ts)
 * state the same PLACED order, so a change to what an order holds is made once. Never bundled.
 */
import type { OrderKey, OrderRecord } from '../repositories/orders';
import type { Product } from '../schemas/products';
import { inMemoryRepositories } from './in-memory-repositories';

export const FIXTURE_ORDER_KEY: OrderKey = { userId: 'u-1', orderId: 'o-1' };

/** SKU-1 (500, 5 in stock) and SKU-2 (250, 1 in stock). */
export const fixtureProducts = (): Product[] => [
  { sku: 'SKU-1', name: 'One', price: 500, currency: 'USD', stock: 5 },
  { sku: 'SKU-2', name: 'Two', price: 250, currency: 'USD', stock: 1 },
];

/** A PLACED order o-1 of u-1 (2 x SKU-1 at 500, 1 x SKU-2 at 250), with `over` applied. */
export const placedOrder = (over: Partial<OrderRecord> = {}): OrderRecord => ({
  ...FIXTURE_ORDER_KEY,
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

/** In-memory repositories over fixtureProducts(), with placedOrder(over) stored; order() and stock() read them back. */
export async function givenPlacedOrder(over: Partial<OrderRecord> = {}) {
  const repos = inMemoryRepositories(fixtureProducts());
  await repos.orders.create(placedOrder(over));
  return {
    repos,
    order: async () => (await repos.orders.get(FIXTURE_ORDER_KEY))!,
    stock: async () => ['SKU-1', 'SKU-2'].map((sku) => repos.products.items.get(sku)?.stock),
  };
}
