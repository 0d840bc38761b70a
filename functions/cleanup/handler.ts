/** Scheduled (rate(1 hour)): marks EXPIRED the orders still PLACED past their expiresAt. */
import { lambdaHandler, logger } from '@myapp/shared/lambda';
import { expireStaleOrders } from '@myapp/shared/order-service';
import { repositories } from '@myapp/shared/repositories';

export const handler = lambdaHandler(async () => {
  const result = await expireStaleOrders(repositories.orders, Math.floor(Date.now() / 1000));
  logger.info('cleanup', { ...result });
  return result;
});
