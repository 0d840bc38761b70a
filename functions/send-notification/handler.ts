/**
 * OrderWorkflow task: tells the customer the order is confirmed. The notification is a
 * structured log line; an email (SES) would be sent here from the same object.
 */
import { logger } from '@myapp/shared/lambda';
import { buildNotification, taskHandler } from '@myapp/shared/pipeline';

export const handler = taskHandler(async (deps, input) => {
  const notification = await buildNotification(deps, input);
  if (notification) logger.info('NOTIFICATION', { notification });
  return { orderId: input.orderId, userId: input.userId, notified: notification !== undefined };
});
