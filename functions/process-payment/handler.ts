/** OrderWorkflow task. RESERVED → CHARGED through the simulated payment provider. */
import { logger } from '@myapp/shared/lambda';
import { processPayment, taskHandler } from '@myapp/shared/pipeline';

export const handler = taskHandler(async (deps, input) => {
  const result = await processPayment(deps, input);
  logger.info('processPayment', { result });
  return result;
});
