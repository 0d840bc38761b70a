/**
 * The EventBridge API on rules, targets and buses, driven with the real
 * @aws-sdk/client-eventbridge against the service started on its own (with the local SQS as
 * a target). Error codes and messages are AWS's, as LocalStack recorded them against AWS
 * (tests/aws/services/events/*.snapshot.json) or as the API reference states them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DeleteRuleCommand,
  DescribeEventBusCommand,
  DescribeRuleCommand,
  DisableRuleCommand,
  EnableRuleCommand,
  EventBridgeClient,
  ListEventBusesCommand,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  TestEventPatternCommand,
  type Target,
} from '@aws-sdk/client-eventbridge';
import { PurgeQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { startEventBridge, type EventBridgeService } from './eventbridge';
import { startSqs, type SqsService } from './sqs';
import { serviceContext, type TestContext } from '../../test/service-context';

const ACCOUNT = '123456789012';
const QUEUE_ARN = `arn:aws:sqs:us-east-1:${ACCOUNT}:myapp-Inbox`;
const resources = {
  Inbox: { Type: 'AWS::SQS::Queue', Properties: {} },
  OrdersBus: { Type: 'AWS::Events::EventBus', Properties: { Name: 'orders' } },
  AuditRule: {
    Type: 'AWS::Events::Rule',
    Properties: { Name: 'audit', EventPattern: { source: ['myapp.audit'] }, Targets: [{ Id: 'inbox', Arn: QUEUE_ARN }] },
  },
};

let stateDir: string;
let ctx: TestContext;
let sqs: SqsService;
let eb: EventBridgeService;
let client: EventBridgeClient;

async function start(res: Record<string, unknown> = resources): Promise<void> {
  ctx = serviceContext({ resources: res, stateDir });
  sqs = await startSqs(ctx, { port: 0 });
  ctx.urls.sqs = sqs.url;
  eb = await startEventBridge(ctx, { port: 0, retryDelayMs: () => 5 });
  client = new EventBridgeClient({
    endpoint: eb.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}
async function stop(): Promise<void> {
  client.destroy();
  await eb.stop();
  await sqs.stop();
}

beforeAll(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'eb-api-'));
  await start();
});
afterAll(async () => {
  await stop();
  rmSync(stateDir, { recursive: true, force: true });
});

/** The error a call fails with, as [code, message]. */
async function failure(p: Promise<unknown>): Promise<[string, string]> {
  try {
    await p;
  } catch (err) {
    return [(err as Error).name, (err as Error).message];
  }
  throw new Error('the call succeeded');
}
const put = (source: string, detail: object, EventBusName?: string) =>
  client.send(new PutEventsCommand({ Entries: [{ Source: source, DetailType: 'Test', Detail: JSON.stringify(detail), EventBusName }] }));
