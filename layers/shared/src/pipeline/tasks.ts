/**
 * The OrderWorkflow steps. Each one is a conditional transition on the order, and each is
 * safe to run again: a step whose transition already happened reports the order still
 * active (so a resumed or retried execution moves on), and an order that moved off the
 * happy path (canceled, expired, failed) ends the workflow cleanly with `active: false`.
 */
import { AppError } from '../errors';
import { canTransition, hasReached } from '../orders/rules';
import type { OrderRecord, OrdersRepository } from '../repositories/orders';
import type { ProductsRepository } from '../repositories/products';
import type { OrderStatus } from '../schemas/orders';
import { orderInvalid, orderNotFound, outOfStock } from './errors';
import type { CompensationInput, TaskInput } from './input';
import { simulateCharge } from './payment';

export interface TaskResult {
  orderId: string;
  userId: string;
  /** false: the order left the pipeline (canceled, expired, ...); the workflow ends cleanly. */
  active: boolean;
  status: OrderStatus;
  /** true when this run made the change (false when an earlier run already had). */
  changed: boolean;
}

/** Every write goes through the repositories (DynamoDB in Lambda, in memory in unit tests). */
export interface PipelineDeps {
  orders: OrdersRepository;
  products: ProductsRepository;
}

type StepOutcome = { kind: 'run'; order: OrderRecord } | { kind: 'done' | 'inactive'; order: OrderRecord };

function classify(order: OrderRecord, from: OrderStatus, to: OrderStatus): StepOutcome {
  if (order.status === from) return { kind: 'run', order };
  if (hasReached(order.status, to)) return { kind: 'done', order };
  return { kind: 'inactive', order };
}

const result = (order: OrderRecord, active: boolean, changed: boolean): TaskResult => ({
  orderId: order.orderId,
  userId: order.userId,
  active,
  status: order.status,
  changed,
});

async function load(deps: PipelineDeps, input: TaskInput): Promise<OrderRecord> {
  const order = await deps.orders.get({ userId: input.userId, orderId: input.orderId });
  if (!order) throw orderNotFound(input.orderId);
  return order;
}

const isConflict = (err: unknown): boolean => err instanceof AppError && err.status === 409;

/**
 * Runs one transition. A concurrent change is not an error: the order is re-read and
 * classified again, so a cancel that won the race ends the workflow cleanly, and a write
 * that only bumped the version (the execution being recorded, an owner edit) is retried
 * against the fresh order (bounded).
 */
async function step(
  deps: PipelineDeps,
  input: TaskInput,
  from: OrderStatus,
  to: OrderStatus,
  act: (order: OrderRecord) => Promise<OrderRecord>,
): Promise<TaskResult> {
  const MAX_ATTEMPTS = 3;
  for (let attempt = 1; ; attempt++) {
    const outcome = classify(await load(deps, input), from, to);
    if (outcome.kind !== 'run') return result(outcome.order, outcome.kind === 'done', false);
    try {
      return result(await act(outcome.order), true, true);
    } catch (err) {
      if (!isConflict(err) || (err as AppError).code === 'OUT_OF_STOCK' || attempt >= MAX_ATTEMPTS) throw err;
    }
  }
}

/**
 * A step whose write needs nothing read first (its condition is the status): the write goes
 * first, and only a refused one (409, or 404) reads the order to classify it, as `step` does.
 * One DynamoDB call fewer per order and step on the way through the workflow.
 */
async function writeFirst(
  deps: PipelineDeps,
  input: TaskInput,
  from: OrderStatus,
  to: OrderStatus,
  act: (key: TaskInput) => Promise<OrderRecord>,
): Promise<TaskResult> {
  try {
    return result(await act(input), true, true);
  } catch (err) {
    if (!(err instanceof AppError) || (err.status !== 409 && err.status !== 404)) throw err;
  }
  return step(deps, input, from, to, () => act(input));
}

export async function validateOrder(deps: PipelineDeps, input: TaskInput): Promise<TaskResult> {
  return step(deps, input, 'PLACED', 'VALIDATED', async (order) => {
    if (order.items.length === 0) throw orderInvalid('Order has no lines');
    const sum = order.items.reduce((acc, l) => acc + l.qty * l.price, 0);
    if (sum !== order.total) throw orderInvalid(`Order total ${order.total} does not match its lines (${sum})`);
    const known = await deps.products.getMany(order.items.map((l) => l.sku));
    const unknown = order.items.filter((l) => !known.has(l.sku)).map((l) => l.sku);
    if (unknown.length > 0) throw orderInvalid(`Unknown products: ${unknown.join(', ')}`);
    return deps.orders.transition(order, 'PLACED', 'VALIDATED', { expectedVersion: order.version });
  });
}

