/**
 * Local EventBridge with the real @aws-sdk/client-eventbridge: template rules (an
 * AWS::Events::Rule and a SAM EventBridgeRule event), pattern matching, input shaping,
 * Lambda and SQS targets, and a failing target landing in its dead-letter queue.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { startEventBridge, targetInput, type EventBridgeService } from './eventbridge';
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
          { Id: 'audit', Arn: `arn:aws:sqs:us-east-1:${ACCOUNT}:myapp-Audit`, InputTransformer: { InputPathsMap: { id: '$.detail.orderId', total: '$.detail.total' }, InputTemplate: '{"order":"<id>","cents":<total>}' } },
          { Id: 'sfn', Arn: `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:nowhere`, DeadLetterConfig: { Arn: `arn:aws:sqs:us-east-1:${ACCOUNT}:myapp-RuleDLQ` }, RetryPolicy: { MaximumRetryAttempts: 1 } },
        ],
      },
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
    client = new EventBridgeClient({ endpoint: eb.url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  });
  afterAll(async () => {
    client.destroy();
    await eb.stop();
    await sqs.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  const put = (detailType: string, detail: object, source = 'myapp.orders') =>
    client.send(new PutEventsCommand({ Entries: [{ Source: source, DetailType: detailType, Detail: JSON.stringify(detail), EventBusName: 'default' }] }));

  it('invokes the function of a SAM EventBridgeRule asynchronously with the full event', async () => {
    const out = await put('OrderCreated', { orderId: 'o-1', userId: 'u-1', total: 500 });
    expect(out.FailedEntryCount).toBe(0);
    await eb.idle();
    expect(invoked).toHaveLength(1);
    expect(invoked[0]).toMatchObject({ fn: 'StartOrderWorkflowFunction', async: true, event: { source: 'myapp.orders', 'detail-type': 'OrderCreated', account: ACCOUNT, detail: { orderId: 'o-1' } } });
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

  it('reports malformed entries per entry, as PutEvents does', async () => {
    const out = await client.send(new PutEventsCommand({ Entries: [{ Source: 'x', DetailType: 'y', Detail: 'not json' }, { Source: 'x', DetailType: 'y', Detail: '{}', EventBusName: 'nope' }] }));
    expect(out.FailedEntryCount).toBe(2);
    expect(out.Entries?.map((e) => e.ErrorCode)).toEqual(['MalformedDetail', 'ResourceNotFoundException']);
  });

  it('applies Input and InputPath', () => {
    const event = { detail: { orderId: 'o', userId: 'u' } };
    expect(targetInput({ Id: 't', Arn: 'a', Input: '{"fixed":1}' }, event)).toBe('{"fixed":1}');
    expect(JSON.parse(targetInput({ Id: 't', Arn: 'a', InputPath: '$.detail' }, event))).toEqual({ orderId: 'o', userId: 'u' });
  });
});
