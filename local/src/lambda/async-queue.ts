/**
 * Lambda's asynchronous invocation, as the service runs it: `Invoke` with
 * `InvocationType: Event` (and every EventBridge/S3/schedule delivery) is acknowledged at
 * once and put on a queue; a poller invokes the function from it at most `concurrency` at
 * a time, retries function errors `MaximumRetryAttempts` times (default 2) and throttles
 * until `MaximumEventAgeInSeconds`, then sends the event to the function's `OnFailure`
 * destination or `DeadLetterQueue`.
 *
 * Two local differences, both for a laptop: retry waits are seconds instead of minutes,
 * and the queue is journalled under the state dir, so an acknowledged event survives a
 * stop (Lambda keeps it for up to six hours) and runs on the next start.
 */
import { randomUUID } from 'node:crypto';
import type { InvokeResult } from '../contract';
import { Journal } from '../journal';

export interface AsyncInvokeConfig {
  maxRetries: number;
  maxEventAgeMs: number;
  /**
   * Where an event goes when it fails for good: `EventInvokeConfig.DestinationConfig.OnFailure`
   * (gets Lambda's invocation record) or, failing that, `DeadLetterQueue` (gets the bare event).
   */
  onFailure?: { arn: string; kind: 'destination' | 'dlq' };
}

/** Reads a SAM function's EventInvokeConfig and DeadLetterQueue (resolved properties). */
export function asyncInvokeConfig(props: Record<string, unknown>): AsyncInvokeConfig {
  const eic = (props.EventInvokeConfig ?? {}) as {
    MaximumRetryAttempts?: unknown;
    MaximumEventAgeInSeconds?: unknown;
    DestinationConfig?: { OnFailure?: { Destination?: unknown } };
  };
  const dlq = props.DeadLetterQueue as { TargetArn?: unknown } | undefined;
  const retries = Number(eic.MaximumRetryAttempts);
  const age = Number(eic.MaximumEventAgeInSeconds);
  const dest = eic.DestinationConfig?.OnFailure?.Destination;
  const onFailure =
    typeof dest === 'string' && dest
      ? { arn: dest, kind: 'destination' as const }
      : typeof dlq?.TargetArn === 'string' && dlq.TargetArn
        ? { arn: dlq.TargetArn, kind: 'dlq' as const }
        : undefined;
  return {
    maxRetries: Number.isInteger(retries) && retries >= 0 && retries <= 2 ? retries : 2,
    maxEventAgeMs: (Number.isFinite(age) && age >= 60 ? Math.min(age, 21_600) : 21_600) * 1000,
    ...(onFailure ? { onFailure } : {}),
  };
}

export interface QueuedEvent {
  requestId: string;
  functionId: string;
  event: unknown;
  enqueuedAt: number;
  /** Invocations that ended in a function error so far. */
  attempts: number;
}

export interface AsyncQueueDeps {
  invoke(functionId: string, event: unknown): Promise<InvokeResult>;
  concurrency(functionId: string): number;
  config(functionId: string): AsyncInvokeConfig;
  /**
   * Delivers a failed event: to a destination, Lambda's invocation record; to a DLQ, the
   * event itself with the error in message attributes.
   */
  sendOnFailure(
    target: NonNullable<AsyncInvokeConfig['onFailure']>,
    body: unknown,
    error: { code: string; message: string },
    q: QueuedEvent,
  ): Promise<void>;
  functionArn(functionId: string): string;
  log(source: string, message: string): void;
  /** Journal file; none = in memory only (tests). */
  journal?: string;
  /** Wait before retry `n` (1-based) after a function error; Lambda waits 1 then 2 minutes. */
  retryDelayMs?: (attempt: number) => number;
}

type JournalLine = { op: 'enqueue'; q: QueuedEvent } | { op: 'done'; requestId: string };

export class AsyncInvokeQueue {
  private queues = new Map<string, QueuedEvent[]>();
  private inFlight = new Map<string, number>();
  private timers = new Set<NodeJS.Timeout>();
  private active = new Set<Promise<void>>();
  private stopped = false;

  private readonly journal: Journal<JournalLine> | undefined;

  constructor(private d: AsyncQueueDeps) {
    this.journal = d.journal ? new Journal<JournalLine>(d.journal) : undefined;
  }

  /** Replays the journal: events acknowledged before the last stop and not finished run again. */
  restore(): number {
    if (!this.journal) return 0;
    const pending = new Map<string, QueuedEvent>();
    for (const l of this.journal.read()) {
      if (l.op === 'enqueue') pending.set(l.q.requestId, l.q);
      else pending.delete(l.requestId);
    }
    this.journal.rewrite([...pending.values()].map((q) => ({ op: 'enqueue', q })));
    for (const q of pending.values()) this.push(q);
    return pending.size;
  }

