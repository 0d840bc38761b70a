import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InvokeResult } from '../contract';
import { AsyncInvokeQueue, asyncInvokeConfig, type AsyncInvokeConfig, type AsyncQueueDeps } from './async-queue';

const fnError: InvokeResult = { ok: false, error: { errorType: 'Error', errorMessage: 'boom' } };
const throttled: InvokeResult = { ok: false, error: { errorType: 'TooManyRequestsException', errorMessage: 'Rate Exceeded.' } };

function harness(
  o: {
    results?: (event: any, n: number) => InvokeResult | Promise<InvokeResult>;
    config?: Partial<AsyncInvokeConfig>;
    concurrency?: number;
    journal?: string;
    sendFails?: number;
  } = {},
) {
  const calls: unknown[] = [];
  const sent: { target: unknown; body: unknown; error: unknown }[] = [];
  let sendFails = o.sendFails ?? 0;
  let running = 0;
  let maxRunning = 0;
  const deps: AsyncQueueDeps = {
    invoke: async (_id, event) => {
      calls.push(event);
      running++;
      maxRunning = Math.max(maxRunning, running);
      try {
        await new Promise((r) => setTimeout(r, 5));
        return (await o.results?.(event, calls.length)) ?? { ok: true, payload: null };
      } finally {
        running--;
      }
    },
    concurrency: () => o.concurrency ?? 2,
    config: () => ({ maxRetries: 2, maxEventAgeMs: 60_000, ...o.config }),
    functionArn: (id) => `arn:aws:lambda:us-east-1:123456789012:function:${id}`,
    sendOnFailure: async (target, body, error) => {
      if (sendFails-- > 0) throw new Error('queue unavailable');
      sent.push({ target, body, error });
    },
    log: () => undefined,
    retryDelayMs: () => 10,
    ...(o.journal ? { journal: o.journal } : {}),
  };
  const q = new AsyncInvokeQueue(deps);
  return { q, calls, sent, maxRunning: () => maxRunning };
}

describe('asyncInvokeConfig', () => {
  it('reads EventInvokeConfig first, then DeadLetterQueue, with Lambda defaults', () => {
    expect(asyncInvokeConfig({})).toEqual({ maxRetries: 2, maxEventAgeMs: 21_600_000 });
    expect(asyncInvokeConfig({ DeadLetterQueue: { Type: 'SQS', TargetArn: 'arn:aws:sqs:us-east-1:1:dlq' } }).onFailure).toEqual({
      arn: 'arn:aws:sqs:us-east-1:1:dlq',
      kind: 'dlq',
    });
    const both = asyncInvokeConfig({
      DeadLetterQueue: { Type: 'SQS', TargetArn: 'arn:aws:sqs:us-east-1:1:dlq' },
      EventInvokeConfig: {
        MaximumRetryAttempts: 0,
        MaximumEventAgeInSeconds: 120,
        DestinationConfig: { OnFailure: { Type: 'SQS', Destination: 'arn:aws:sqs:us-east-1:1:dest' } },
      },
    });
    expect(both).toEqual({
      maxRetries: 0,
      maxEventAgeMs: 120_000,
      onFailure: { arn: 'arn:aws:sqs:us-east-1:1:dest', kind: 'destination' },
    });
  });
});

