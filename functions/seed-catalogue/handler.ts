/**
 * Custom::Catalogue: loads the product catalogue (layers/shared/src/catalogue) into
 * ProductsTable on Create and Update. A product that already exists keeps its stock, so a
 * redeploy never refills the shelves; Delete leaves the data (the table has its own lifecycle).
 */
import { CATALOGUE, customResourceHandler } from '@myapp/shared/catalogue';
import { logger } from '@myapp/shared/lambda';
import { repositories } from '@myapp/shared/repositories';

export const handler = customResourceHandler(async (event) => {
  if (event.RequestType === 'Delete') return {};
  const result = await repositories.products.addMissing(CATALOGUE);
  logger.info('Catalogue seeded', { ...result, requestType: event.RequestType });
  return result;
});
