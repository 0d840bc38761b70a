/**
 * EventBridge as a developer drives it against `npm start` (template.yaml): SDK v3 clients
 * made with no endpoint, pointed at the stack by the environment `npm run aws-env` prints
 * (AWS_ENDPOINT_URL_EVENTBRIDGE, _SQS, _SFN). A rule added with PutRule + PutTargets routes
 * PutEvents to an SQS queue and to a Lambda function (whose effect, a Step Functions
 * execution named after the order, is read back); DisableRule stops delivery; the rule
 * survives a restart; DeleteRule needs RemoveTargets first; a Step Functions target starts an
 * execution with the transformed input; TestEventPattern answers every
 * case of the pattern table as the matcher does.
 */
import { randomUUID } from 'node:crypto';
import {
  DeleteRuleCommand,
  DescribeRuleCommand,
  DisableRuleCommand,
  EnableRuleCommand,
  EventBridgeClient,
  ListRulesCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  TestEventPatternCommand,
} from '@aws-sdk/client-eventbridge';
import { DescribeExecutionCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { CreateQueueCommand, DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { PATTERN_CASES } from '../../local/src/services/event-patterns.cases';
import { PatternError, matchesPattern, parseEventPattern, parseJson } from '../../local/src/services/event-patterns';
import { startLocalRuntime, useAwsEnvOf, type LocalRuntimeHandle } from '../support/runtime';

jest.setTimeout(180_000);

let rt: LocalRuntimeHandle;
const saved = { ...process.env };
let eb: EventBridgeClient;
let sqs: SQSClient;
let sfn: SFNClient;

/** The environment `npm run -s aws-env` prints, then clients that know nothing of local. */
function pointAt(stateDir: string): void {
  useAwsEnvOf(stateDir);
  eb?.destroy();
  sqs?.destroy();
  sfn?.destroy();
  [eb, sqs, sfn] = [new EventBridgeClient({}), new SQSClient({}), new SFNClient({})];
}

const RULE = `it-checkout-${randomUUID().slice(0, 8)}`;
const SOURCE = 'it.eventbridge-api';
let queueUrl: string;
let queueArn: string;

beforeAll(async () => {
  rt = await startLocalRuntime();
  pointAt(rt.stateDir);
  queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `${RULE}-inbox` }))).QueueUrl!;
  queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
});
afterAll(async () => {
  eb?.destroy();
  sqs?.destroy();
  sfn?.destroy();
  await rt?.stop();
  process.env = saved;
});

const checkout = (orderId: string) =>
  eb.send(
    new PutEventsCommand({ Entries: [{ Source: SOURCE, DetailType: 'Checkout', Detail: JSON.stringify({ orderId, userId: 'u-eb' }) }] }),
  );

/** Messages until `until` holds of what arrived (or the wait ends), each deleted once read. */
async function receive(until: (bodies: unknown[]) => boolean, waitMs = 15_000): Promise<unknown[]> {
  const bodies: unknown[] = [];
  const deadline = Date.now() + waitMs;
  while (!until(bodies) && Date.now() < deadline) {
    const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
    for (const m of r.Messages ?? []) {
      bodies.push(JSON.parse(m.Body!));
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle }));
    }
  }
  return bodies;
}
const orderOf = (b: unknown) => (b as { order: string }).order;