  /** Acknowledges the event (journalled first) and returns its request id. */
  enqueue(functionId: string, event: unknown): string {
    const q: QueuedEvent = { requestId: randomUUID(), functionId, event, enqueuedAt: Date.now(), attempts: 0 };
    this.write({ op: 'enqueue', q });
    this.push(q);
    return q.requestId;
  }

  /** Events waiting or running, per function (for tests and the idle check). */
  depth(functionId?: string): number {
    const ids = functionId ? [functionId] : [...new Set([...this.queues.keys(), ...this.inFlight.keys()])];
    return (
      ids.reduce((n, id) => n + (this.queues.get(id)?.length ?? 0) + (this.inFlight.get(id) ?? 0), 0) + (functionId ? 0 : this.timers.size)
    );
  }

  /** Resolves when nothing is queued, running or waiting to retry (bounded). */
  async idle(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.depth() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  }

  /** Stops taking work; events not finished stay in the journal for the next start. */
  async stop(timeoutMs = 2000): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all([...this.active]), new Promise((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
    this.journal?.close();
  }

  private write(line: JournalLine): void {
    this.journal?.append(line);
  }

  private push(q: QueuedEvent): void {
    const list = this.queues.get(q.functionId) ?? [];
    list.push(q);
    this.queues.set(q.functionId, list);
    this.pump(q.functionId);
  }

  private later(q: QueuedEvent, ms: number): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.stopped) this.push(q);
    }, ms);
    this.timers.add(t);
  }

  private pump(id: string): void {
    const list = this.queues.get(id) ?? [];
    while (!this.stopped && list.length > 0 && (this.inFlight.get(id) ?? 0) < Math.max(1, this.d.concurrency(id))) {
      const q = list.shift()!;
      this.inFlight.set(id, (this.inFlight.get(id) ?? 0) + 1);
      const p = this.run(q)
        .catch((e: Error) => {
          // Not an invocation failure (those are handled in run): e.g. a journalled event for a
          // function the template no longer has. Say so and let it go.
          this.d.log(q.functionId, `async invocation ${q.requestId} dropped: ${e.message}`);
          this.write({ op: 'done', requestId: q.requestId });
        })
        .finally(() => {
          this.active.delete(p);
          this.inFlight.set(id, (this.inFlight.get(id) ?? 1) - 1);
          this.pump(id);
        });
      this.active.add(p);
    }
  }

  private async run(q: QueuedEvent): Promise<void> {
    const cfg = this.d.config(q.functionId);
    if (Date.now() - q.enqueuedAt > cfg.maxEventAgeMs) return this.fail(q, cfg, 'EventAgeExceeded', undefined);
    if (q.attempts > cfg.maxRetries) return this.fail(q, cfg, 'RetriesExhausted', undefined); // its delivery failed before
    const res = await this.d.invoke(q.functionId, q.event);
    if (this.stopped) return; // cut by a stop: the journal still holds it
    if (res.ok) {
      this.write({ op: 'done', requestId: q.requestId });
      return;
    }
    const type = res.error?.errorType ?? '';
    // Throttles and service errors are retried until the event is too old, not counted.
    if (type === 'TooManyRequestsException' || type === 'ServiceException') return this.later(q, 1000);
    q.attempts++;
    if (q.attempts <= cfg.maxRetries) {
      this.d.log(q.functionId, `async invocation ${q.requestId} failed (${type}); retry ${q.attempts} of ${cfg.maxRetries}`);
      return this.later(q, this.d.retryDelayMs?.(q.attempts) ?? 1000 * q.attempts);
    }
    return this.fail(q, cfg, 'RetriesExhausted', res);
  }

  private async fail(q: QueuedEvent, cfg: AsyncInvokeConfig, condition: string, res: InvokeResult | undefined): Promise<void> {
    const where = cfg.onFailure ? `sent to ${cfg.onFailure.arn.split(':').pop()}` : 'dropped (no OnFailure destination or DeadLetterQueue)';
    this.d.log(q.functionId, `async invocation ${q.requestId}: ${condition} after ${q.attempts} failed attempt(s), ${where}`);
    if (cfg.onFailure) {
      const error = { code: res?.error?.errorType ?? condition, message: res?.error?.errorMessage ?? condition };
      const body =
        cfg.onFailure.kind === 'dlq'
          ? q.event
          : {
              version: '1.0',
              timestamp: new Date().toISOString(),
              requestContext: {
                requestId: q.requestId,
                functionArn: `${this.d.functionArn(q.functionId)}:$LATEST`,
                condition,
                approximateInvokeCount: q.attempts,
              },
              requestPayload: q.event,
              responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
              responsePayload: res?.error ?? null,
            };
      try {
        await this.d.sendOnFailure(cfg.onFailure, body, error, q);
      } catch (e) {
        // Not delivered: keep it in the journal and try again later rather than lose it.
        this.d.log(q.functionId, `async invocation ${q.requestId}: on-failure delivery failed (${(e as Error).message}); will retry`);
        return this.later(q, 5000);
      }
    }
    this.write({ op: 'done', requestId: q.requestId });
  }
}
