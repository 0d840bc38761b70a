/** What the app reads from the API (the response schemas of @myapp/shared, as plain types). */
export interface Product { sku: string; name: string; description?: string; price: number; currency: string; stock: number }
export type OrderStatus = 'PLACED' | 'VALIDATED' | 'RESERVED' | 'CHARGED' | 'CONFIRMED' | 'ACKNOWLEDGED' | 'CANCELED' | 'EXPIRED' | 'FAILED';
export interface Order {
  orderId: string;
  status: OrderStatus;
  items: { sku: string; qty: number; price: number }[];
  total: number;
  currency: string;
  createdAt: string;
  updatedAt: string;
  version: number;
  history: { status: OrderStatus; at: string; reason?: string }[];
  failureReason?: string;
}
export interface Todo { todoId: string; title: string; done: boolean; dueDate?: string; notes?: string; createdAt: string; updatedAt: string }
export interface Page<T> { items: T[]; nextToken?: string }
export interface UploadTicket { uploadUrl: string; key: string; method: 'PUT'; headers: Record<string, string>; expiresIn: number }

/** Statuses after which an order never changes again (the app stops polling). */
export const FINAL_STATUSES: ReadonlySet<OrderStatus> = new Set(['CONFIRMED', 'ACKNOWLEDGED', 'CANCELED', 'EXPIRED', 'FAILED']);
export const CANCEL_WINDOW_MS = 10 * 60 * 1000;

export const money = (cents: number, currency: string) =>
  new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(cents / 100);
