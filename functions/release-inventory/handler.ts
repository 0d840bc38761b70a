/** OrderWorkflow task. Compensation: gives reserved stock back (only if still reserved). */
import { Logger } from '@aws-lambda-powertools/logger';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { CompensationInput, releaseInventory, taskHandler } from '@myapp/shared/pipeline';

const logger = new Logger();
const tracer = new Tracer();

export const handler = taskHandler(
  async (deps, input) => {
    const result = await releaseInventory(deps, input);
    logger.info('releaseInventory', { result });
    return result;
  },
  { logger, tracer, input: CompensationInput },
);
