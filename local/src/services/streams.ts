/**
 * DynamoDB Streams → Lambda, as an event source mapping does: polls DynamoDB Local's
 * streams for each function's DynamoDB event source (SAM `DynamoDB` events and
 * AWS::Lambda::EventSourceMapping), builds batches shaped like Lambda's (up to BatchSize,
 * MaximumBatchingWindowInSeconds), and applies ReportBatchItemFailures,
 * BisectBatchOnFunctionError, MaximumRetryAttempts and the OnFailure destination (an SQS
 * queue gets Lambda's on-failure record). Checkpoints per shard persist under the state
 * dir, written only after a range is done, so a restart neither replays handled records
 * nor skips unhandled ones.
 * Not emulated: Kinesis, SQS and other event sources, filter criteria, tumbling windows,
 * ParallelizationFactor, MaximumRecordAgeInSeconds; infinite retries are capped at 10.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListStreamsCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { ResourceKind, ServiceContext, ServiceModule } from '../contract';
import { functionIdOf } from '../lambda/functions';
import { Journal } from '../journal';
import { clientConfig } from '../local-clients';
import { stableId, textOf } from '../template';
import { boundedWait } from '../waits';
import { queueUrlFromArn } from './sqs';

export interface StreamMapping {
  id: string;
  functionId: string;
  /** The table behind the stream (from the resolved stream ARN `.../table/<name>/stream/...`). */
  tableName: string;
  batchSize: number;
  windowMs: number;
  startingPosition: 'TRIM_HORIZON' | 'LATEST';
  reportItemFailures: boolean;
  bisect: boolean;
  /** -1: retry until the record expires (bounded locally, see MAX_LOCAL_RETRIES). */
  maxRetries: number;
  onFailure?: string;
  enabled: boolean;
}

/** Infinite retries would block a shard for 24 h locally: cap them and say so at start. */
const MAX_LOCAL_RETRIES = 10;

export function collectMappings(ctx: Pick<ServiceContext, 'template'>): StreamMapping[] {
  const out: StreamMapping[] = [];
  const tableOf = (arn: unknown): string | undefined => {
    const m = typeof arn === 'string' ? /:table\/([^/]+)\/stream\//.exec(arn) : null;
    return m?.[1];
  };
  const make = (id: string, functionId: string, p: Record<string, unknown>): StreamMapping | undefined => {
    const tableName = tableOf(p.Stream ?? p.EventSourceArn);
    if (!tableName) return undefined;
    const dest = (p.DestinationConfig as { OnFailure?: { Destination?: string } } | undefined)?.OnFailure?.Destination;
    return {
      id,
      functionId,
      tableName,
      batchSize: Math.min(Number(p.BatchSize ?? 100), 10000),
      windowMs: Number(p.MaximumBatchingWindowInSeconds ?? 0) * 1000,
      startingPosition: p.StartingPosition === 'LATEST' ? 'LATEST' : 'TRIM_HORIZON',
      reportItemFailures: ((p.FunctionResponseTypes as string[] | undefined) ?? []).includes('ReportBatchItemFailures'),
      bisect: p.BisectBatchOnFunctionError === true,
      maxRetries: p.MaximumRetryAttempts === undefined ? -1 : Number(p.MaximumRetryAttempts),
      onFailure: typeof dest === 'string' ? dest : undefined,
      enabled: p.Enabled !== false,
    };
  };
  for (const [logicalId, res] of Object.entries(ctx.template.resources)) {
    const p = (res.Properties ?? {}) as Record<string, unknown>;
    if (res.Type === 'AWS::Serverless::Function') {
      for (const [name, ev] of Object.entries((p.Events ?? {}) as Record<string, { Type: string; Properties?: Record<string, unknown> }>)) {
        if (ev.Type !== 'DynamoDB') continue;
        const m = make(`${logicalId}.${name}`, logicalId, ev.Properties ?? {});
        if (m) out.push(m);
      }
    } else if (res.Type === 'AWS::Lambda::EventSourceMapping') {
      const fn = textOf(p.FunctionName, '', `${logicalId} FunctionName`);
      const fnId = functionIdOf(ctx.template, fn);
      const m = fnId ? make(logicalId, fnId, p) : undefined;
      if (m) out.push(m);
    }
  }
  return out;
}

