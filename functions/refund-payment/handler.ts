/** OrderWorkflow task. Compensation: refunds a charge still in place (idempotent). */
import { logger } from '@myapp/shared/lambda';
import { CompensationInput, refundPayment, taskHandler } from '@myapp/shared/pipeline';

export const handler = taskHandler(
  async (deps, input) => {
    const result = await refundPayment(deps, input);
    logger.info('refundPayment', { result });
    return result;
  },
  { input: CompensationInput },
);