describe('AsyncInvokeQueue', () => {
  it('runs every event once, never more than the function concurrency at a time', async () => {
    const h = harness({ concurrency: 3 });
    for (let i = 0; i < 20; i++) h.q.enqueue('Fn', { i });
    await h.q.idle(5000);
    expect(h.calls).toHaveLength(20);
    expect(new Set(h.calls.map((c: any) => c.i)).size).toBe(20);
    expect(h.maxRunning()).toBe(3);
  });

  it('retries a function error MaximumRetryAttempts times, then sends the bare event to the DLQ', async () => {
    const h = harness({ results: () => fnError, config: { onFailure: { arn: 'arn:aws:sqs:us-east-1:1:dlq', kind: 'dlq' } } });
    h.q.enqueue('Fn', { order: 1 });
    await h.q.idle(5000);
    expect(h.calls).toHaveLength(3);
    expect(h.sent).toEqual([
      { target: { arn: 'arn:aws:sqs:us-east-1:1:dlq', kind: 'dlq' }, body: { order: 1 }, error: { code: 'Error', message: 'boom' } },
    ]);
  });

  it("sends Lambda's invocation record to an OnFailure destination", async () => {
    const h = harness({
      results: () => fnError,
      config: { maxRetries: 0, onFailure: { arn: 'arn:aws:sqs:us-east-1:1:dest', kind: 'destination' } },
    });
    h.q.enqueue('Fn', { order: 2 });
    await h.q.idle(5000);
    expect(h.calls).toHaveLength(1);
    const body = h.sent[0]!.body as any;
    expect(body.requestPayload).toEqual({ order: 2 });
    expect(body.requestContext).toMatchObject({
      condition: 'RetriesExhausted',
      approximateInvokeCount: 1,
      functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:Fn:$LATEST',
    });
    expect(body.responsePayload).toEqual(fnError.error);
  });

  it('retries throttles without counting them as attempts', async () => {
    const h = harness({ results: (_e, n) => (n <= 3 ? throttled : { ok: true }), config: { maxRetries: 0 } });
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate'] });
    try {
      h.q.enqueue('Fn', {});
      for (let i = 0; i < 10 && h.calls.length < 4; i++) await jest.advanceTimersByTimeAsync(1100);
    } finally {
      jest.useRealTimers();
    }
    await h.q.idle(5000);
    expect(h.calls).toHaveLength(4);
    expect(h.sent).toEqual([]);
  });

  it('keeps a failed event whose DLQ delivery fails, and delivers it later without invoking again', async () => {
    const h = harness({
      results: () => fnError,
      config: { maxRetries: 0, onFailure: { arn: 'arn:aws:sqs:us-east-1:1:dlq', kind: 'dlq' } },
      sendFails: 1,
    });
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate'] });
    try {
      h.q.enqueue('Fn', { order: 3 });
      for (let i = 0; i < 10 && h.sent.length === 0; i++) await jest.advanceTimersByTimeAsync(1000);
    } finally {
      jest.useRealTimers();
    }
    expect(h.calls).toHaveLength(1);
    expect(h.sent.map((s) => s.body)).toEqual([{ order: 3 }]);
  });

  it('drops, with a log line, an event it cannot run at all (its function is gone), without an unhandled rejection', async () => {
    const h = harness();
    const logs: string[] = [];
    const q = new AsyncInvokeQueue({
      invoke: async () => ({ ok: true }),
      concurrency: () => 1,
      config: () => {
        throw new Error('GoneFunction is not in the template');
      },
      functionArn: (id) => id,
      sendOnFailure: async () => undefined,
      log: (_s, m) => logs.push(m),
    });
    q.enqueue('GoneFunction', {});
    await q.idle(2000);
    expect(logs.join('\n')).toMatch(/dropped: GoneFunction is not in the template/);
    expect(h.calls).toEqual([]);
  });

  describe('journal', () => {
    let dir: string;
    beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'async-queue-'))));
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('runs again, after a restart, the events acknowledged but not finished before a stop', async () => {
      const journal = join(dir, 'lambda', 'async.jsonl');
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const first = harness({ journal, concurrency: 1, results: async () => (await gate, { ok: true }) });
      first.q.restore();
      first.q.enqueue('Fn', { n: 1 });
      first.q.enqueue('Fn', { n: 2 });
      await new Promise((r) => setTimeout(r, 20));
      const stopped = first.q.stop(100);
      release();
      await stopped;
      expect(first.calls).toEqual([{ n: 1 }]);

      const second = harness({ journal });
      expect(second.q.restore()).toBe(2); // n:1 was cut by the stop, n:2 never ran
      await second.q.idle(5000);
      expect(second.calls).toEqual([{ n: 1 }, { n: 2 }]);
      const third = harness({ journal });
      expect(third.q.restore()).toBe(0);
      expect(readFileSync(journal, 'utf8')).toBe('');
    });
  });
});