export async function reserveInventory(deps: PipelineDeps, input: TaskInput): Promise<TaskResult> {
  return step(deps, input, 'VALIDATED', 'RESERVED', async (order) => {
    const lines = order.items.map((l) => ({ sku: l.sku, qty: l.qty }));
    try {
      await deps.products.reserve(lines);
    } catch (err) {
      if (err instanceof AppError && err.code === 'OUT_OF_STOCK') {
        const skus = (err.details as { skus?: string[] } | undefined)?.skus ?? [];
        throw outOfStock(skus);
      }
      throw err;
    }
    try {
      return await deps.orders.transition(order, 'VALIDATED', 'RESERVED', { set: { reservation: { reserved: true } } });
    } catch (err) {
      // The stock was taken but the order did not record it: give it back before failing.
      await deps.products.release(lines);
      throw err;
    }
  });
}

export async function processPayment(deps: PipelineDeps, input: TaskInput): Promise<TaskResult> {
  return writeFirst(deps, input, 'RESERVED', 'CHARGED', async (key) => {
    // Counted on the order first (the write checks it is RESERVED and returns it), so a
    // flaky provider's second try is known as such.
    const order = await deps.orders.recordPaymentAttempt(key);
    const charge = simulateCharge({
      orderId: order.orderId,
      amount: order.total,
      currency: order.currency,
      paymentToken: order.paymentToken,
      attempt: order.paymentAttempts ?? 1,
    });
    return deps.orders.transition(order, 'RESERVED', 'CHARGED', { set: { payment: charge } });
  });
}

export async function confirmOrder(deps: PipelineDeps, input: TaskInput): Promise<TaskResult> {
  return writeFirst(deps, input, 'CHARGED', 'CONFIRMED', (key) => deps.orders.transition(key, 'CHARGED', 'CONFIRMED'));
}

export interface Notification {
  kind: 'ORDER_CONFIRMED';
  orderId: string;
  userId: string;
  total: number;
  currency: string;
  lines: number;
}

/** The notification to send (an email would be built from it); undefined if not confirmed. */
export async function buildNotification(deps: PipelineDeps, input: TaskInput): Promise<Notification | undefined> {
  const order = await load(deps, input);
  if (!hasReached(order.status, 'CONFIRMED')) return undefined;
  return {
    kind: 'ORDER_CONFIRMED',
    orderId: order.orderId,
    userId: order.userId,
    total: order.total,
    currency: order.currency,
    lines: order.items.length,
  };
}

/**
 * Gives the stock back only if this order still holds it (the repository clears the flag and
 * restocks in one transaction), so a retried compensation never releases twice.
 */
export async function releaseInventory(deps: PipelineDeps, input: CompensationInput): Promise<{ released: boolean }> {
  const order = await load(deps, input);
  if (!order.reservation?.reserved) return { released: false };
  return { released: await deps.orders.releaseReservation(order) };
}

/** Refunds only a charge still in place; a retry finds it refunded and does nothing. */
export async function refundPayment(deps: PipelineDeps, input: CompensationInput): Promise<{ refunded: boolean; chargeId?: string }> {
  const order = await load(deps, input);
  if (order.payment?.status !== 'CHARGED' || !(await deps.orders.markRefunded(order))) return { refunded: false };
  return { refunded: true, chargeId: order.payment.chargeId };
}

/** A readable reason from the Catch's `{Error, Cause}` (Cause is Lambda's JSON error). */
export function failureReason(error: CompensationInput['error']): string {
  if (!error) return 'Workflow failed';
  let message: string | undefined;
  if (error.Cause) {
    try {
      const parsed = JSON.parse(error.Cause) as { errorMessage?: unknown };
      if (typeof parsed.errorMessage === 'string') message = parsed.errorMessage;
    } catch {
      message = error.Cause;
    }
  }
  return message ? `${error.Error}: ${message}`.slice(0, 500) : error.Error;
}

export async function markOrderFailed(deps: PipelineDeps, input: CompensationInput): Promise<TaskResult> {
  const order = await load(deps, input);
  if (!canTransition(order.status, 'FAILED')) return result(order, false, false);
  const reason = failureReason(input.error);
  try {
    const failed = await deps.orders.transition(order, order.status, 'FAILED', { reason, set: { failureReason: reason } });
    return result(failed, false, true);
  } catch (err) {
    if (!isConflict(err)) throw err;
    // Moved on meanwhile (e.g. already FAILED by an earlier attempt): nothing left to mark.
    return result(await load(deps, input), false, false);
  }
}
