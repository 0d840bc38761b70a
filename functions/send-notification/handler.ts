/**
 * OrderWorkflow task: tells the customer the order is confirmed. The notification is a
 * structured log line; an email (SES) would be sent here from the same object.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { buildNotification, taskHandler } from '@myapp/shared/pipeline';

const logger = new Logger();
const tracer = new Tracer();

export const handler = taskHandler(
  async (deps, input) => {
    const notification = await buildNotification(deps, input);
    if (notification) logger.info('NOTIFICATION', { notification });
    return { orderId: input.orderId, userId: input.userId, notified: notification !== undefined };
  },
  { logger, tracer },
);
