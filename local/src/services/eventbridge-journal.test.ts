/**
 * EventBridge's delivery journal: what is appended is on disk before append() returns,
 * completed deliveries leave it, compaction keeps only what is pending, and the next open
 * resumes the rest (a line cut short by a kill is skipped). Then the EventBridge service
 * over it, with the real SQS service and SDK: a delivery still retrying when EventBridge
 * stops is delivered by the next start; one whose rule or target is gone by then goes to the
 * target's dead-letter queue (or is dropped, without one) with a log line.
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { serviceContext } from '../../test/service-context';
import { parseJson } from './event-patterns';
import { startEventBridge, type EventBridgeService } from './eventbridge';
import { DeliveryJournal, eventText, type JournalledEvent } from './eventbridge-journal';
import { toJson } from './eventbridge-targets';
import { startSqs, type SqsService } from './sqs';

const ACCOUNT = '123456789012';

/** An event as PutEvents makes it, with `n` deliveries; its JSON text as the journal writes it. */
function journalled(id: string, n: number, detailText = '{"total": 300.0,\n "sku": "a"}') {
  const envelope = { version: '0', id, 'detail-type': 'OrderCreated', source: 'myapp.orders', resources: [] };
  const deliveries = Array.from({ length: n }, (_, i) => ({
    id: `${id}#${i}`,
    bus: 'default',
    rule: 'orders',
    ruleArn: `arn:aws:events:us-east-1:${ACCOUNT}:rule/orders`,
    target: `t${i}`,
    targetArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:q${i}`,
  }));
  const entry: JournalledEvent = {
    event: { ...envelope, detail: parseJson(detailText) },
    ingestionTime: '2024-01-01T00:00:00Z',
    deliveries,
  };
  return { entry, text: eventText(envelope, detailText) };
}

const lines = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean);
const tick = () => new Promise((r) => setImmediate(r));

describe('DeliveryJournal', () => {
  let dir: string;
  let file: string;
  const logs: string[] = [];
  const open = (compactAfter?: number) => {
    const j = new DeliveryJournal(file, (m) => logs.push(m), compactAfter);
    return { j, left: j.open() };
  };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'eb-journal-'));
    file = join(dir, 'eventbridge', 'deliveries.jsonl');
    logs.length = 0;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('has a call on disk, in one line, when append returns, and resumes what was not completed', async () => {
    const { j, left } = open();
    expect(left).toEqual([]);
    j.append([journalled('e1', 2), journalled('e2', 1)]);
    // No close: what a kill -9 leaves is what is on disk now.
    expect(lines(file)).toHaveLength(1);
    j.complete('e1#0');
    j.complete('e2#0');
    j.complete('e2#0'); // twice: no effect
    expect(j.size).toBe(1);
    await tick(); // done marks are batched to the next turn of the event loop
    expect(lines(file)).toHaveLength(2);

    const again = open();
    expect(again.left.map((e) => e.deliveries.map((d) => d.id))).toEqual([['e1#1']]);
    // The event comes back as PutEvents made it: numbers keep their text.
    expect(toJson(again.left[0]!.event)).toBe(
      '{"version":"0","id":"e1","detail-type":"OrderCreated","source":"myapp.orders","resources":[],"detail":{"total":300.0,"sku":"a"}}',
    );
    expect(lines(file)).toHaveLength(1); // compacted on open
    again.j.close();
  });

  it('writes pending done marks with the next append, and at close', () => {
    const { j } = open();
    j.append([journalled('e1', 1)]);
    j.complete('e1#0');
    j.append([journalled('e2', 1)]);
    expect(lines(file).map((l) => Object.keys(JSON.parse(l) as object)[0])).toEqual(['put', 'done', 'put']);
    j.complete('e2#0');
    j.close();
    expect(open().left).toEqual([]);
  });

  it('compacts to what is pending once enough deliveries have finished', () => {
    const { j } = open(3);
    j.append([journalled('e1', 2)]);
    j.append([journalled('e2', 2)]);
    j.complete('e1#0');
    j.complete('e1#1');
    expect(lines(file)).toHaveLength(2);
    j.complete('e2#0'); // the third: the file is now e2's one pending delivery
    expect(lines(file)).toHaveLength(1);
    expect((JSON.parse(lines(file)[0]!) as { put: JournalledEvent[] }).put[0]!.deliveries.map((d) => d.id)).toEqual(['e2#1']);
    j.append([journalled('e3', 1)]);
    j.close();
    expect(open().left.map((e) => e.event.id)).toEqual(['e2', 'e3']);
  });

  it('skips a line a kill cut short, and appends after it on a line of its own', () => {
    const first = open();
    first.j.append([journalled('e1', 1)]);
    first.j.close();
    appendFileSync(file, lines(file)[0]!.replace('e1', 'e9').slice(0, 40)); // the kill's half line, no newline
    const second = open();
    expect(second.left.map((e) => e.event.id)).toEqual(['e1']);
    second.j.append([journalled('e2', 1)]);
    second.j.close();
    expect(open().left.map((e) => e.event.id)).toEqual(['e1', 'e2']);
  });

  it('refuses an append once closed (the call must not be acknowledged)', () => {
    const { j } = open();
    j.close();
    expect(() => j.append([journalled('e1', 1)])).toThrow(/not open/);
  });
});

describe('EventBridge deliveries across a stop', () => {
  let stateDir: string;
  let sqs: SqsService;
  let sqsClient: SQSClient;
  const logs: string[] = [];
  const queueArn = (name: string) => `arn:aws:sqs:us-east-1:${ACCOUNT}:${name}`;
  const rule = (target: object) => ({
    Type: 'AWS::Events::Rule',
    Properties: { EventPattern: { source: ['myapp.orders'] }, Targets: [target] },
  });
  const resources = {
    Orders: rule({ Id: 'inbox', Arn: queueArn('myapp-Later'), RetryPolicy: { MaximumRetryAttempts: 3 } }),
    Audit: rule({ Id: 'audit', Arn: queueArn('myapp-Missing'), DeadLetterConfig: { Arn: queueArn('myapp-RuleDLQ') } }),
    Metrics: rule({ Id: 'metrics', Arn: queueArn('myapp-Missing') }),
    RuleDLQ: { Type: 'AWS::SQS::Queue', Properties: {} },
  };
  const context = (res: Record<string, unknown>) => {
    const ctx = serviceContext({ resources: res, stateDir, log: (_s, m) => logs.push(m) });
    ctx.urls.sqs = sqs.url;
    return ctx;
  };
  const running: EventBridgeService[] = [];
  /** EventBridge whose failed deliveries wait a minute before each retry: still pending when it stops. */
  const start = async (res: Record<string, unknown>) => {
    const eb = await startEventBridge(context(res), { port: 0, retryDelayMs: () => 60_000 });
    running.push(eb);
    return eb;
  };

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'eb-resume-'));
    sqs = await startSqs(serviceContext({ resources, stateDir }), { port: 0 });
    sqsClient = new SQSClient({ endpoint: sqs.url, region: 'us-east-1', credentials: { accessKeyId: 'l', secretAccessKey: 'l' } });
  });
  afterAll(async () => {
    for (const eb of running) await eb.stop(); // those a failed assertion left running (stop twice is harmless)
    sqsClient.destroy();
    await sqs.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('delivers after the next start what was still retrying at the stop, and sends what lost its rule to the DLQ', async () => {
    const first: EventBridgeService = await start(resources);
    first.allStarted();
    const client = new EventBridgeClient({
      endpoint: first.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'l', secretAccessKey: 'l' },
    });
    const out = await client.send(
      new PutEventsCommand({
        Entries: [{ Source: 'myapp.orders', DetailType: 'OrderCreated', Detail: '{"orderId":"o-1","total":300.0}' }],
      }),
    );
    client.destroy();
    const eventId = out.Entries![0]!.EventId!;
    await new Promise((r) => setTimeout(r, 100)); // the first attempts fail: no such queues yet
    expect(first.journal.size).toBe(3);
    await first.stop(); // at once: the retries waiting end, the deliveries stay journalled
    expect(sqs.peek('myapp-RuleDLQ')).toEqual([]);

    // The queue exists now; the template no longer has the Audit and Metrics rules.
    await sqsClient.send(new CreateQueueCommand({ QueueName: 'myapp-Later' }));
    const second = await start({ Orders: resources.Orders, RuleDLQ: resources.RuleDLQ });
    second.allStarted();
    await second.idle();
    expect(second.journal.size).toBe(0);
    await second.stop();

    const delivered = sqs.peek('myapp-Later').map((m) => m.Body);
    expect(delivered).toHaveLength(1);
    expect(delivered[0]).toContain(`"id":"${eventId}"`);
    expect(delivered[0]).toContain('"total":300.0');
    const dead = await sqsClient.send(
      new ReceiveMessageCommand({ QueueUrl: sqs.queueUrl('myapp-RuleDLQ'), MessageAttributeNames: ['All'], MaxNumberOfMessages: 10 }),
    );
    expect(dead.Messages).toHaveLength(1);
    expect(JSON.parse(dead.Messages![0]!.Body!)).toMatchObject({ id: eventId, detail: { orderId: 'o-1' } });
    expect(dead.Messages![0]!.MessageAttributes).toMatchObject({
      ERROR_CODE: { StringValue: 'RESOURCE_NOT_FOUND' },
      RULE_ARN: { StringValue: expect.stringMatching(/:rule\/myapp-Audit$/) },
      TARGET_ARN: { StringValue: queueArn('myapp-Missing') },
    });
    const said = logs.join('\n');
    expect(said).toMatch(/resuming 3 deliveries of 1 event\(s\) acknowledged before the last stop/);
    expect(said).toMatch(
      /myapp-Missing, but the rule myapp-Audit \(bus default\) no longer exists: sent to its dead-letter queue myapp-RuleDLQ/,
    );
    expect(said).toMatch(/myapp-Missing, but the rule myapp-Metrics \(bus default\) no longer exists: dropped/);

    // Nothing is delivered a second time by a third start.
    const third = await start({ Orders: resources.Orders, RuleDLQ: resources.RuleDLQ });
    third.allStarted();
    expect(third.journal.size).toBe(0);
    await third.stop();
    expect(sqs.peek('myapp-Later')).toHaveLength(1);
  });
});
