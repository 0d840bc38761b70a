import { randomUUID } from 'node:crypto';
/**
 * The order use cases of the API: placing (priced from the catalogue), reading, editing,
 * canceling and acknowledging, each checked against orders/rules.ts and written as one
 * conditional repository write. Starting and retrying the workflow is in pipeline/start.ts.
 */
import { badRequest, notFound, type ErrorDetail } from '../errors';
import type { Caller as HttpCaller } from '../http';
import type { Page } from '../repositories/pagination';
import type { OrderRecord, OrdersRepository } from '../repositories/orders';
import type { ProductsRepository } from '../repositories/products';
import type { OrderLine, OrderLineInput } from '../schemas/orders';
import { assertCancellable, assertEditable, assertTransition, executionArnFor } from './rules';

/** Who asks: the signed-in caller's id and whether they are an administrator. */
type Caller = Pick<HttpCaller, 'sub' | 'isAdmin'>;

export interface PricedLines {
  items: OrderLine[];
  total: number;
  currency: string;
}

/**
 * Prices lines from ProductsTable (never from the client). An unknown sku is a 400 naming
 * `items.N.sku`; so is a duplicate sku (one transaction cannot touch an item twice).
 */
export async function priceLines(products: ProductsRepository, lines: readonly OrderLineInput[]): Promise<PricedLines> {
  const details: ErrorDetail[] = [];
  const seen = new Set<string>();
  lines.forEach((l, i) => {
    if (seen.has(l.sku)) details.push({ path: `items.${i}.sku`, message: `Duplicate sku ${l.sku}; combine the lines` });
    seen.add(l.sku);
  });
  if (details.length) throw badRequest('Invalid order lines', details);
  const catalogue = await products.getMany(lines.map((l) => l.sku));
  let currency: string | undefined;
  const items: OrderLine[] = [];
  lines.forEach((l, i) => {
    const p = catalogue.get(l.sku);
    if (!p) {
      details.push({ path: `items.${i}.sku`, message: `Unknown sku ${l.sku}` });
      return;
    }
    currency ??= p.currency;
    if (p.currency !== currency) details.push({ path: `items.${i}.sku`, message: 'All lines must share one currency' });
    items.push({ sku: l.sku, qty: l.qty, price: p.price });
  });
  if (details.length || currency === undefined) throw badRequest('Invalid order lines', details);
  const total = items.reduce((sum, l) => sum + l.qty * l.price, 0);
  return { items, total, currency };
}

export interface PlaceOrderInput {
  userId: string;
  orderId?: string;
  items: OrderLineInput[];
  paymentToken?: string;
}

export interface OrderDeps {
  orders: OrdersRepository;
  products: ProductsRepository;
  /** Seconds after which a still-PLACED order is stale (cleanup marks it EXPIRED). */
  staleOrderSeconds: number;
  /** OrderWorkflow: the order's execution is named after it, so its ARN is known when the order is written. */
  stateMachineArn?: string;
  now?: () => Date;
}

/** Prices and writes a new PLACED order (conditional put: an existing key is a 409). */
export async function placeOrder(deps: OrderDeps, input: PlaceOrderInput): Promise<OrderRecord> {
  const priced = await priceLines(deps.products, input.items);
  const now = (deps.now ?? (() => new Date()))();
  const at = now.toISOString();
  const orderId = input.orderId ?? randomUUID();
  const order: OrderRecord = {
    userId: input.userId,
    orderId,
    status: 'PLACED',
    items: priced.items,
    total: priced.total,
    currency: priced.currency,
    ...(input.paymentToken !== undefined ? { paymentToken: input.paymentToken } : {}),
    createdAt: at,
    updatedAt: at,
    expiresAt: Math.floor(now.getTime() / 1000) + deps.staleOrderSeconds,
    version: 1,
    history: [{ status: 'PLACED', at }],
    ...(deps.stateMachineArn ? { executionArn: executionArnFor(deps.stateMachineArn, orderId) } : {}),
    placedStatus: 'PLACED',
  };
  return deps.orders.create(order);
}

/**
 * The order as the caller may see it: their own, or any order for an admin when allowed.
 * Someone else's order is a 404, the same as a missing one, so ids do not leak.
 */
export async function findOrderForCaller(
  orders: OrdersRepository,
  caller: Caller,
  orderId: string,
  opts: { allowAdmin: boolean },
): Promise<OrderRecord> {
  const own = await orders.get({ userId: caller.sub, orderId });
  if (own) return own;
  if (opts.allowAdmin && caller.isAdmin) {
    const any = await orders.getByOrderId(orderId);
    if (any) return any;
  }
  throw notFound(`Order ${orderId} not found`);
}

/** The caller's own orders, newest first, a page at a time. */
export function listOrders(
  orders: OrdersRepository,
  caller: Caller,
  page: { limit: number; nextToken?: string | undefined },
): Promise<Page<OrderRecord>> {
  return orders.listByUser(caller.sub, { limit: page.limit, ...(page.nextToken !== undefined ? { nextToken: page.nextToken } : {}) });
}

export interface EditOrderInput {
  items: OrderLineInput[];
  /** The version the client read: a concurrent change makes this a 409. */
  version: number;
  paymentToken?: string | undefined;
}

/** Owner edit while PLACED: new lines priced from the catalogue, at the version the client read. */
export async function editOrder(
  deps: { orders: OrdersRepository; products: ProductsRepository },
  caller: Caller,
  orderId: string,
  input: EditOrderInput,
): Promise<OrderRecord> {
  const order = await findOrderForCaller(deps.orders, caller, orderId, { allowAdmin: false });
  assertEditable(order);
  const priced = await priceLines(deps.products, input.items);
  return deps.orders.updateItems(order, {
    ...priced,
    expectedVersion: input.version,
    ...(input.paymentToken !== undefined ? { paymentToken: input.paymentToken } : {}),
  });
}

/** Owner cancel inside the cancel window. */
export async function cancelOrder(orders: OrdersRepository, caller: Caller, orderId: string, now: Date = new Date()): Promise<OrderRecord> {
  const order = await findOrderForCaller(orders, caller, orderId, { allowAdmin: false });
  assertCancellable(order, now);
  return orders.transition(order, 'PLACED', 'CANCELED', { expectedVersion: order.version, reason: 'canceled by owner', now });
}

/** Admin: CONFIRMED → ACKNOWLEDGED. */
export async function acknowledgeOrder(orders: OrdersRepository, caller: Caller, orderId: string): Promise<OrderRecord> {
  const order = await findOrderForCaller(orders, caller, orderId, { allowAdmin: true });
  assertTransition(order.status, 'ACKNOWLEDGED');
  return orders.transition(order, 'CONFIRMED', 'ACKNOWLEDGED', { expectedVersion: order.version, reason: `acknowledged by ${caller.sub}` });
}
