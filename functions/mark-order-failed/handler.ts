/** OrderWorkflow task. Compensation end: marks the order FAILED with the caught error as reason. */
import { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CompensationInput, markOrderFailed, pipelineDeps, type PipelineDeps } from '@myapp/shared';
import type { Context } from 'aws-lambda';

const logger = new Logger();
const tracer = new Tracer();
const metrics = new Metrics();
let deps: PipelineDeps | undefined;

export const handler = async (event: unknown, context: Context) => {
  logger.addContext(context);
  const input = CompensationInput.parse(event);
  logger.appendKeys({ orderId: input.orderId });
  deps ??= pipelineDeps(tracer.captureAWSv3Client(new DynamoDBClient({})));
  const result = await markOrderFailed(deps, input);
  logger.info('markOrderFailed', { result, error: input.error?.Error });
  // Failures by cause (the error the failing step raised: PaymentDeclined, OutOfStock, ...),
  // so the dashboard shows where orders fall out of the pipeline.
  const failure = metrics.singleMetric();
  failure.addDimension('error', input.error?.Error ?? 'Unknown');
  failure.addMetric('OrderFailed', MetricUnit.Count, 1);
  return result;
};