describe('a rule added at run time', () => {
  it('routes PutEvents to an SQS queue and to a Lambda function', async () => {
    const region = rt.outputs.Region ?? 'us-east-1';
    const functionArn = `arn:aws:lambda:${region}:123456789012:function:myapp-StartOrderWorkflowFunction`;
    const put = await eb.send(
      new PutRuleCommand({
        Name: RULE,
        EventPattern: JSON.stringify({ source: [SOURCE], 'detail-type': ['Checkout'] }),
        Description: 'added by a test',
      }),
    );
    expect(put.RuleArn).toBe(`arn:aws:events:${region}:123456789012:rule/${RULE}`);
    const targets = await eb.send(
      new PutTargetsCommand({
        Rule: RULE,
        Targets: [
          {
            Id: 'inbox',
            Arn: queueArn,
            InputTransformer: {
              InputPathsMap: { order: '$.detail.orderId' },
              InputTemplate: '{"order": <order>, "rule": <aws.events.rule-name>}',
            },
          },
          // The function takes an OrderCreated event: the transformer makes one of a Checkout.
          {
            Id: 'workflow',
            Arn: functionArn,
            InputTransformer: {
              InputPathsMap: { order: '$.detail.orderId', user: '$.detail.userId' },
              InputTemplate: '{"source": "myapp.orders", "detail-type": "OrderCreated", "detail": {"orderId": <order>, "userId": <user>}}',
            },
          },
        ],
      }),
    );
    expect(targets).toMatchObject({ FailedEntryCount: 0, FailedEntries: [] });
    const rules = (await eb.send(new ListRulesCommand({}))).Rules!.map((r) => r.Name);
    expect(rules).toEqual(expect.arrayContaining([RULE, 'myapp-StartOrderWorkflowFunctionOrderCreated', 'myapp-CleanupFunctionHourly']));

    const orderId = `o-eb-${randomUUID().slice(0, 8)}`;
    expect((await checkout(orderId)).FailedEntryCount).toBe(0);
    expect(await receive((b) => b.length > 0)).toEqual([{ order: orderId, rule: RULE }]);
    // The Lambda target's effect: StartOrderWorkflowFunction starts the workflow named after the order.
    const executionArn = `${rt.outputs.OrderWorkflowArn!.replace(':stateMachine:', ':execution:')}:${orderId}`;
    let execution: { input?: string } | undefined;
    for (let i = 0; i < 100 && !execution; i++) {
      execution = await sfn.send(new DescribeExecutionCommand({ executionArn })).catch(() => undefined);
      if (!execution) await new Promise((r) => setTimeout(r, 100));
    }
    expect(JSON.parse(execution!.input!)).toEqual({ orderId, userId: 'u-eb' });
  });

  it('delivers nothing while disabled, and again once enabled', async () => {
    await eb.send(new DisableRuleCommand({ Name: RULE }));
    expect((await eb.send(new DescribeRuleCommand({ Name: RULE }))).State).toBe('DISABLED');
    await checkout('o-while-disabled');
    await eb.send(new EnableRuleCommand({ Name: RULE }));
    await checkout('o-enabled-again');
    // Deliveries run in order of PutEvents: had the first been delivered, it would be here first.
    const got = await receive((b) => b.some((x) => orderOf(x) === 'o-enabled-again'));
    expect(got.map(orderOf)).toEqual(['o-enabled-again']);
  });

  it('survives a restart of npm start', async () => {
    await rt.restart();
    pointAt(rt.stateDir);
    expect(await eb.send(new DescribeRuleCommand({ Name: RULE }))).toMatchObject({
      Name: RULE,
      State: 'ENABLED',
      Description: 'added by a test',
    });
    await checkout('o-after-restart');
    expect((await receive((b) => b.length > 0)).map(orderOf)).toEqual(['o-after-restart']);
  });

  it('starts a Step Functions execution with the transformed input', async () => {
    const stateMachineArn = rt.outputs.OrderWorkflowArn!;
    const InputTemplate = '{"orderId": "<order>-direct", "userId": <user>}';
    await eb.send(
      new PutTargetsCommand({
        Rule: RULE,
        Targets: [
          {
            Id: 'machine',
            Arn: stateMachineArn,
            InputTransformer: { InputPathsMap: { order: '$.detail.orderId', user: '$.detail.userId' }, InputTemplate },
          },
        ],
      }),
    );
    await checkout('o-to-sfn');
    let inputs: unknown[] = [];
    for (let i = 0; i < 100 && !inputs.some((x) => (x as { orderId: string }).orderId === 'o-to-sfn-direct'); i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 100));
      const { executions } = await sfn.send(new ListExecutionsCommand({ stateMachineArn }));
      inputs = await Promise.all(
        executions!.map(
          async (x) => JSON.parse((await sfn.send(new DescribeExecutionCommand({ executionArn: x.executionArn }))).input!) as unknown,
        ),
      );
    }
    expect(inputs).toContainEqual({ orderId: 'o-to-sfn-direct', userId: 'u-eb' });
    await receive((b) => b.length > 0); // the queue target's copy
  });

  it('is deleted once its targets are removed', async () => {
    await expect(eb.send(new DeleteRuleCommand({ Name: RULE }))).rejects.toMatchObject({
      name: 'ValidationException',
      message: "Rule can't be deleted since it has targets.",
    });
    expect(await eb.send(new RemoveTargetsCommand({ Rule: RULE, Ids: ['inbox', 'workflow', 'machine'] }))).toMatchObject({
      FailedEntryCount: 0,
    });
    await eb.send(new DeleteRuleCommand({ Name: RULE }));
    await expect(eb.send(new DescribeRuleCommand({ Name: RULE }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: `Rule ${RULE} does not exist on EventBus default.`,
    });
    expect((await eb.send(new ListRulesCommand({ NamePrefix: RULE }))).Rules).toEqual([]);
  });
});

describe('TestEventPattern', () => {
  /** The matcher's own answer, as the unit table checks it. */
  function matcher(pattern: string, event: string): boolean | string {
    try {
      return matchesPattern(parseEventPattern(pattern), parseJson(event));
    } catch (err) {
      if (err instanceof PatternError) return err.message;
      throw err;
    }
  }
  const envelopeFields = ['id', 'account', 'source', 'time', 'region', 'detail-type'];
  const complete = PATTERN_CASES.filter((c) => envelopeFields.every((f) => f in (JSON.parse(c.event) as object)));

  it(`answers the ${PATTERN_CASES.length} cases of the pattern table as the matcher does`, async () => {
    expect(complete.length).toBeGreaterThan(200);
    const differ: string[] = [];
    for (const c of PATTERN_CASES) {
      const answer = await eb.send(new TestEventPatternCommand({ EventPattern: c.pattern, Event: c.event })).then(
        (r) => r.Result as boolean | string,
        (e: Error) => `${e.name}: ${e.message}`,
      );
      const expected = complete.includes(c) ? matcher(c.pattern, c.event) : 'ValidationException: Parameter Event is not valid.';
      const shown =
        typeof expected === 'string' && !expected.startsWith('ValidationException')
          ? `InvalidEventPatternException: ${expected}`
          : expected;
      if (answer !== shown) differ.push(`${c.name}: ${String(answer)} != ${String(shown)}`);
    }
    expect(differ).toEqual([]);
  });
});
