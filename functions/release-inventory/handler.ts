/** OrderWorkflow task. Compensation: gives reserved stock back (only if still reserved). */
import { logger } from '@myapp/shared/lambda';
import { CompensationInput, releaseInventory, taskHandler } from '@myapp/shared/pipeline';

export const handler = taskHandler(
  async (deps, input) => {
    const result = await releaseInventory(deps, input);
    logger.info('releaseInventory', { result });
    return result;
  },
  { input: CompensationInput },
);
