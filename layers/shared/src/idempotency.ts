import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  IdempotencyValidationError,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { Context } from 'aws-lambda';
import { AppError, conflict } from './errors';
import type { OrderRecord } from './repositories/orders';
import { placeOrder, type OrderDeps, type PlaceOrderInput } from './orders/service';

export interface IdempotentOrdersOptions {
  tableName: string;
  /** A client of your own (Tracer-instrumented, or pointed at DynamoDB Local). */
  client?: DynamoDBClient;
  expiresAfterSeconds?: number;
  /** How long a duplicate waits for the first request's result before answering 409. */
  inProgressWaitMs?: number;
}

export interface PlacedOrder {
  order: OrderRecord;
  /** True when this call returned the stored result of an earlier one (no new order). */
  replayed: boolean;
}

export interface IdempotentPlaceOrder {
  (input: PlaceOrderInput): Promise<PlacedOrder>;
  /** Lets Powertools expire an in-progress record when the invocation times out. */
  registerLambdaContext(context: Context): void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The stored order is what this request asks for (same owner, lines and payment token). */
function sameRequest(order: OrderRecord, input: PlaceOrderInput): boolean {
  const lines = (xs: ReadonlyArray<{ sku: string; qty: number }>) => JSON.stringify(xs.map((l) => [l.sku, l.qty]));
  return order.userId === input.userId && lines(order.items) === lines(input.items) && order.paymentToken === input.paymentToken;
}

/**
 * Order creation, idempotent on `orderId` (Powertools idempotency over IdempotencyTable):
 * a replay returns the stored order; the same orderId with another body or another user is
 * a 409 IDEMPOTENCY_CONFLICT; a concurrent duplicate waits, bounded, for the first result.
 * Without an orderId the server picks a UUID and no idempotency record is written.
 */
export function idempotentPlaceOrder(deps: OrderDeps, opts: IdempotentOrdersOptions): IdempotentPlaceOrder {
  const persistenceStore = new DynamoDBPersistenceLayer({
    tableName: opts.tableName,
    ...(opts.client ? { awsSdkV3Client: opts.client } : {}),
  });
  const config = new IdempotencyConfig({
    eventKeyJmesPath: 'orderId',
    // Any difference in who orders what (or how they pay) under the same key is a conflict.
    payloadValidationJmesPath: '[userId, items, paymentToken]',
    throwOnNoIdempotencyKey: true,
    expiresAfterSeconds: opts.expiresAfterSeconds ?? 24 * 3600,
  });
  // Orders created by this call, by reference: Powertools hands back the function's own result
  // object on first execution and a copy from the table on a replay.
  const created = new WeakSet<OrderRecord>();
  const once = makeIdempotent(
    async (input: PlaceOrderInput) => {
      let order: OrderRecord;
      try {
        order = await placeOrder(deps, input);
      } catch (err) {
        // An earlier call wrote this order and then failed (DynamoDB timed out or went away
        // before its idempotency record was completed): the same request gets that order,
        // not a 409 ORDER_EXISTS it could never get past. That call answered an error, so
        // this one counts as the creation.
        const existing =
          err instanceof AppError && err.code === 'ORDER_EXISTS'
            ? await deps.orders.get({ userId: input.userId, orderId: input.orderId! })
            : undefined;
        if (!existing || !sameRequest(existing, input)) throw err;
        order = existing;
      }
      created.add(order);
      return order;
    },
    { persistenceStore, config },
  );
  const waitMs = opts.inProgressWaitMs ?? 3000;

  const fn = async (input: PlaceOrderInput): Promise<PlacedOrder> => {
    if (input.orderId === undefined) return { order: await placeOrder(deps, input), replayed: false };
    const deadline = Date.now() + waitMs;
    for (let attempt = 1; attempt <= 50; attempt++) {
      try {
        const order = await once(input);
        return { order, replayed: !created.has(order) };
      } catch (err) {
        if (err instanceof IdempotencyValidationError) {
          throw conflict(`orderId ${input.orderId} was already used with a different request`, 'IDEMPOTENCY_CONFLICT');
        }
        if (err instanceof AppError) throw err;
        const cause = (err as { cause?: unknown }).cause;
        if (cause instanceof AppError) throw cause;
        if (!(err instanceof IdempotencyAlreadyInProgressError)) throw err;
        if (Date.now() >= deadline) break;
        await sleep(Math.min(50 * attempt, 250, Math.max(deadline - Date.now(), 1)));
      }
    }
    throw conflict(`An order with orderId ${input.orderId} is still being created; retry shortly`, 'IDEMPOTENCY_IN_PROGRESS');
  };
  return Object.assign(fn, { registerLambdaContext: (context: Context) => config.registerLambdaContext(context) });
}
