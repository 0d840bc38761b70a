/**
 * A poison record for the OrdersTable stream and a look at `order-dlq`, shared by the
 * pipeline integration test and the faults resilience suite. The poison is an item that is
 * not an order (no valid status): the stream processor cannot publish it, so after its
 * retries (bisected down to that one record) it must land in the DLQ while the records
 * around it are processed.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, GetQueueUrlCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';

const creds = { accessKeyId: 'local', secretAccessKey: 'local' };
export const ORDERS_TABLE = 'myapp-OrdersTable';
export const ORDER_DLQ = 'myapp-order-dlq';

/** Lambda's on-failure record for a stream batch (the fields the tests read). */
export interface StreamFailureRecord {
  requestContext?: { condition?: string; approximateInvokeCount?: number };
  DDBStreamBatchInfo?: { batchSize: number; streamArn: string; shardId: string; startSequenceNumber: string; endSequenceNumber: string };
}

/** Writes a record the stream processor cannot handle; returns its key. */
export async function putPoisonOrder(outputs: Record<string, string>): Promise<{ userId: string; orderId: string }> {
  const ddb = new DynamoDBClient({ endpoint: outputs.DynamoDBEndpoint, region: outputs.Region ?? 'us-east-1', credentials: creds });
  try {
    const key = { userId: 'poison', orderId: `poison-${randomUUID()}` };
    await ddb.send(
      new PutItemCommand({
        TableName: ORDERS_TABLE,
        Item: { userId: { S: key.userId }, orderId: { S: key.orderId }, status: { S: 'BOGUS' } },
      }),
    );
    return key;
  } finally {
    ddb.destroy();
  }
}

/** Messages in `order-dlq` now (visible ones; the tests never hide them). */
export async function dlqDepth(outputs: Record<string, string>): Promise<number> {
  const sqs = new SQSClient({ endpoint: outputs.SQSEndpoint, region: outputs.Region ?? 'us-east-1', credentials: creds });
  try {
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: ORDER_DLQ }));
    const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }));
    return Number(attrs.Attributes?.ApproximateNumberOfMessages ?? 0);
  } finally {
    sqs.destroy();
  }
}

/**
 * Waits (bounded) until `order-dlq` holds at least `min` messages and returns their bodies.
 * Reads with VisibilityTimeout 0, so the messages stay for later looks.
 */
export async function waitForDlqRecords(outputs: Record<string, string>, min = 1, timeoutMs = 60_000): Promise<StreamFailureRecord[]> {
  const sqs = new SQSClient({ endpoint: outputs.SQSEndpoint, region: outputs.Region ?? 'us-east-1', credentials: creds });
  try {
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: ORDER_DLQ }));
    const seen = new Map<string, StreamFailureRecord>();
    const end = Date.now() + timeoutMs;
    for (let i = 0; i < 600 && Date.now() < end && seen.size < min; i++) {
      const got = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: 0 }),
      );
      for (const m of got.Messages ?? []) seen.set(m.MessageId!, JSON.parse(m.Body!) as StreamFailureRecord);
    }
    return [...seen.values()];
  } finally {
    sqs.destroy();
  }
}
