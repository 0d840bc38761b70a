/**
 * The stream processors' handler: lambdaHandler around Powertools' batch processing, so one
 * bad record is reported as a batch item failure (retried alone, bisected, then sent to the
 * on-failure queue) while the rest of the batch succeeds.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { lambdaHandler, type LambdaHandler } from '../lambda';

export function streamHandler(
  handleRecord: (record: DynamoDBRecord) => Promise<void>,
): LambdaHandler<DynamoDBStreamEvent, DynamoDBBatchResponse> {
  const processor = new BatchProcessor(EventType.DynamoDBStreams);
  return lambdaHandler((event: DynamoDBStreamEvent, context: Context) =>
    processPartialResponse(event, handleRecord, processor, { context }),
  );
}
