import * as z from 'zod';
import { IsoDateTime, SafeId } from './common';
import { Cents, Sku } from './products';

export const MAX_ORDER_LINES = 50;
export const MAX_LINE_QTY = 100;

export const ORDER_STATUSES = [
  'PLACED',
  'VALIDATED',
  'RESERVED',
  'CHARGED',
  'CONFIRMED',
  'ACKNOWLEDGED',
  'CANCELED',
  'EXPIRED',
  'FAILED',
] as const;
export const OrderStatus = z.enum(ORDER_STATUSES);
export type OrderStatus = z.infer<typeof OrderStatus>;

export const OrderId = SafeId.describe('Client-chosen (idempotency key) or server-generated UUID');

export const OrderLineInput = z.strictObject({
  sku: Sku,
  qty: z.number().int().min(1).max(MAX_LINE_QTY),
});
export type OrderLineInput = z.infer<typeof OrderLineInput>;

export const OrderLines = z.array(OrderLineInput).min(1).max(MAX_ORDER_LINES);

export const PaymentToken = z.string().min(1).max(64);

/** POST /orders */
export const CreateOrderRequest = z.strictObject({
  orderId: OrderId.optional(),
  items: OrderLines,
  paymentToken: PaymentToken.optional(),
});
export type CreateOrderRequest = z.infer<typeof CreateOrderRequest>;

/** PUT /orders/{orderId}: replaces the lines while PLACED; `version` is the one the client read. */
export const UpdateOrderRequest = z.strictObject({
  items: OrderLines,
  paymentToken: PaymentToken.optional(),
  version: z.number().int().min(1),
});
export type UpdateOrderRequest = z.infer<typeof UpdateOrderRequest>;

export const OrderPathParams = z.object({ orderId: OrderId });

export const GetOrderQuery = z.strictObject({ include: z.enum(['workflow']).optional() });

export const OrderLine = z.object({ sku: Sku, qty: z.number().int(), price: Cents });
export type OrderLine = z.infer<typeof OrderLine>;

export const HistoryEntry = z.object({ status: OrderStatus, at: IsoDateTime, reason: z.string().optional() });
export type HistoryEntry = z.infer<typeof HistoryEntry>;

export const Order = z.object({
  userId: z.string(),
  orderId: OrderId,
  status: OrderStatus,
  items: z.array(OrderLine),
  total: Cents,
  currency: z.string(),
  paymentToken: z.string().optional(),
  createdAt: IsoDateTime,
  updatedAt: IsoDateTime,
  expiresAt: z.number().int(),
  version: z.number().int().min(1),
  history: z.array(HistoryEntry),
  executionArn: z.string().optional(),
  failureReason: z.string().optional(),
  payment: z.object({ chargeId: z.string(), status: z.enum(['CHARGED', 'REFUNDED']) }).optional(),
  paymentAttempts: z.number().int().optional(),
  reservation: z.object({ reserved: z.boolean() }).optional(),
});
export type Order = z.infer<typeof Order>;

/** A step of the order's workflow execution, condensed from GetExecutionHistory. */
export const WorkflowStep = z.object({
  name: z.string(),
  status: z.enum(['ENTERED', 'SUCCEEDED', 'FAILED']),
  at: IsoDateTime,
});
export const WorkflowInfo = z.object({
  status: z.string().optional(),
  executionArn: z.string().optional(),
  startDate: IsoDateTime.optional(),
  stopDate: IsoDateTime.optional(),
  steps: z.array(WorkflowStep).optional(),
  error: z.string().optional(),
});
export type WorkflowInfo = z.infer<typeof WorkflowInfo>;

/** What the API returns: the order without the payment token (never echoed back). */
export const PublicOrder = Order.omit({ paymentToken: true });
export type PublicOrder = z.infer<typeof PublicOrder>;

export const OrderResponse = PublicOrder.extend({ workflow: WorkflowInfo.optional() });
export type OrderResponse = z.infer<typeof OrderResponse>;

export const OrderListResponse = z.object({ items: z.array(PublicOrder), nextToken: z.string().optional() });
export type OrderListResponse = z.infer<typeof OrderListResponse>;
