/**
 * OrderWorkflow task. CHARGED → CONFIRMED; counts OrderConfirmed and ConfirmedOrderTotal once per
 * order. (SuccessfulOrder and OrderTotal are counted at creation, by CreateOrderFunction: the
 * dashboard compares the two to see orders entering and leaving the pipeline.)
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { TaskInput, confirmOrder, pipelineDeps, type PipelineDeps } from '@myapp/shared';
import type { Context } from 'aws-lambda';

const logger = new Logger();
const tracer = new Tracer();
const metrics = new Metrics();
let deps: PipelineDeps | undefined;

export const handler = async (event: unknown, context: Context) => {
  logger.addContext(context);
  const input = TaskInput.parse(event);
  logger.appendKeys({ orderId: input.orderId });
  deps ??= pipelineDeps(tracer.captureAWSv3Client(new DynamoDBClient({})));
  const result = await confirmOrder(deps, input);
  // Only the run that made the change counts, so a retried step is not a second sale.
  if (result.changed) {
    const order = await deps.orders.get(input);
    metrics.addMetric('OrderConfirmed', MetricUnit.Count, 1);
    metrics.addMetric('ConfirmedOrderTotal', MetricUnit.NoUnit, order?.total ?? 0);
    metrics.publishStoredMetrics();
  }
  logger.info('confirmOrder', { result });
  return result;
};
