import * as z from 'zod';

export const Sku = z.string().regex(/^SKU-[0-9]{4,8}$/, 'Must look like SKU-0001');

/** Money is integer cents throughout: no floating point in totals. */
export const Cents = z.number().int().min(0);

export const Product = z.object({
  sku: Sku,
  name: z.string().min(1).max(200),
  description: z.string().max(2000).optional(),
  price: Cents,
  currency: z.string().regex(/^[A-Z]{3}$/),
  stock: z.number().int().min(0),
});
export type Product = z.infer<typeof Product>;

export const ProductList = z.object({ items: z.array(Product) });
export type ProductList = z.infer<typeof ProductList>;
