/**
 * Nothing EventBridge acknowledged is lost to kill -9 (fixtures/eventbridge-durable.yaml),
 * with SDK v3 clients pointed at the stack as `npm run aws-env` does: PutEvents answers for an
 * event neither of whose targets can take it yet (the inbox queue does not exist, the audit
 * rule's target never will: both are retrying), the runtime's process group gets SIGKILL right
 * after the answer, and a restart on the same state dir, now with the inbox and without the
 * audit rule, delivers the event to the inbox and sends the audit delivery to its dead-letter
 * queue, once each.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import { startLocalRuntime, useAwsEnvOf, type LocalRuntimeHandle } from '../support/runtime';

jest.setTimeout(180_000);

const FIXTURE = 'tests/integration/fixtures/eventbridge-durable.yaml';
let rt: LocalRuntimeHandle;
const saved = { ...process.env };
let eb: EventBridgeClient | undefined;
let sqs: SQSClient | undefined;

/** The environment `npm run -s aws-env` prints, then clients that know nothing of local. */
function pointAt(stateDir: string): void {
  useAwsEnvOf(stateDir);
  eb?.destroy();
  sqs?.destroy();
  [eb, sqs] = [new EventBridgeClient({}), new SQSClient({})];
}

/** Every message the queue has within `waitMs`, each deleted once read. */
async function drain(queueUrl: string, waitMs = 5000): Promise<Message[]> {
  const got: Message[] = [];
  const deadline = Date.now() + waitMs;
  while (Date.now() < deadline) {
    const r = await sqs!.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageAttributeNames: ['All'] }),
    );
    for (const m of r.Messages ?? []) {
      got.push(m);
      await sqs!.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle }));
    }
  }
  return got;
}

beforeAll(async () => {
  rt = await startLocalRuntime({ template: FIXTURE });
  pointAt(rt.stateDir);
});
afterAll(async () => {
  eb?.destroy();
  sqs?.destroy();
  await rt?.stop();
  process.env = saved;
});

it('delivers after a restart what PutEvents acknowledged before a kill -9', async () => {
  const out = await eb!.send(
    new PutEventsCommand({
      Entries: [{ Source: 'it.durable', DetailType: 'OrderCreated', Detail: '{"orderId":"o-kill-9","total":300.0}' }],
    }),
  );
  await rt.kill(); // both deliveries are waiting for a retry (0.2 s, 0.4 s, 0.8 s): nothing delivered, nothing dead-lettered
  expect(out.FailedEntryCount).toBe(0);
  const eventId = out.Entries![0]!.EventId!;
  // The acknowledged deliveries were on disk when the process died.
  expect(readFileSync(join(rt.stateDir, 'eventbridge', 'deliveries.jsonl'), 'utf8')).toContain(`"id":"${eventId}"`);

  await rt.restart({ parameterOverrides: { WithInbox: 'true' } });
  pointAt(rt.stateDir);
  const delivered = await drain(rt.outputs.InboxUrl!);
  expect(delivered.map((m) => JSON.parse(m.Body!) as { id: string; detail: unknown })).toEqual([
    expect.objectContaining({ id: eventId, source: 'it.durable', detail: { orderId: 'o-kill-9', total: 300 } }),
  ]);
  expect(delivered[0]!.Body).toContain('"total":300.0'); // the event as PutEvents took it, numbers' text kept
  const dead = await drain(rt.outputs.RuleDLQUrl!, 2000);
  expect(dead).toHaveLength(1);
  expect(JSON.parse(dead[0]!.Body!)).toMatchObject({ id: eventId });
  expect(dead[0]!.MessageAttributes).toMatchObject({
    ERROR_CODE: { StringValue: 'RESOURCE_NOT_FOUND' },
    RULE_ARN: { StringValue: expect.stringMatching(/:rule\/[\w-]+-AuditRule$/) },
  });
  expect(rt.output()).toMatch(/resuming 2 deliveries of 1 event\(s\) acknowledged before the last stop/);
  expect(rt.output()).toMatch(/but the rule [\w-]+-AuditRule \(bus default\) no longer exists: sent to its dead-letter queue/);

  // Delivered is done: a third start delivers nothing again.
  await rt.restart({ parameterOverrides: { WithInbox: 'true' } });
  pointAt(rt.stateDir);
  expect(await drain(rt.outputs.InboxUrl!, 2000)).toEqual([]);
  expect(rt.output().match(/resuming \d+ deliver/g)).toHaveLength(1);
});
