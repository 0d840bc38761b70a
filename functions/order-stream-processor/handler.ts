/**
 * OrdersTable stream → EventBridge: OrderCreated on INSERT, OrderStatusChanged on a status
 * change. Partial batch responses: only the failed records are retried.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { config } from '@myapp/shared/http';
import { orderEventFrom, publishEvent } from '@myapp/shared/events';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';

const logger = new Logger();
const tracer = new Tracer();
const processor = new BatchProcessor(EventType.DynamoDBStreams);
const events = tracer.captureAWSv3Client(new EventBridgeClient({}));

const recordHandler = async (record: DynamoDBRecord): Promise<void> => {
  const event = orderEventFrom(record);
  if (!event) return;
  await publishEvent(events, config.eventBusName(), event);
  logger.info('published', { detailType: event.DetailType, orderId: event.Detail.orderId });
};

export const handler = async (event: DynamoDBStreamEvent, context: Context) => {
  logger.addContext(context);
  return processPartialResponse(event, recordHandler, processor, { context });
};