/**
 * True when GetShardIterator refused the request itself (a 4xx service answer such as
 * TrimmedDataAccessException or ValidationException for a sequence number the shard no
 * longer has), false for transport failures, timeouts and server errors, which are
 * retried from the same checkpoint.
 */
export function checkpointRefused(err: unknown): boolean {
  const e = err as { name?: string; $fault?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  const status = e?.$metadata?.httpStatusCode;
  if (/Throttl|LimitExceeded/.test(e?.name ?? '')) return false;
  return e?.$fault === 'client' && typeof status === 'number' && status >= 400 && status < 500;
}

interface LambdaStreamRecord {
  eventID: string;
  eventName: string;
  eventVersion: string;
  eventSource: 'aws:dynamodb';
  awsRegion: string;
  eventSourceARN: string;
  dynamodb: Record<string, unknown>;
  /** Not sent to the function; when the record arrived (for the on-failure record). */
  arrival: number;
}

/** Binary attribute values come back as bytes; Lambda delivers them base64-encoded. */
const jsonSafe = (v: unknown): unknown =>
  JSON.parse(
    JSON.stringify(v, (_k, x: unknown) =>
      x instanceof Uint8Array
        ? Buffer.from(x).toString('base64')
        : (x as { type?: string; data?: number[] })?.type === 'Buffer'
          ? Buffer.from((x as { data: number[] }).data).toString('base64')
          : x,
    ),
  );

function toLambdaRecord(r: StreamRecord, streamArn: string, region: string): LambdaStreamRecord {
  const d = r.dynamodb ?? {};
  const created =
    d.ApproximateCreationDateTime instanceof Date
      ? d.ApproximateCreationDateTime.getTime() / 1000
      : Number(d.ApproximateCreationDateTime ?? Date.now() / 1000);
  return {
    eventID: r.eventID ?? randomUUID(),
    eventName: String(r.eventName),
    eventVersion: r.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: region,
    eventSourceARN: streamArn,
    dynamodb: jsonSafe({
      ApproximateCreationDateTime: Math.floor(created),
      Keys: d.Keys,
      ...(d.NewImage ? { NewImage: d.NewImage } : {}),
      ...(d.OldImage ? { OldImage: d.OldImage } : {}),
      SequenceNumber: d.SequenceNumber,
      SizeBytes: d.SizeBytes,
      StreamViewType: d.StreamViewType,
    }) as Record<string, unknown>,
    arrival: created * 1000,
  };
}

export interface StreamsService {
  name: string;
  mappings: StreamMapping[];
  describe(): string[];
  /** Resolves once every shard is drained and no batch is in flight (bounded). */
  idle(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Per-shard checkpoints (the last sequence number done), journalled: one appended line per
 * checkpoint (the last line of a shard wins), compacted at start and every few thousand
 * lines. A checkpoint written as a whole file and renamed on every batch was a measurable
 * share of the runtime's CPU under load. The single-file layout of earlier versions is read once.
 */
class Checkpoints {
  private readonly journal: Journal<{ key: string; seq: string }>;
  private readonly saved: Record<string, string> = {};

  constructor(stateDir: string) {
    const dir = join(stateDir, 'streams');
    this.journal = new Journal(join(dir, 'checkpoints.jsonl'));
    const legacy = join(dir, 'checkpoints.json');
    if (existsSync(legacy)) Object.assign(this.saved, JSON.parse(readFileSync(legacy, 'utf8')) as Record<string, string>);
    for (const { key, seq } of this.journal.read()) this.saved[key] = seq;
    this.compact();
    if (existsSync(legacy)) rmSync(legacy);
  }

  get(key: string): string | undefined {
    return this.saved[key];
  }

  set(key: string, seq: string): void {
    this.saved[key] = seq;
    this.journal.append({ key, seq });
    if (this.journal.appended > 5000) this.compact();
  }

  close(): void {
    this.journal.close();
  }

  private compact(): void {
    this.journal.rewrite(Object.entries(this.saved).map(([key, seq]) => ({ key, seq })));
  }
}

type Checkpoint = (seq: string) => void;
const seqOf = (r: LambdaStreamRecord | undefined) => String(r!.dynamodb.SequenceNumber);

/** Runs the mappings: discovers shards, polls each, invokes with batches, retries, sends on failure. */
class StreamPoller {
  stopped = false;
  busy = 0;
  lastActivity = Date.now();
  readonly running = new Map<string, Promise<void>>();
  readonly streams: DynamoDBStreamsClient;
  readonly sqs: SQSClient;
  readonly checkpoints: Checkpoints;

  constructor(
    private readonly ctx: ServiceContext,
    readonly mappings: StreamMapping[],
    readonly pollMs: number,
    private readonly retryDelayMs?: number,
  ) {
    this.streams = new DynamoDBStreamsClient(clientConfig(ctx, 'dynamodb'));
    this.sqs = new SQSClient(clientConfig(ctx, 'sqs'));
    this.checkpoints = new Checkpoints(ctx.stateDir);
  }

  /** Invokes with one range; returns the index of the first unhandled record, or -1 if all done. */
  private async invokeRange(m: StreamMapping, batch: LambdaStreamRecord[]): Promise<{ failedFrom: number; functionError: boolean }> {
    const res = await this.ctx.functions.invoke(m.functionId, { Records: batch.map(({ arrival: _a, ...r }) => r) });
    if (!res.ok) return { failedFrom: 0, functionError: true };
    if (!m.reportItemFailures) return { failedFrom: -1, functionError: false };
    const failures = (res.payload as { batchItemFailures?: Array<{ itemIdentifier?: string }> } | null)?.batchItemFailures ?? [];
    if (failures.length === 0) return { failedFrom: -1, functionError: false };
    const seqs = new Set(failures.map((f) => f.itemIdentifier));
    // An empty or unknown identifier fails the whole batch, as Lambda does.
    if ([...seqs].some((s) => !s || !batch.some((r) => r.dynamodb.SequenceNumber === s))) return { failedFrom: 0, functionError: false };
    return { failedFrom: batch.findIndex((r) => seqs.has(String(r.dynamodb.SequenceNumber))), functionError: false };
  }

  private async sendOnFailure(
    m: StreamMapping,
    shardId: string,
    streamArn: string,
    batch: LambdaStreamRecord[],
    attempts: number,
    functionError: boolean,
  ): Promise<void> {
    this.ctx.log(
      'streams',
      `${m.functionId}: ${batch.length} record(s) from ${shardId} failed after ${attempts} attempt(s)${m.onFailure ? `, sent to ${m.onFailure}` : ', dropped (no OnFailure destination)'}`,
    );
    if (!m.onFailure) return;
    const record = {
      requestContext: {
        requestId: randomUUID(),
        functionArn: this.ctx.template.arns[m.functionId],
        condition: 'RetryAttemptsExhausted',
        approximateInvokeCount: attempts,
      },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: functionError ? 'Unhandled' : '' },
      version: '1.0',
      timestamp: new Date().toISOString(),
      DDBStreamBatchInfo: {
        shardId,
        startSequenceNumber: seqOf(batch[0]),
        endSequenceNumber: seqOf(batch.at(-1)),
        approximateArrivalOfFirstRecord: new Date(batch[0]!.arrival).toISOString(),
        approximateArrivalOfLastRecord: new Date(batch.at(-1)!.arrival).toISOString(),
        batchSize: batch.length,
        streamArn,
      },
    };
    await this.sqs.send(new SendMessageCommand({ QueueUrl: queueUrlFromArn(this.ctx, m.onFailure), MessageBody: JSON.stringify(record) }));
  }

  /** Processes records in order; everything before the returned point is done (handled or sent on). */
  private async processBatch(
    m: StreamMapping,
    shardId: string,
    streamArn: string,
    batch: LambdaStreamRecord[],
    checkpoint: Checkpoint,
  ): Promise<void> {
    const limit = m.maxRetries < 0 ? MAX_LOCAL_RETRIES : Math.min(m.maxRetries, MAX_LOCAL_RETRIES);
    let pending = batch;
    let attempts = 0;
    for (let guard = 0; pending.length > 0 && guard < 10_000 && !this.stopped; guard++) {
      attempts++;
      const { failedFrom, functionError } = await this.invokeRange(m, pending);
      if (failedFrom < 0) return checkpoint(seqOf(pending.at(-1)));
      if (failedFrom > 0) {
        checkpoint(seqOf(pending[failedFrom - 1]));
        pending = pending.slice(failedFrom);
      }
      if (m.bisect && pending.length > 1) {
        // Split and retry each half on its own: a poison record ends up alone.
        const half = Math.ceil(pending.length / 2);
        await this.processBatch(m, shardId, streamArn, pending.slice(0, half), checkpoint);
        if (!this.stopped) await this.processBatch(m, shardId, streamArn, pending.slice(half), checkpoint);
        return;
      }
      if (attempts > limit) {
        await this.sendOnFailure(m, shardId, streamArn, pending, attempts, functionError);
        return checkpoint(seqOf(pending.at(-1)));
      }
      await sleep(this.retryDelayMs ?? Math.min(100 * 2 ** attempts, 2000));
    }
  }

  /** An iterator after the checkpoint (or at the mapping's starting position). */
  private async openShard(m: StreamMapping, streamArn: string, shardId: string): Promise<string | undefined> {
    const after = this.checkpoints.get(`${m.id}|${shardId}`);
    try {
      const input = after
        ? { StreamArn: streamArn, ShardId: shardId, ShardIteratorType: 'AFTER_SEQUENCE_NUMBER' as const, SequenceNumber: after }
        : { StreamArn: streamArn, ShardId: shardId, ShardIteratorType: m.startingPosition };
      return (await this.streams.send(new GetShardIteratorCommand(input))).ShardIterator;
    } catch (err) {
      // Only a refusal of the checkpoint itself (trimmed, invalid) falls back. A
      // connection error or a timeout (DynamoDB Local restarting) must not: the next
      // TRIM_HORIZON call may well succeed and replay the whole shard.
      if (!checkpointRefused(err)) throw err;
      this.ctx.log(
        'streams',
        `${m.functionId}: checkpoint ${after ?? '-'} on ${shardId} unusable (${(err as Error).message}); reading from TRIM_HORIZON`,
      );
      return (
        await this.streams.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }))
      ).ShardIterator;
    }
  }

  /** Hands the buffered records on in batches; checkpoints as ranges are done. */
  private async drain(m: StreamMapping, shardId: string, streamArn: string, buffer: LambdaStreamRecord[]): Promise<void> {
    this.busy++;
    this.lastActivity = Date.now();
    try {
      while (buffer.length > 0 && !this.stopped) {
        const batch = buffer.splice(0, m.batchSize);
        await this.processBatch(m, shardId, streamArn, batch, (seq) => this.checkpoints.set(`${m.id}|${shardId}`, seq));
      }
    } finally {
      this.busy--;
      this.lastActivity = Date.now();
    }
  }

  async pollShard(m: StreamMapping, streamArn: string, shardId: string): Promise<void> {
    let iterator: string | undefined;
    let buffer: LambdaStreamRecord[] = [];
    let failures = 0;
    let closed = false;
    while (!this.stopped && !closed) {
      try {
        // (Re)open from the checkpoint: records read but not done are read again.
        if (!iterator) {
          buffer = [];
          iterator = await this.openShard(m, streamArn, shardId);
          if (!iterator) closed = true;
          continue;
        }
        const out = await this.streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
        failures = 0;
        iterator = out.NextShardIterator;
        if (!iterator) closed = true; // the shard was closed and is drained
        buffer.push(...(out.Records ?? []).map((r) => toLambdaRecord(r, streamArn, this.ctx.region)));
        const windowOpen = !closed && buffer.length > 0 && buffer.length < m.batchSize && Date.now() - buffer[0]!.arrival < m.windowMs;
        if (buffer.length > 0 && !windowOpen) await this.drain(m, shardId, streamArn, buffer);
        else if ((out.Records ?? []).length === 0) await sleep(this.pollMs);
      } catch (err) {
        // DynamoDB Local refuses TRIM_HORIZON reads of a shard with no records yet
        // (TrimmedDataAccessException); iterators also expire. Reopen and keep polling.
        // Said once, on the second failure in a row: a single one (an expired iterator, the
        // database going away as Ctrl-C stops everything) is not worth a line.
        failures++;
        if (failures === 2 && !this.stopped && (err as Error).name !== 'TrimmedDataAccessException')
          this.ctx.log('streams', `${m.functionId} ${shardId}: ${(err as Error).message}; retrying`);
        iterator = undefined;
        closed = false;
        await sleep(Math.min(this.pollMs * 2 ** Math.min(failures, 5), 5000));
      }
    }
  }

  /** Starts a poller for every shard not polled yet; a child shard waits for its parent. */
  async discover(): Promise<void> {
    for (const m of this.mappings) {
      const list = await this.streams.send(new ListStreamsCommand({ TableName: m.tableName }));
      for (const s of list.Streams ?? []) {
        if (!s.StreamArn) continue;
        const desc = await this.streams.send(new DescribeStreamCommand({ StreamArn: s.StreamArn }));
        for (const shard of desc.StreamDescription?.Shards ?? []) {
          const key = `${m.id}|${shard.ShardId}`;
          if (this.running.has(key) || !shard.ShardId) continue;
          // A child shard starts only after its parent is drained, to keep key order.
          const parent = shard.ParentShardId ? this.running.get(`${m.id}|${shard.ParentShardId}`) : undefined;
          const shardId = shard.ShardId;
          const task = (async () => {
            if (parent) await parent;
            await this.pollShard(m, s.StreamArn!, shardId);
          })().catch((err: Error) => this.ctx.log('streams', `${m.functionId} ${shardId}: ${err.message}`));
          this.running.set(key, task);
        }
      }
    }
  }
}

