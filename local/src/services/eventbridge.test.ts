/**
 * Local EventBridge with the real @aws-sdk/client-eventbridge: template rules (an
 * AWS::Events::Rule, a SAM EventBridgeRule event and a SAM Schedule event), pattern matching,
 * input shaping, Lambda and SQS targets, a failing target landing in its dead-letter queue,
 * and PutEvents' per-entry answers as AWS gives them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { startEventBridge, type EventBridgeService } from './eventbridge';
import { startSqs, type SqsService } from './sqs';
import { serviceContext } from '../../test/service-context';

const ACCOUNT = '123456789012';
const resources = {
  StartOrderWorkflowFunction: {
    Type: 'AWS::Serverless::Function',
    Properties: {
      Events: {
        OrderCreated: {
          Type: 'EventBridgeRule',
          Properties: {
            Pattern: { source: ['myapp.orders'], 'detail-type': ['OrderCreated'] },
            DeadLetterConfig: { Arn: `arn:aws:sqs:us-east-1:${ACCOUNT}:myapp-RuleDLQ` },
            RetryPolicy: { MaximumRetryAttempts: 2 },
          },
        },
      },
    },
  },
  BigOrders: {
    Type: 'AWS::Events::Rule',
    Properties: {
      EventPattern: { source: ['myapp.orders'], detail: { total: [{ numeric: ['>=', 10000] }] } },
      Targets: [
        {
          Id: 'audit',
          Arn: `arn:aws:sqs:us-east-1:${ACCOUNT}:myapp-Audit`,
          InputTransformer: {
            InputPathsMap: { id: '$.detail.orderId', total: '$.detail.total' },
            InputTemplate: '{"order":"<id>","cents":<total>}',
          },
        },
        {
          Id: 'sfn',
          Arn: `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:nowhere`,
          DeadLetterConfig: { Arn: `arn:aws:sqs:us-east-1:${ACCOUNT}:myapp-RuleDLQ` },
          RetryPolicy: { MaximumRetryAttempts: 1 },
        },
      ],
    },
  },
  CleanupFunction: {
    Type: 'AWS::Serverless::Function',
    Properties: { Events: { Hourly: { Type: 'Schedule', Properties: { Schedule: 'rate(1 hour)' } } } },
  },
  Audit: { Type: 'AWS::SQS::Queue', Properties: {} },
  RuleDLQ: { Type: 'AWS::SQS::Queue', Properties: {} },
};

describe('local EventBridge', () => {
  let stateDir: string;
  let sqs: SqsService;
  let eb: EventBridgeService;
  let client: EventBridgeClient;
  let invoked: Array<{ fn: string; event: Record<string, unknown>; async?: boolean }>;

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'eb-'));
    invoked = [];
    const rt = serviceContext({
      resources,
      stateDir,
      invoke: async (fn, event, opts) => {
        invoked.push({ fn, event: event as Record<string, unknown>, async: opts?.async });
        return { ok: true };
      },
    });
    sqs = await startSqs(rt, { port: 0 });
    // Nothing listens on the Step Functions endpoint: that target must fail over to its DLQ.
    rt.urls.sqs = sqs.url;
    rt.urls.stepfunctions = 'http://127.0.0.1:9';
    eb = await startEventBridge(rt, { port: 0, retryDelayMs: () => 5 });
    client = new EventBridgeClient({
      endpoint: eb.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  });
  afterAll(async () => {
    client.destroy();
    await eb.stop();
    await sqs.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  const put = (detailType: string, detail: object, source = 'myapp.orders') =>
    client.send(
      new PutEventsCommand({
        Entries: [{ Source: source, DetailType: detailType, Detail: JSON.stringify(detail), EventBusName: 'default' }],
      }),
    );

  it('invokes the function of a SAM EventBridgeRule asynchronously with the full event', async () => {
    const out = await put('OrderCreated', { orderId: 'o-1', userId: 'u-1', total: 500 });
    expect(out.FailedEntryCount).toBe(0);
    await eb.idle();
    expect(invoked).toHaveLength(1);
    expect(invoked[0]).toMatchObject({
      fn: 'StartOrderWorkflowFunction',
      async: true,
      event: { source: 'myapp.orders', 'detail-type': 'OrderCreated', account: ACCOUNT, detail: { orderId: 'o-1' } },
    });
    expect(invoked[0]!.event.id).toBe(out.Entries![0]!.EventId);
  });

  it('does not deliver events the patterns do not match', async () => {
    invoked.length = 0;
    await put('OrderStatusChanged', { orderId: 'o-2', total: 5 });
    await put('OrderCreated', { orderId: 'o-3' }, 'myapp.users');
    await eb.idle();
    expect(invoked).toHaveLength(0);
    expect(sqs.peek('myapp-Audit')).toHaveLength(0);
  });

  it('shapes SQS input with an InputTransformer and dead-letters a target that keeps failing', async () => {
    await put('OrderStatusChanged', { orderId: 'o-big', total: 12000 });
    await eb.idle();
    expect(sqs.peek('myapp-Audit').map((m) => JSON.parse(m.Body))).toEqual([{ order: 'o-big', cents: 12000 }]);
    const dead = sqs.peek('myapp-RuleDLQ').map((m) => JSON.parse(m.Body) as { detail: { orderId: string } });
    expect(dead.map((e) => e.detail.orderId)).toEqual(['o-big']);
  });

  // AWS's answers as LocalStack recorded them (test_events.snapshot.json: test_put_events_without_source,
  // test_put_event_without_detail(_type), test_put_event_malformed_detail, test_put_events_nonexistent_event_bus).
  it('answers each entry as PutEvents does: required fields, malformed detail, and a bus that does not exist (accepted, dropped)', async () => {
    const entries = [
      { DetailType: 'y', Detail: '{}' },
      { Source: 'x', Detail: '{}' },
      { Source: 'x', DetailType: 'y' },
      ...['not json', '["a"]', '"a string"'].map((Detail) => ({ Source: 'x', DetailType: 'y', Detail })),
      { Source: 'myapp.orders', DetailType: 'OrderCreated', Detail: '{"orderId":"o-lost"}', EventBusName: 'nope' },
    ];
    invoked.length = 0;
    const out = await client.send(new PutEventsCommand({ Entries: entries }));
    expect(out.FailedEntryCount).toBe(6);
    expect(out.Entries!.slice(0, 6).map((e) => [e.ErrorCode, e.ErrorMessage])).toEqual([
      ['InvalidArgument', 'Parameter Source is not valid. Reason: Source is a required argument.'],
      ['InvalidArgument', 'Parameter DetailType is not valid. Reason: DetailType is a required argument.'],
      ['InvalidArgument', 'Parameter Detail is not valid. Reason: Detail is a required argument.'],
      ...Array(3).fill(['MalformedDetail', 'Detail is malformed.']),
    ]);
    expect(out.Entries![6]).toEqual({ EventId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    await eb.idle();
    expect(invoked).toHaveLength(0);
  });

  it('refuses more than 10 entries, and entries over 256 KB in all', async () => {
    const entry = { Source: 'x', DetailType: 'y', Detail: '{}' };
    await expect(client.send(new PutEventsCommand({ Entries: Array(11).fill(entry) }))).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringMatching(/at 'entries' failed to satisfy constraint: Member must have length less than or equal to 10$/),
    });
    const big = { ...entry, Detail: JSON.stringify({ pad: 'x'.repeat(90_000) }) };
    await expect(client.send(new PutEventsCommand({ Entries: [big, big, big] }))).rejects.toMatchObject({
      name: 'ValidationException',
      message: 'Total size of the entries in the request is over the limit.',
    });
    expect((await client.send(new PutEventsCommand({ Entries: [big, big] }))).FailedEntryCount).toBe(0);
  });

  it('fires a SAM Schedule event with a Scheduled Event, and lists it', async () => {
    invoked.length = 0;
    expect(eb.describe()).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^schedule rate\(1 hour\) -> myapp-CleanupFunction \(myapp-CleanupFunctionHourly, next /),
      ]),
    );
    await eb.fire('CleanupFunction');
    expect(invoked).toHaveLength(1);
    expect(invoked[0]).toMatchObject({
      fn: 'CleanupFunction',
      async: true,
      event: { source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} },
    });
    expect((invoked[0]!.event.resources as string[])[0]).toMatch(/:rule\/myapp-CleanupFunctionHourly$/);
  });
});