const bodies = () => sqs.peek('myapp-Inbox').map((m) => JSON.parse(m.Body) as unknown);
async function drain(): Promise<void> {
  const c = new SQSClient({ endpoint: sqs.url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  await c.send(new PurgeQueueCommand({ QueueUrl: sqs.queueUrl('myapp-Inbox') }));
  c.destroy();
}

describe('TestEventPattern', () => {
  const event = (over: object = {}) =>
    JSON.stringify({
      id: '1',
      account: ACCOUNT,
      source: 'myapp.orders',
      time: '2026-01-01T00:00:00Z',
      region: 'us-east-1',
      resources: [],
      'detail-type': 'OrderCreated',
      detail: { total: 300 },
      ...over,
    });
  const test = (EventPattern: unknown, Event = event()) =>
    client.send(
      new TestEventPatternCommand({ EventPattern: typeof EventPattern === 'string' ? EventPattern : JSON.stringify(EventPattern), Event }),
    );

  it('answers whether the pattern matches', async () => {
    expect((await test({ source: ['myapp.orders'], detail: { total: [{ numeric: ['>', 100] }] } })).Result).toBe(true);
    expect((await test({ source: ['myapp.users'] })).Result).toBe(false);
  });

  it('refuses an invalid pattern with InvalidEventPatternException and its reason', async () => {
    expect(await failure(test({ source: [{ prefix: 1 }] }))).toEqual([
      'InvalidEventPatternException',
      'Event pattern is not valid. Reason: prefix match pattern must be a string',
    ]);
    expect(await failure(test({ source: [] }))).toEqual([
      'InvalidEventPatternException',
      'Event pattern is not valid. Reason: Empty arrays are not allowed',
    ]);
  });

  it('refuses an event that is not one with ValidationException "Parameter Event is not valid."', async () => {
    for (const bad of ['plain string', '["plain string"]', '{"testEvent":"value"}', event({ 'detail-type': undefined })]) {
      expect(await failure(test({ source: ['x'] }, bad))).toEqual(['ValidationException', 'Parameter Event is not valid.']);
    }
  });

  it('takes an event without resources (the API reference lists it, AWS does not require it)', async () => {
    const e = JSON.parse(event()) as Record<string, unknown>;
    delete e.resources;
    expect((await test({ source: ['myapp.orders'] }, JSON.stringify(e))).Result).toBe(true);
  });
});

describe('PutRule and DescribeRule', () => {
  it('creates a rule on the default bus and on a declared bus, and describes it as AWS does', async () => {
    const a = await client.send(new PutRuleCommand({ Name: 'r-default', EventPattern: '{"source":["myapp.a"]}', Description: 'first' }));
    expect(a.RuleArn).toBe(`arn:aws:events:us-east-1:${ACCOUNT}:rule/r-default`);
    const b = await client.send(
      new PutRuleCommand({ Name: 'r-orders', EventPattern: '{"source":["myapp.b"]}', EventBusName: 'orders', State: 'DISABLED' }),
    );
    expect(b.RuleArn).toBe(`arn:aws:events:us-east-1:${ACCOUNT}:rule/orders/r-orders`);
    const d = await client.send(new DescribeRuleCommand({ Name: 'r-default' }));
    expect(d).toMatchObject({
      Name: 'r-default',
      Arn: a.RuleArn,
      EventPattern: '{"source":["myapp.a"]}',
      State: 'ENABLED',
      Description: 'first',
      EventBusName: 'default',
      CreatedBy: ACCOUNT,
    });
    const byArn = await client.send(
      new DescribeRuleCommand({ Name: 'r-orders', EventBusName: `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/orders` }),
    );
    expect(byArn).toMatchObject({ State: 'DISABLED', EventBusName: 'orders' });
  });

  it('replaces the rule on a second PutRule: what it omits is dropped, State is ENABLED again, targets stay', async () => {
    await client.send(new PutRuleCommand({ Name: 'r-replace', EventPattern: '{"source":["x"]}', Description: 'old', State: 'DISABLED' }));
    await client.send(new PutTargetsCommand({ Rule: 'r-replace', Targets: [{ Id: 'inbox', Arn: QUEUE_ARN }] }));
    await client.send(new PutRuleCommand({ Name: 'r-replace', EventPattern: '{"source":["y"]}' }));
    const d = await client.send(new DescribeRuleCommand({ Name: 'r-replace' }));
    expect(d).toMatchObject({ EventPattern: '{"source":["y"]}', State: 'ENABLED' });
    expect(d.Description).toBeUndefined();
    expect((await client.send(new ListTargetsByRuleCommand({ Rule: 'r-replace' }))).Targets).toEqual([{ Id: 'inbox', Arn: QUEUE_ARN }]);
  });

  it('refuses what EventBridge refuses, and changes nothing', async () => {
    const cases: Array<[object, [string, string]]> = [
      [
        { Name: 'bad name!', EventPattern: '{"source":["x"]}' },
        [
          'ValidationException',
          "1 validation error detected: Value 'bad name!' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+",
        ],
      ],
      [
        { Name: 'x'.repeat(65), EventPattern: '{"source":["x"]}', State: 'ON' },
        [
          'ValidationException',
          `2 validation errors detected: Value '${'x'.repeat(65)}' at 'name' failed to satisfy constraint: Member must have length less than or equal to 64; Value 'ON' at 'state' failed to satisfy constraint: Member must satisfy enum value set: [ENABLED, DISABLED, ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS]`,
        ],
      ],
      [{ Name: 'r-none' }, ['ValidationException', 'Parameter(s) EventPattern or ScheduleExpression must be specified.']],
      [
        { Name: 'r-sched', ScheduleExpression: 'rate(5 minutes)', EventBusName: 'orders' },
        ['ValidationException', 'ScheduleExpression is supported only on the default event bus.'],
      ],
      [{ Name: 'r-sched', ScheduleExpression: 'cron(0 1 * * * *)' }, ['ValidationException', 'Parameter ScheduleExpression is not valid.']],
      [
        { Name: 'r-pattern', EventPattern: '{"detail":{"n":[{"numeric":[">"]}]}}' },
        ['InvalidEventPatternException', expect.stringMatching(/^Event pattern is not valid\. Reason: /)],
      ],
      [
        { Name: 'r-nobus', EventPattern: '{"source":["x"]}', EventBusName: 'nowhere' },
        ['ResourceNotFoundException', 'Event bus nowhere does not exist.'],
      ],
    ];
    for (const [input, expected] of cases) expect(await failure(client.send(new PutRuleCommand(input as never)))).toEqual(expected);
    const names = (await client.send(new ListRulesCommand({ NamePrefix: 'r-' }))).Rules!.map((r) => r.Name);
    expect(names).not.toEqual(expect.arrayContaining(['r-none', 'r-sched', 'r-pattern', 'r-nobus']));
    expect(await failure(client.send(new DescribeRuleCommand({ Name: 'r-sched' })))).toEqual([
      'ResourceNotFoundException',
      'Rule r-sched does not exist on EventBus default.',
    ]);
  });
});

describe('ListRules', () => {
  beforeAll(async () => {
    for (const n of ['page-3', 'page-1', 'page-0', 'page-2', 'page-4'])
      await client.send(new PutRuleCommand({ Name: n, EventPattern: '{"source":["p"]}' }));
  });

  it('filters by NamePrefix, sorts by name and pages with Limit and NextToken', async () => {
    const first = await client.send(new ListRulesCommand({ NamePrefix: 'page-', Limit: 3 }));
    expect(first.Rules!.map((r) => r.Name)).toEqual(['page-0', 'page-1', 'page-2']);
    expect(first.Rules![0]).toEqual({
      Name: 'page-0',
      Arn: `arn:aws:events:us-east-1:${ACCOUNT}:rule/page-0`,
      EventPattern: '{"source":["p"]}',
      State: 'ENABLED',
      EventBusName: 'default',
    });
    const second = await client.send(new ListRulesCommand({ NamePrefix: 'page-', Limit: 3, NextToken: first.NextToken }));
    expect(second.Rules!.map((r) => r.Name)).toEqual(['page-3', 'page-4']);
    expect(second.NextToken).toBeUndefined();
    expect(await failure(client.send(new ListRulesCommand({ NamePrefix: 'other-', NextToken: first.NextToken })))).toEqual([
      'ValidationException',
      'The NextToken provided is not valid for this request.',
    ]);
    expect(await failure(client.send(new ListRulesCommand({ Limit: 101 })))).toEqual([
      'ValidationException',
      "1 validation error detected: Value '101' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100",
    ]);
  });

  it('lists the rules of one bus: the template rule on default, not the other bus rules', async () => {
    const all = (await client.send(new ListRulesCommand({}))).Rules!.map((r) => r.Name);
    expect(all).toContain('audit');
    expect(all).not.toContain('r-orders');
    expect((await client.send(new ListRulesCommand({ EventBusName: 'orders' }))).Rules!.map((r) => r.Name)).toEqual(['r-orders']);
    expect(await failure(client.send(new ListRulesCommand({ EventBusName: 'nowhere' })))).toEqual([
      'ResourceNotFoundException',
      'Event bus nowhere does not exist.',
    ]);
  });
});

describe('targets and delivery', () => {
  const transformer: Target = {
    Id: 'shaped',
    Arn: QUEUE_ARN,
    InputTransformer: { InputPathsMap: { order: '$.detail.orderId' }, InputTemplate: '{"order": <order>, "rule": <aws.events.rule-name>}' },
  };

  it('adds targets with PutTargets, lists them, and routes matching events to them', async () => {
    await client.send(
      new PutRuleCommand({
        Name: 'deliver',
        EventPattern: JSON.stringify({ source: ['myapp.deliver'], detail: { total: [{ numeric: ['>=', 100] }] } }),
      }),
    );
    const out = await client.send(new PutTargetsCommand({ Rule: 'deliver', Targets: [transformer] }));
    expect(out).toMatchObject({ FailedEntryCount: 0, FailedEntries: [] });
    expect((await client.send(new ListTargetsByRuleCommand({ Rule: 'deliver' }))).Targets).toEqual([transformer]);
    await drain();
    await put('myapp.deliver', { orderId: 'o-1', total: 150 });
    await put('myapp.deliver', { orderId: 'o-2', total: 50 });
    await eb.idle();
    expect(bodies()).toEqual([{ order: 'o-1', rule: 'deliver' }]);
  });

  it('stops delivering while the rule is disabled, and starts again when it is enabled', async () => {
    await drain();
    await client.send(new DisableRuleCommand({ Name: 'deliver' }));
    expect((await client.send(new DescribeRuleCommand({ Name: 'deliver' }))).State).toBe('DISABLED');
    await put('myapp.deliver', { orderId: 'o-off', total: 150 });
    await eb.idle();
    expect(bodies()).toEqual([]);
    await client.send(new EnableRuleCommand({ Name: 'deliver' }));
    await put('myapp.deliver', { orderId: 'o-on', total: 150 });
    await eb.idle();
    expect(bodies()).toEqual([{ order: 'o-on', rule: 'deliver' }]);
    expect(await failure(client.send(new DisableRuleCommand({ Name: 'nope' })))).toEqual([
      'ResourceNotFoundException',
      'Rule nope does not exist on EventBus default.',
    ]);
  });

  it('answers FailedEntries for a target whose ARN is not one, and keeps the others', async () => {
    const out = await client.send(
      new PutTargetsCommand({
        Rule: 'deliver',
        Targets: [
          { Id: 'bad', Arn: 'not-an-arn' },
          { Id: 'raw', Arn: QUEUE_ARN },
        ],
      }),
    );
    expect(out).toEqual(
      expect.objectContaining({
        FailedEntryCount: 1,
        FailedEntries: [
          {
            TargetId: 'bad',
            ErrorCode: 'ValidationException',
            ErrorMessage: 'Parameter not-an-arn is not valid. Reason: Provided Arn is not in correct format.',
          },
        ],
      }),
    );
    expect((await client.send(new ListTargetsByRuleCommand({ Rule: 'deliver' }))).Targets!.map((t) => t.Id)).toEqual(['shaped', 'raw']);
  });

  it('refuses invalid targets and a sixth target, changing nothing', async () => {
    const refuse = (Targets: Target[], Rule = 'deliver') => failure(client.send(new PutTargetsCommand({ Rule, Targets })));
    expect(await refuse([{ Id: '!@#$@!#$', Arn: QUEUE_ARN }])).toEqual([
      'ValidationException',
      "1 validation error detected: Value '!@#$@!#$' at 'targets.1.member.id' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+",
    ]);
    expect(await refuse([{ Id: 't', Arn: QUEUE_ARN, InputPath: '$.detail', Input: '{}' }])).toEqual([
      'ValidationException',
      'Only one of Input, InputPath, or InputTransformer must be provided for target t.',
    ]);
    expect(await refuse([{ Id: 't', Arn: QUEUE_ARN, InputTransformer: { InputTemplate: '{"a": <notdefinedkey>}' } }])).toEqual([
      'ValidationException',
      'InputTemplate for target t contains invalid placeholder notdefinedkey.',
    ]);
    expect(await refuse([{ Id: 't', Arn: QUEUE_ARN }], 'nope')).toEqual([
      'ResourceNotFoundException',
      'Rule nope does not exist on EventBus default.',
    ]);
    const four = ['t3', 't4', 't5', 't6'].map((Id) => ({ Id, Arn: QUEUE_ARN }));
    expect(await refuse(four)).toEqual(['LimitExceededException', 'The requested resource exceeds the maximum number allowed.']);
    expect((await client.send(new ListTargetsByRuleCommand({ Rule: 'deliver' }))).Targets!.map((t) => t.Id)).toEqual(['shaped', 'raw']);
  });

  it('replaces a target put again with the same Id, and pages ListTargetsByRule', async () => {
    await client.send(
      new PutTargetsCommand({
        Rule: 'deliver',
        Targets: [
          { Id: 'raw', Arn: QUEUE_ARN, InputPath: '$.detail' },
          { Id: 'third', Arn: QUEUE_ARN },
        ],
      }),
    );
    const first = await client.send(new ListTargetsByRuleCommand({ Rule: 'deliver', Limit: 2 }));
    expect(first.Targets!.map((t) => [t.Id, t.InputPath])).toEqual([
      ['shaped', undefined],
      ['raw', '$.detail'],
    ]);
    const rest = await client.send(new ListTargetsByRuleCommand({ Rule: 'deliver', Limit: 2, NextToken: first.NextToken }));
    expect(rest.Targets!.map((t) => t.Id)).toEqual(['third']);
    expect(rest.NextToken).toBeUndefined();
  });

  it("refuses DeleteRule while targets remain (AWS's message), then deletes after RemoveTargets; deleting again succeeds", async () => {
    expect(await failure(client.send(new DeleteRuleCommand({ Name: 'deliver' })))).toEqual([
      'ValidationException',
      "Rule can't be deleted since it has targets.",
    ]);
    const removed = await client.send(new RemoveTargetsCommand({ Rule: 'deliver', Ids: ['shaped', 'raw', 'third', 'never-there'] }));
    expect(removed).toMatchObject({ FailedEntryCount: 0, FailedEntries: [] });
    await client.send(new DeleteRuleCommand({ Name: 'deliver' }));
    await client.send(new DeleteRuleCommand({ Name: 'deliver' }));
    expect(await failure(client.send(new DescribeRuleCommand({ Name: 'deliver' })))).toEqual([
      'ResourceNotFoundException',
      'Rule deliver does not exist on EventBus default.',
    ]);
    expect(await failure(client.send(new DeleteRuleCommand({ Name: 'deliver', EventBusName: 'nowhere' })))).toEqual([
      'ResourceNotFoundException',
      'Event bus nowhere does not exist.',
    ]);
  });

  it('routes events on a declared bus to that bus rules only', async () => {
    await client.send(new PutRuleCommand({ Name: 'on-orders', EventPattern: '{"source":["myapp.bus"]}', EventBusName: 'orders' }));
    await client.send(
      new PutTargetsCommand({
        Rule: 'on-orders',
        EventBusName: 'orders',
        Targets: [{ Id: 'q', Arn: QUEUE_ARN, Input: '{"via":"orders"}' }],
      }),
    );
    await drain();
    await put('myapp.bus', {});
    await put('myapp.bus', {}, `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/orders`);
    await eb.idle();
    expect(bodies()).toEqual([{ via: 'orders' }]);
  });
});

describe('scheduled rules made with PutRule', () => {
  it('are armed when created, delivered a Scheduled Event, and disarmed when disabled', async () => {
    await client.send(new PutRuleCommand({ Name: 'every-5', ScheduleExpression: 'rate(5 minutes)' }));
    await client.send(new PutTargetsCommand({ Rule: 'every-5', Targets: [{ Id: 'q', Arn: QUEUE_ARN }] }));
    expect(eb.describe()).toEqual(
      expect.arrayContaining([expect.stringMatching(/^schedule rate\(5 minutes\) -> myapp-Inbox \(every-5, next /)]),
    );
    await drain();
    await eb.fire('every-5');
    expect(bodies()).toEqual([
      expect.objectContaining({
        source: 'aws.events',
        'detail-type': 'Scheduled Event',
        resources: [`arn:aws:events:us-east-1:${ACCOUNT}:rule/every-5`],
        detail: {},
      }),
    ]);
    await client.send(new DisableRuleCommand({ Name: 'every-5' }));
    expect(eb.describe().some((l) => l.includes('every-5'))).toBe(false);
  });
});

describe('event buses', () => {
  it('lists default and the buses the template declares', async () => {
    expect((await client.send(new ListEventBusesCommand({}))).EventBuses).toEqual([
      { Name: 'default', Arn: `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/default` },
      { Name: 'orders', Arn: `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/orders` },
    ]);
    expect(await client.send(new DescribeEventBusCommand({ Name: 'orders' }))).toMatchObject({
      Name: 'orders',
      Arn: `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/orders`,
    });
  });

  it('names an operation it does not emulate', async () => {
    const res = await fetch(eb.url, {
      method: 'POST',
      headers: { 'x-amz-target': 'AWSEvents.CreateArchive', 'content-type': 'application/x-amz-json-1.1' },
      body: '{}',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      __type: 'UnknownOperationException',
      message: 'CreateArchive is not emulated by the local EventBridge (local/README.md lists what is)',
    });
  });
});

describe('after a restart (same state dir)', () => {
  it('keeps the rules made with PutRule and their targets, and the changes made to template rules', async () => {
    await client.send(new PutRuleCommand({ Name: 'keep-me', EventPattern: '{"source":["myapp.keep"]}' }));
    await client.send(new PutTargetsCommand({ Rule: 'keep-me', Targets: [{ Id: 'q', Arn: QUEUE_ARN, Input: '{"kept":true}' }] }));
    await client.send(new DisableRuleCommand({ Name: 'audit' })); // a template rule: drift
    await stop();
    await start();
    expect(await client.send(new DescribeRuleCommand({ Name: 'keep-me' }))).toMatchObject({
      EventPattern: '{"source":["myapp.keep"]}',
      State: 'ENABLED',
    });
    expect((await client.send(new DescribeRuleCommand({ Name: 'audit' }))).State).toBe('DISABLED');
    await drain();
    await put('myapp.keep', {});
    await put('myapp.audit', {});
    await eb.idle();
    expect(bodies()).toEqual([{ kept: true }]);
  });

  it('lets the template win once it changes a rule, and keeps a deleted template rule deleted until then', async () => {
    await client.send(new RemoveTargetsCommand({ Rule: 'audit', Ids: ['inbox'] }));
    await client.send(new DeleteRuleCommand({ Name: 'audit' }));
    await stop();
    await start();
    expect(await failure(client.send(new DescribeRuleCommand({ Name: 'audit' })))).toEqual([
      'ResourceNotFoundException',
      'Rule audit does not exist on EventBus default.',
    ]);
    await stop();
    const changed = {
      ...resources,
      AuditRule: {
        ...resources.AuditRule,
        Properties: { ...resources.AuditRule.Properties, EventPattern: { source: ['myapp.audit', 'myapp.audit2'] } },
      },
    };
    await start(changed);
    expect(await client.send(new DescribeRuleCommand({ Name: 'audit' }))).toMatchObject({
      State: 'ENABLED',
      EventPattern: '{"source":["myapp.audit","myapp.audit2"]}',
    });
    expect((await client.send(new ListTargetsByRuleCommand({ Rule: 'audit' }))).Targets).toEqual([{ Id: 'inbox', Arn: QUEUE_ARN }]);
    expect(await client.send(new DescribeRuleCommand({ Name: 'keep-me' }))).toMatchObject({ State: 'ENABLED' });
  });
});
