/**
 * What the app reads from the API: the response types of the layer's zod schemas (types only,
 * so no zod reaches the browser). The order rules it shows come from `@myapp/shared/orders`.
 */
export type {
  OrderListResponse,
  OrderResponse as Order,
  ProductList,
  Product,
  Todo,
  TodoList,
  UploadResponse as UploadTicket,
} from '@myapp/shared/schemas';

export const money = (cents: number, currency: string) =>
  new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(cents / 100);
