/**
 * Streams → function against the real DynamoDB Local: Lambda-shaped batches, partial batch
 * failures with bisection, the on-failure record in the SQS destination, and checkpoints
 * that survive a restart.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { startDynamoDbLocal, type DynamoDbLocal } from '../dynamodb';
import { freePort } from '../ports';
import { startSqs, type SqsService } from './sqs';
import { startStreams, type StreamsService } from './streams';
import { serviceContext } from '../../test/service-context';

interface Rec {
  eventName: string;
  eventSourceARN: string;
  awsRegion: string;
  dynamodb: {
    Keys: { id: { S: string } };
    NewImage?: { id: { S: string } };
    SequenceNumber: string;
    StreamViewType: string;
    ApproximateCreationDateTime: number;
  };
}

describe('local DynamoDB streams', () => {
  let ddb: DynamoDbLocal;
  let sqs: SqsService;
  let streams: StreamsService | undefined;
  let stateDir: string;
  let seen: string[] = [];
  let batches: number[] = [];
  let lastRecord: Rec | undefined;

  const rt = () =>
    serviceContext({
      stateDir,
      urls: { dynamodb: ddb?.endpoint ?? '', sqs: sqs?.url ?? '' },
      resources: {
        Table: { Type: 'AWS::DynamoDB::Table', Properties: {} },
        ProcessorFunction: {
          Type: 'AWS::Serverless::Function',
          Properties: {
            Events: {
              Stream: {
                Type: 'DynamoDB',
                Properties: {
                  Stream: 'arn:aws:dynamodb:us-east-1:123456789012:table/myapp-Table/stream/local',
                  StartingPosition: 'TRIM_HORIZON',
                  BatchSize: 100,
                  FunctionResponseTypes: ['ReportBatchItemFailures'],
                  BisectBatchOnFunctionError: true,
                  MaximumRetryAttempts: 2,
                  DestinationConfig: { OnFailure: { Type: 'SQS', Destination: 'arn:aws:sqs:us-east-1:123456789012:myapp-OrderDLQ' } },
                },
              },
            },
          },
        },
        OrderDLQ: { Type: 'AWS::SQS::Queue', Properties: {} },
      },
      invoke: async (_fn, event) => {
        const records = (event as { Records: Rec[] }).Records;
        batches.push(records.length);
        const failures: Array<{ itemIdentifier: string }> = [];
        for (const r of records) {
          lastRecord = r;
          const id = r.dynamodb.Keys.id.S;
          if (id.startsWith('poison')) failures.push({ itemIdentifier: r.dynamodb.SequenceNumber });
          else seen.push(id);
        }
        return { ok: true, payload: { batchItemFailures: failures } };
      },
    });

  const put = (id: string) => ddb.client.send(new PutItemCommand({ TableName: 'myapp-Table', Item: { id: { S: id } } }));
  async function until(cond: () => boolean, ms = 15000) {
    const end = Date.now() + ms;
    while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    expect(cond()).toBe(true);
  }

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'streams-'));
    ddb = await startDynamoDbLocal({ port: await freePort(), inMemory: true });
    await ddb.client.send(
      new CreateTableCommand({
        TableName: 'myapp-Table',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
      }),
    );
    sqs = await startSqs(rt(), { port: 0 });
  });
  afterAll(async () => {
    await streams?.stop();
    await sqs.stop();
    await ddb.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('delivers Lambda-shaped records, isolates a poison record into the DLQ, and processes the rest', async () => {
    for (const id of ['a1', 'a2', 'poison-1', 'a3', 'a4']) await put(id);
    streams = await startStreams(rt(), { pollMs: 50, retryDelayMs: 5 });
    await until(() => sqs.peek('myapp-OrderDLQ').length === 1 && seen.includes('a4'));
    expect([...new Set(seen)].sort()).toEqual(['a1', 'a2', 'a3', 'a4']);
    expect(lastRecord).toMatchObject({ eventName: 'INSERT', awsRegion: 'us-east-1', dynamodb: { StreamViewType: 'NEW_AND_OLD_IMAGES' } });
    expect(lastRecord!.eventSourceARN).toMatch(/^arn:aws:dynamodb:.*:table\/myapp-Table\/stream\//);
    expect(typeof lastRecord!.dynamodb.ApproximateCreationDateTime).toBe('number');
    const failure = JSON.parse(sqs.peek('myapp-OrderDLQ')[0]!.Body) as {
      requestContext: { condition: string; approximateInvokeCount: number };
      DDBStreamBatchInfo: { batchSize: number; shardId: string; startSequenceNumber: string; endSequenceNumber: string };
    };
    expect(failure.requestContext.condition).toBe('RetryAttemptsExhausted');
    expect(failure.requestContext.approximateInvokeCount).toBe(3); // 1 + MaximumRetryAttempts 2
    expect(failure.DDBStreamBatchInfo.batchSize).toBe(1);
    expect(failure.DDBStreamBatchInfo.startSequenceNumber).toBe(failure.DDBStreamBatchInfo.endSequenceNumber);
    expect(failure.DDBStreamBatchInfo.shardId).toBeTruthy();
  });

  it('resumes after a restart from its checkpoint: nothing replayed, nothing skipped', async () => {
    await streams!.idle();
    await streams!.stop();
    streams = undefined;
    seen = [];
    batches = [];
    await put('b1'); // written while nothing consumes the stream
    streams = await startStreams(rt(), { pollMs: 50, retryDelayMs: 5 });
    await until(() => seen.includes('b1'));
    await streams.idle();
    expect(seen).toEqual(['b1']);
    expect(sqs.peek('myapp-OrderDLQ')).toHaveLength(1);
  });
});