export async function startStreams(ctx: ServiceContext, options: { pollMs?: number; retryDelayMs?: number } = {}): Promise<StreamsService> {
  const mappings = collectMappings(ctx).filter((m) => m.enabled);
  const poller = new StreamPoller(ctx, mappings, options.pollMs ?? 250, options.retryDelayMs);
  for (const m of mappings) {
    if (m.maxRetries < 0 || m.maxRetries > MAX_LOCAL_RETRIES)
      ctx.log('streams', `${m.id}: MaximumRetryAttempts ${m.maxRetries} capped at ${MAX_LOCAL_RETRIES} locally`);
  }
  await poller.discover().catch((err: Error) => ctx.log('streams', `discovery failed: ${err.message}`));
  // New shards (and tables created later) are picked up periodically.
  const rediscover = setInterval(() => void poller.discover().catch(() => undefined), 5000);
  return {
    name: 'streams',
    mappings,
    describe: () =>
      mappings.map(
        (m) =>
          `stream ${m.tableName} -> ${m.functionId} (batch ${m.batchSize}${m.reportItemFailures ? ', partial failures' : ''}${m.bisect ? ', bisect' : ''}, retries ${m.maxRetries}${m.onFailure ? `, on failure ${m.onFailure.split(':').pop()}` : ''})`,
      ),
    idle: async (timeoutMs = 10_000) => {
      const deadline = Date.now() + timeoutMs;
      // Idle: nothing in flight and no activity for a few poll intervals.
      while (Date.now() < deadline && (poller.busy > 0 || Date.now() - poller.lastActivity < poller.pollMs * 3))
        await sleep(poller.pollMs / 2);
    },
    stop: async () => {
      poller.stopped = true;
      clearInterval(rediscover);
      await boundedWait(Promise.all(poller.running.values()), 5000);
      poller.streams.destroy();
      poller.sqs.destroy();
      poller.checkpoints.close();
    },
  };
}

const eventSourceMappingKind: ResourceKind = {
  types: ['AWS::Lambda::EventSourceMapping'],
  // Ref of a mapping is its UUID.
  physicalId: (r, ctx) => {
    const h = stableId(`${ctx.stackName}/${r.logicalId}/esm`, 32, '0123456789abcdef');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  },
};

export const streamsService: ServiceModule = {
  name: 'streams',
  kinds: [eventSourceMappingKind],
  start: (ctx) => startStreams(ctx),
};
