/** OrderWorkflow task. RESERVED → CHARGED through the simulated payment provider. */
import { Logger } from '@aws-lambda-powertools/logger';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { processPayment, taskHandler } from '@myapp/shared/pipeline';

const logger = new Logger();
const tracer = new Tracer();

export const handler = taskHandler(
  async (deps, input) => {
    const result = await processPayment(deps, input);
    logger.info('processPayment', { result });
    return result;
  },
  { logger, tracer },
);
