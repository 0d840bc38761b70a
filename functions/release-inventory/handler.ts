/** OrderWorkflow task. Compensation: gives reserved stock back (only if still reserved). */
import { Logger } from '@aws-lambda-powertools/logger';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CompensationInput, releaseInventory, pipelineDeps, type PipelineDeps } from '@myapp/shared';
import type { Context } from 'aws-lambda';

const logger = new Logger();
const tracer = new Tracer();
let deps: PipelineDeps | undefined;

export const handler = async (event: unknown, context: Context) => {
  logger.addContext(context);
  const input = CompensationInput.parse(event);
  logger.appendKeys({ orderId: input.orderId });
  deps ??= pipelineDeps(tracer.captureAWSv3Client(new DynamoDBClient({})));
  const result = await releaseInventory(deps, input);
  logger.info('releaseInventory', { result });
  return result;
};
