import { AppError, conflict } from '../errors';
import type { OrderStatus } from '../schemas/orders';

/**
 * The order status machine of SPEC 6, as one table: `from → allowed targets`.
 * FAILED → PLACED is the admin retry: the workflow re-runs from the start, and each of its
 * steps is itself a conditional transition, so nothing is applied twice.
 */
export const ORDER_TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  PLACED: ['VALIDATED', 'CANCELED', 'EXPIRED', 'FAILED'],
  VALIDATED: ['RESERVED', 'FAILED'],
  RESERVED: ['CHARGED', 'FAILED'],
  CHARGED: ['CONFIRMED', 'FAILED'],
  CONFIRMED: ['ACKNOWLEDGED'],
  ACKNOWLEDGED: [],
  CANCELED: [],
  EXPIRED: [],
  FAILED: ['PLACED'],
};

/** States an order may rest in for good; they get a TTL so the table does not grow forever. */
export const TERMINAL_STATUSES: readonly OrderStatus[] = ['ACKNOWLEDGED', 'CANCELED', 'EXPIRED'];

/** FAILED is not terminal (an admin may retry), but it is a resting state worth a TTL too. */
export const TTL_STATUSES: readonly OrderStatus[] = [...TERMINAL_STATUSES, 'FAILED'];

/** How long terminal orders are kept before TTL purges them. */
export const RETENTION_SECONDS = 90 * 24 * 3600;

export const CANCEL_WINDOW_MS = 10 * 60 * 1000;

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return ORDER_TRANSITIONS[from].includes(to);
}

export function assertTransition(from: OrderStatus, to: OrderStatus): void {
  if (!canTransition(from, to)) {
    throw new AppError(409, 'INVALID_TRANSITION', `Order cannot go from ${from} to ${to}`, { from, to });
  }
}

/** Owner cancel: only while PLACED and strictly less than 10 minutes after creation. */
export function assertCancellable(order: { status: OrderStatus; createdAt: string }, now: Date = new Date()): void {
  assertTransition(order.status, 'CANCELED');
  const age = now.getTime() - Date.parse(order.createdAt);
  if (!(age < CANCEL_WINDOW_MS)) {
    throw conflict('Orders can only be canceled within 10 minutes of being placed', 'CANCEL_WINDOW_CLOSED');
  }
}

/** Owner edit: the lines may change only while PLACED. */
export function assertEditable(order: { status: OrderStatus }): void {
  if (order.status !== 'PLACED') {
    throw conflict(`Order is ${order.status}; only PLACED orders can be changed`, 'INVALID_TRANSITION');
  }
}
