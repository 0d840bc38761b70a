/** OrderWorkflow task. PLACED → VALIDATED: checks lines, total and products. */
import { logger } from '@myapp/shared/lambda';
import { taskHandler, validateOrder } from '@myapp/shared/pipeline';

export const handler = taskHandler(async (deps, input) => {
  const result = await validateOrder(deps, input);
  logger.info('validateOrder', { result });
  return result;
});
