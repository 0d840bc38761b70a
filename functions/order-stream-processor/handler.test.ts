import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from './handler';

const events = mockClient(EventBridgeClient);
const context = { awsRequestId: 'req-1', functionName: 'fn', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;
const img = (o: Record<string, unknown>) => marshall(o) as NonNullable<DynamoDBRecord['dynamodb']>['NewImage'];
const rec = (
  seq: string,
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE',
  next?: Record<string, unknown>,
  prev?: Record<string, unknown>,
): DynamoDBRecord => ({
  eventID: `e-${seq}`,
  eventName,
  eventSource: 'aws:dynamodb',
  dynamodb: {
    SequenceNumber: seq,
    Keys: img({ userId: 'u', orderId: String(next?.orderId ?? prev?.orderId) }),
    ...(next ? { NewImage: img(next) } : {}),
    ...(prev ? { OldImage: img(prev) } : {}),
    StreamViewType: 'NEW_AND_OLD_IMAGES',
  },
});
const order = (orderId: string, status: string, version = 1) => ({
  userId: 'u',
  orderId,
  status,
  version,
  total: 100,
  currency: 'USD',
  createdAt: '2026-01-01T00:00:00Z',
});
const sent = () => events.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries![0]!);

beforeEach(() => {
  events.reset();
  process.env.EVENT_BUS_NAME = 'default';
});

describe('order-stream-processor', () => {
  it('publishes OrderCreated on INSERT and OrderStatusChanged only when the status changed', async () => {
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'x' }] });
    const batch: DynamoDBStreamEvent = {
      Records: [
        rec('1', 'INSERT', order('o-1', 'PLACED')),
        rec('2', 'MODIFY', order('o-1', 'VALIDATED', 2), order('o-1', 'PLACED')),
        rec('3', 'MODIFY', { ...order('o-1', 'VALIDATED', 3), executionArn: 'arn' }, order('o-1', 'VALIDATED', 2)),
        rec('4', 'REMOVE', undefined, order('o-1', 'VALIDATED', 3)),
      ],
    };
    await expect(handler(batch, context)).resolves.toEqual({ batchItemFailures: [] });
    expect(sent().map((e) => [e.Source, e.DetailType, JSON.parse(e.Detail!)])).toEqual([
      ['myapp.orders', 'OrderCreated', expect.objectContaining({ orderId: 'o-1', userId: 'u', status: 'PLACED' })],
      ['myapp.orders', 'OrderStatusChanged', { orderId: 'o-1', userId: 'u', from: 'PLACED', to: 'VALIDATED' }],
    ]);
    expect(sent().every((e) => e.EventBusName === 'default')).toBe(true);
  });

  it('reports only the records whose event failed (FailedEntryCount or a throw)', async () => {
    events
      .on(PutEventsCommand)
      .resolvesOnce({ FailedEntryCount: 0, Entries: [{ EventId: 'a' }] })
      .resolvesOnce({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'x' }] })
      .rejectsOnce(new Error('network'))
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'd' }] });
    const batch: DynamoDBStreamEvent = { Records: ['1', '2', '3', '4'].map((s) => rec(s, 'INSERT', order(`o-${s}`, 'PLACED'))) };
    await expect(handler(batch, context)).resolves.toEqual({ batchItemFailures: [{ itemIdentifier: '2' }, { itemIdentifier: '3' }] });
  });
});

describe('order-stream-processor with a malformed record', () => {
  it('fails only the record that is not a valid order', async () => {
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'x' }] });
    const batch: DynamoDBStreamEvent = {
      Records: [
        rec('1', 'INSERT', order('o-1', 'PLACED')),
        rec('2', 'INSERT', { userId: 'u', orderId: 'bad', status: 'BOGUS' }),
        rec('3', 'INSERT', order('o-3', 'PLACED')),
      ],
    };
    await expect(handler(batch, context)).resolves.toEqual({ batchItemFailures: [{ itemIdentifier: '2' }] });
    expect(events.commandCalls(PutEventsCommand)).toHaveLength(2);
  });
});
