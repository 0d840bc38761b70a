/**
 * Everything the code knows about order statuses, in one module: which transitions exist,
 * the happy path, which statuses the workflow may still move, what may be edited, the cancel
 * window and how long finished orders are kept. The API, the workflow tasks, the repository's
 * conditions and the web app all read them from here (the web app imports this module too, so
 * it stays free of Node and AWS code).
 */
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

/** What the workflow does to an order that goes well, step by step. */
export const WORKFLOW_PATH = ['PLACED', 'VALIDATED', 'RESERVED', 'CHARGED', 'CONFIRMED'] as const satisfies readonly OrderStatus[];

/** The happy path, in order: the workflow's steps, then an admin acknowledges. */
export const HAPPY_PATH: readonly OrderStatus[] = [...WORKFLOW_PATH, 'ACKNOWLEDGED'];

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return ORDER_TRANSITIONS[from].includes(to);
}

/**
 * Statuses the workflow may still move an order out of (forward, or to FAILED): exactly those
 * from which FAILED is allowed. Any other status is settled until a person acts on it.
 */
export const IN_PIPELINE_STATUSES: readonly OrderStatus[] = (Object.keys(ORDER_TRANSITIONS) as OrderStatus[]).filter((s) =>
  canTransition(s, 'FAILED'),
);

export const isInPipeline = (status: OrderStatus): boolean => IN_PIPELINE_STATUSES.includes(status);

/** True when `status` is on the happy path at `step` or beyond (off-path statuses never are). */
export function hasReached(status: OrderStatus, step: OrderStatus): boolean {
  const at = HAPPY_PATH.indexOf(status);
  const target = HAPPY_PATH.indexOf(step);
  return at >= 0 && target >= 0 && at >= target;
}

/** States an order may rest in for good; they get a TTL so the table does not grow forever. */
export const TERMINAL_STATUSES: readonly OrderStatus[] = ['ACKNOWLEDGED', 'CANCELED', 'EXPIRED'];

/** FAILED is not terminal (an admin may retry), but it is a resting state worth a TTL too. */
export const TTL_STATUSES: readonly OrderStatus[] = [...TERMINAL_STATUSES, 'FAILED'];

/** How long terminal orders are kept before TTL purges them. */
export const RETENTION_SECONDS = 90 * 24 * 3600;

/** The owner may cancel a PLACED order for this long after placing it. */
export const CANCEL_WINDOW_MS = 10 * 60 * 1000;

/** The only status in which the owner may change an order's lines. */
export const EDITABLE_STATUS = 'PLACED' satisfies OrderStatus;

export const isEditable = (status: OrderStatus): boolean => status === EDITABLE_STATUS;

export function assertTransition(from: OrderStatus, to: OrderStatus): void {
  if (!canTransition(from, to)) {
    throw new AppError(409, 'INVALID_TRANSITION', `Order cannot go from ${from} to ${to}`, { from, to });
  }
}

/** Owner cancel: while the order may go to CANCELED (PLACED) and strictly less than 10 minutes after creation. */
export function isCancellable(order: { status: OrderStatus; createdAt: string }, now: Date = new Date()): boolean {
  return canTransition(order.status, 'CANCELED') && now.getTime() - Date.parse(order.createdAt) < CANCEL_WINDOW_MS;
}

export function assertCancellable(order: { status: OrderStatus; createdAt: string }, now: Date = new Date()): void {
  assertTransition(order.status, 'CANCELED');
  if (!isCancellable(order, now)) {
    throw conflict('Orders can only be canceled within 10 minutes of being placed', 'CANCEL_WINDOW_CLOSED');
  }
}

/** The 409 for an edit of an order that is no longer editable. */
export const notEditable = (status: string): AppError =>
  conflict(`Order is ${status}; only ${EDITABLE_STATUS} orders can be changed`, 'INVALID_TRANSITION');

/** Owner edit: the lines may change only while PLACED. */
export function assertEditable(order: { status: OrderStatus }): void {
  if (!isEditable(order.status)) throw notEditable(order.status);
}

/**
 * The ARN of the execution named `name` of a state machine. An order's first execution is
 * named after the order (pipeline/start.ts), so an order carries its execution's ARN from the
 * moment it is written, with no second write racing the workflow's first step.
 */
export function executionArnFor(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}
