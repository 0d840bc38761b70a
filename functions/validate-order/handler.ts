/** OrderWorkflow task. PLACED → VALIDATED: checks lines, total and products. */
import { Logger } from '@aws-lambda-powertools/logger';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { validateOrder, taskHandler } from '@myapp/shared/pipeline';

const logger = new Logger();
const tracer = new Tracer();

export const handler = taskHandler(
  async (deps, input) => {
    const result = await validateOrder(deps, input);
    logger.info('validateOrder', { result });
    return result;
  },
  { logger, tracer },
);
