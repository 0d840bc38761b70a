import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { Context, DynamoDBRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from './handler';

const events = mockClient(EventBridgeClient);
const context = { awsRequestId: 'req-1', functionName: 'fn', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;
const img = (o: Record<string, unknown>) => marshall(o) as NonNullable<DynamoDBRecord['dynamodb']>['NewImage'];
const rec = (seq: string, eventName: 'INSERT' | 'MODIFY', user: Record<string, unknown>): DynamoDBRecord => ({
  eventName,
  dynamodb: {
    SequenceNumber: seq,
    Keys: img({ userId: user.userId }),
    NewImage: img(user),
    ...(eventName === 'MODIFY' ? { OldImage: img(user) } : {}),
  },
});

beforeEach(() => events.reset());

describe('users-stream-processor', () => {
  it('publishes UserCreated for new users only', async () => {
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'x' }] });
    const out = await handler(
      {
        Records: [
          rec('1', 'INSERT', { userId: 'u-1', email: 'a@example.com', name: 'A', plan: 'free' }),
          rec('2', 'MODIFY', { userId: 'u-1', name: 'B' }),
        ],
      },
      context,
    );
    expect(out).toEqual({ batchItemFailures: [] });
    const entries = events.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries![0]!);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ Source: 'myapp.users', DetailType: 'UserCreated', EventBusName: 'default' });
    expect(JSON.parse(entries[0]!.Detail!)).toEqual({ userId: 'u-1', email: 'a@example.com', name: 'A', plan: 'free' });
  });

  it('reports a failed publish as a batch item failure', async () => {
    events
      .on(PutEventsCommand)
      .resolvesOnce({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'ThrottlingException' }] })
      .resolves({ FailedEntryCount: 0, Entries: [{}] });
    const out = await handler({ Records: [rec('7', 'INSERT', { userId: 'u-7' }), rec('8', 'INSERT', { userId: 'u-8' })] }, context);
    expect(out).toEqual({ batchItemFailures: [{ itemIdentifier: '7' }] });
  });
});
