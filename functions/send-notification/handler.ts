/**
 * OrderWorkflow task: tells the customer the order is confirmed. The notification is a
 * structured log line; an email (SES) would be sent here from the same object.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { TaskInput, buildNotification, pipelineDeps, type PipelineDeps } from '@myapp/shared';
import type { Context } from 'aws-lambda';

const logger = new Logger();
const tracer = new Tracer();
let deps: PipelineDeps | undefined;

export const handler = async (event: unknown, context: Context) => {
  logger.addContext(context);
  const input = TaskInput.parse(event);
  logger.appendKeys({ orderId: input.orderId });
  deps ??= pipelineDeps(tracer.captureAWSv3Client(new DynamoDBClient({})));
  const notification = await buildNotification(deps, input);
  if (notification) logger.info('NOTIFICATION', { notification });
  return { orderId: input.orderId, userId: input.userId, notified: notification !== undefined };
};
