/** UsersTable stream → UserCreated on EventBridge, and a WELCOME line per new user. */
import { publishEvent, streamHandler, userEventFrom } from '@myapp/shared/events';
import { config } from '@myapp/shared/http';
import { eventBridgeClient, logger } from '@myapp/shared/lambda';

export const handler = streamHandler(async (record) => {
  const event = userEventFrom(record);
  if (!event) return;
  await publishEvent(eventBridgeClient(), config.eventBusName(), event);
  logger.info('WELCOME', { userId: event.Detail.userId, email: event.Detail.email });
});
