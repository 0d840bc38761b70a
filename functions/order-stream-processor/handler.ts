/**
 * OrdersTable stream → EventBridge: OrderCreated on INSERT, OrderStatusChanged on a status
 * change. Partial batch responses: only the failed records are retried.
 */
import { orderEventFrom, publishEvent, streamHandler } from '@myapp/shared/events';
import { config } from '@myapp/shared/http';
import { eventBridgeClient, logger } from '@myapp/shared/lambda';

export const handler = streamHandler(async (record) => {
  const event = orderEventFrom(record);
  if (!event) return;
  await publishEvent(eventBridgeClient(), config.eventBusName(), event);
  logger.info('published', { detailType: event.DetailType, orderId: event.Detail.orderId });
});
