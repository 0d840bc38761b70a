/** OrderWorkflow task. VALIDATED → RESERVED: reserves all lines in one transaction. */
import { logger } from '@myapp/shared/lambda';
import { reserveInventory, taskHandler } from '@myapp/shared/pipeline';

export const handler = taskHandler(async (deps, input) => {
  const result = await reserveInventory(deps, input);
  logger.info('reserveInventory', { result });
  return result;
});
