/** GET /products (public): the catalogue with live stock, from ProductsTable. */
import { apiHandler } from '@myapp/shared/api';
import { repositories } from '@myapp/shared/repositories';

export const handler = apiHandler('ProductsFunction', {
  'GET /products': async () => ({
    // Only the public fields, whatever else the table holds.
    items: (await repositories.products.list()).map(({ sku, name, description, price, currency, stock }) => ({
      sku,
      name,
      ...(description !== undefined ? { description } : {}),
      price,
      currency,
      stock,
    })),
  }),
});
