/** OrderWorkflow task. Compensation: refunds a charge still in place (idempotent). */
import { Logger } from '@aws-lambda-powertools/logger';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { CompensationInput, refundPayment, taskHandler } from '@myapp/shared/pipeline';

const logger = new Logger();
const tracer = new Tracer();

export const handler = taskHandler(
  async (deps, input) => {
    const result = await refundPayment(deps, input);
    logger.info('refundPayment', { result });
    return result;
  },
  { logger, tracer, input: CompensationInput },
);
