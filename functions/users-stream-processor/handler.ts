/** UsersTable stream → UserCreated on EventBridge, and a WELCOME line per new user. */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { config } from '@myapp/shared/http';
import { publishEvent, userEventFrom } from '@myapp/shared/events';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';

const logger = new Logger();
const tracer = new Tracer();
const processor = new BatchProcessor(EventType.DynamoDBStreams);
const events = tracer.captureAWSv3Client(new EventBridgeClient({}));

const recordHandler = async (record: DynamoDBRecord): Promise<void> => {
  const event = userEventFrom(record);
  if (!event) return;
  await publishEvent(events, config.eventBusName(), event);
  logger.info('WELCOME', { userId: event.Detail.userId, email: event.Detail.email });
};

export const handler = async (event: DynamoDBStreamEvent, context: Context) => {
  logger.addContext(context);
  return processPartialResponse(event, recordHandler, processor, { context });
};
