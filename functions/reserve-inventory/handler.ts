/** OrderWorkflow task. VALIDATED → RESERVED: reserves all lines in one transaction. */
import { Logger } from '@aws-lambda-powertools/logger';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { reserveInventory, taskHandler } from '@myapp/shared/pipeline';

const logger = new Logger();
const tracer = new Tracer();

export const handler = taskHandler(
  async (deps, input) => {
    const result = await reserveInventory(deps, input);
    logger.info('reserveInventory', { result });
    return result;
  },
  { logger, tracer },
);
