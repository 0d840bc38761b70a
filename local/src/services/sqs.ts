/**
 * SQS: the template's queues (and queues made with CreateQueue) behind an endpoint that
 * speaks SQS's JSON protocol (`AmazonSQS.<Op>`, application/x-amz-json-1.0), which current
 * AWS SDKs and AWS CLI use. Standard queues: SendMessage(Batch), ReceiveMessage with long
 * polling and visibility timeouts, DeleteMessage(Batch), ChangeMessageVisibility, queue
 * attributes, PurgeQueue, retention; messages persist under the state dir.
 * Not emulated: the query (XML) protocol, FIFO ordering and deduplication, redrive
 * policies (maxReceiveCount), encryption, tags, queue policies (no authorisation locally).
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import type { ResourceKind, ResourceRef, ServiceContext, ServiceModule, StackContext } from '../contract';
import { notEmulated } from '../kinds';
import { closeServer, listenOrUndo } from '../ports';
import { AwsError, awsJson, awsService, stringMember } from '../protocol';
import { declaredName } from '../template';

const DEFAULT_PORT = 9324;

interface MessageAttribute {
  DataType: string;
  StringValue?: string;
  BinaryValue?: string;
}

interface StoredMessage {
  MessageId: string;
  Body: string;
  MD5OfBody: string;
  MessageAttributes?: Record<string, MessageAttribute>;
  MD5OfMessageAttributes?: string;
  sentAt: number;
  visibleAt: number;
  receiveCount: number;
  firstReceiveAt?: number;
  receipt?: string;
}

interface Queue {
  name: string;
  logicalId?: string;
  attributes: { VisibilityTimeout: number; MessageRetentionPeriod: number; DelaySeconds: number; ReceiveMessageWaitTimeSeconds: number };
  createdAt: number;
  messages: StoredMessage[];
}

/** An SQS error: its JSON code, and the query-protocol code the SDK reads from `x-amzn-query-error`. */
class SqsError extends AwsError {
  constructor(code: string, queryCode: string, message: string, status = 400) {
    super(code, message, status, { 'x-amzn-query-error': `${queryCode};${status < 500 ? 'Sender' : 'Receiver'}` });
  }
}
const noQueue = () => new SqsError('QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue', 'The specified queue does not exist.');
const invalid = (message: string) => new SqsError('InvalidParameterValue', 'InvalidParameterValue', message);
const badReceipt = () => new SqsError('ReceiptHandleIsInvalid', 'ReceiptHandleIsInvalid', 'The input receipt handle is invalid.');

const md5 = (data: string | Buffer) => createHash('md5').update(data).digest('hex');

/** MD5 of message attributes as SQS computes it (the SDK verifies it). */
export function md5OfMessageAttributes(attrs: Record<string, MessageAttribute>): string {
  const parts: Buffer[] = [];
  const withLength = (b: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    parts.push(len, b);
  };
  for (const name of Object.keys(attrs).sort()) {
    const a = attrs[name]!;
    withLength(Buffer.from(name, 'utf8'));
    withLength(Buffer.from(a.DataType, 'utf8'));
    if (a.BinaryValue !== undefined) {
      parts.push(Buffer.from([2]));
      withLength(Buffer.from(a.BinaryValue, 'base64'));
    } else {
      parts.push(Buffer.from([1]));
      withLength(Buffer.from(a.StringValue ?? '', 'utf8'));
    }
  }
  return md5(Buffer.concat(parts));
}

export interface SqsService {
  name: string;
  url: string;
  describe(): string[];
  /** In-process send (used by the other local services for DLQs and destinations). */
  send(queueArnOrUrlOrName: string, body: string): string;
  /** Messages currently stored in a queue (visible or not). */
  peek(queueArnOrUrlOrName: string): Array<{ MessageId: string; Body: string }>;
  queueUrl(name: string): string;
  stop(): Promise<void>;
}

const num = (v: unknown, fallback: number) => (v === undefined || v === null || v === '' ? fallback : Number(v));

function queueAttributes(a: Record<string, unknown>): Queue['attributes'] {
  return {
    VisibilityTimeout: num(a.VisibilityTimeout, 30),
    MessageRetentionPeriod: num(a.MessageRetentionPeriod, 345600),
    DelaySeconds: num(a.DelaySeconds, 0),
    ReceiveMessageWaitTimeSeconds: num(a.ReceiveMessageWaitTimeSeconds, 0),
  };
}

const queueName = (r: ResourceRef, ctx: StackContext) => declaredName(r, 'QueueName', ctx);

/** The URL of the queue an SQS ARN names, on the local endpoint. */
export function queueUrlFromArn(ctx: StackContext, arn: string): string {
  const parts = arn.split(':');
  return `${ctx.urls.sqs ?? `http://127.0.0.1:${DEFAULT_PORT}`}/${parts[4] ?? ctx.accountId}/${parts[5] ?? arn}`;
}

/** The queues and their messages, persisted (write-then-rename, at most every 200 ms). */
class QueueStore {
  readonly queues = new Map<string, Queue>();
  baseUrl = '';
  closed = false;
  private dirty = false;
  private waiters: Array<() => void> = [];
  private readonly file: string;
  private readonly flush: NodeJS.Timeout;

  constructor(private readonly ctx: ServiceContext) {
    const dir = join(ctx.stateDir, 'sqs');
    mkdirSync(dir, { recursive: true });
    this.file = join(dir, 'queues.json');
    if (existsSync(this.file)) for (const q of JSON.parse(readFileSync(this.file, 'utf8')) as Queue[]) this.queues.set(q.name, q);
    for (const [logicalId, res] of Object.entries(ctx.template.resources)) {
      if (res.Type !== 'AWS::SQS::Queue') continue;
      const name = typeof res.Properties.QueueName === 'string' ? res.Properties.QueueName : `${ctx.stackName}-${logicalId}`;
      const existing = this.queues.get(name);
      this.queues.set(name, {
        name,
        logicalId,
        attributes: queueAttributes(res.Properties),
        createdAt: existing?.createdAt ?? Date.now(),
        messages: existing?.messages ?? [],
      });
    }
    this.flush = setInterval(() => this.dirty && this.persist(), 200);
  }

  persist(): void {
    this.dirty = false;
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify([...this.queues.values()]));
    renameSync(tmp, this.file);
  }

  changed(): void {
    this.dirty = true;
  }

  urlOf(q: Queue): string {
    return `${this.baseUrl}/${this.ctx.accountId}/${q.name}`;
  }

  arnOf(q: Queue): string {
    return `arn:aws:sqs:${this.ctx.region}:${this.ctx.accountId}:${q.name}`;
  }

  /** A queue by ARN, URL or name. */
  find(ref: unknown): Queue {
    // A queue is named by text; anything else names no queue.
    const s = typeof ref === 'string' ? ref : '';
    const q = this.queues.get(s.startsWith('arn:') ? s.split(':').pop()! : s.split('/').pop()!);
    if (!q) throw noQueue();
    return q;
  }

  expire(q: Queue, now: number): void {
    const keep = q.messages.filter((m) => now - m.sentAt < q.attributes.MessageRetentionPeriod * 1000);
    if (keep.length === q.messages.length) return;
    q.messages = keep;
    this.changed();
  }

  enqueue(q: Queue, body: string, delaySeconds?: number, attrs?: Record<string, MessageAttribute>): StoredMessage {
    if (typeof body !== 'string' || body.length === 0) throw invalid('The message body must be a non-empty string');
    if (Buffer.byteLength(body) > 262144) throw invalid('Message must be shorter than 262144 bytes');
    const now = Date.now();
    const m: StoredMessage = {
      MessageId: randomUUID(),
      Body: body,
      MD5OfBody: md5(body),
      sentAt: now,
      visibleAt: now + (delaySeconds ?? q.attributes.DelaySeconds) * 1000,
      receiveCount: 0,
      ...(attrs && Object.keys(attrs).length ? { MessageAttributes: attrs, MD5OfMessageAttributes: md5OfMessageAttributes(attrs) } : {}),
    };
    q.messages.push(m);
    this.changed();
    this.wake();
    return m;
  }

  /** Visible messages, made invisible for `visibility` seconds. */
  receive(q: Queue, max: number, visibility: number): StoredMessage[] {
    const now = Date.now();
    this.expire(q, now);
    const out: StoredMessage[] = [];
    for (const m of q.messages) {
      if (out.length >= max) break;
      if (m.visibleAt > now) continue;
      m.receiveCount++;
      m.firstReceiveAt ??= now;
      m.receipt = `${m.MessageId}#${randomUUID()}`;
      m.visibleAt = now + visibility * 1000;
      out.push(m);
    }
    if (out.length) this.changed();
    return out;
  }

  /** Long polling: receives, waiting up to waitMs for a message (woken by a send). */
  async receiveWaiting(q: Queue, max: number, visibility: number, waitMs: number): Promise<StoredMessage[]> {
    const deadline = Date.now() + waitMs;
    let got = this.receive(q, max, visibility);
    while (got.length === 0 && Date.now() < deadline && !this.closed) {
      await new Promise<void>((r) => {
        const t = setTimeout(r, Math.min(deadline - Date.now(), 250));
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
      got = this.receive(q, max, visibility);
    }
    return got;
  }

  wake(): void {
    const w = this.waiters;
    this.waiters = [];
    w.forEach((f) => f());
  }

  close(): void {
    this.closed = true;
    this.wake();
    clearInterval(this.flush);
    this.persist();
  }
}

type Input = Record<string, unknown>;

function sentReply(m: StoredMessage): Record<string, unknown> {
  return {
    MessageId: m.MessageId,
    MD5OfMessageBody: m.MD5OfBody,
    ...(m.MD5OfMessageAttributes ? { MD5OfMessageAttributes: m.MD5OfMessageAttributes } : {}),
  };
}

/** A received message as ReceiveMessage returns it, with the attributes asked for. */
function receivedReply(m: StoredMessage, b: Input, account: string): Record<string, unknown> {
  const wantAttrs = [
    ...((b.AttributeNames as string[] | undefined) ?? []),
    ...((b.MessageSystemAttributeNames as string[] | undefined) ?? []),
  ];
  const wantMsgAttrs = (b.MessageAttributeNames as string[] | undefined) ?? [];
  const all: Record<string, string> = {
    SentTimestamp: String(m.sentAt),
    ApproximateReceiveCount: String(m.receiveCount),
    ApproximateFirstReceiveTimestamp: String(m.firstReceiveAt ?? m.sentAt),
    SenderId: account,
  };
  const attributes = wantAttrs.includes('All') ? all : Object.fromEntries(Object.entries(all).filter(([k]) => wantAttrs.includes(k)));
  const msgAttrs =
    m.MessageAttributes && wantMsgAttrs.length
      ? Object.fromEntries(
          Object.entries(m.MessageAttributes).filter(
            ([k]) => wantMsgAttrs.includes('All') || wantMsgAttrs.includes('.*') || wantMsgAttrs.includes(k),
          ),
        )
      : undefined;
  return {
    MessageId: m.MessageId,
    ReceiptHandle: m.receipt,
    MD5OfBody: m.MD5OfBody,
    Body: m.Body,
    ...(Object.keys(attributes).length ? { Attributes: attributes } : {}),
    ...(msgAttrs && Object.keys(msgAttrs).length
      ? { MessageAttributes: msgAttrs, MD5OfMessageAttributes: md5OfMessageAttributes(msgAttrs) }
      : {}),
  };
}

function queueAttributesReply(store: QueueStore, q: Queue, names: string[]): Record<string, string> {
  const now = Date.now();
  store.expire(q, now);
  const all: Record<string, string> = {
    QueueArn: store.arnOf(q),
    ApproximateNumberOfMessages: String(q.messages.filter((m) => m.visibleAt <= now).length),
    ApproximateNumberOfMessagesNotVisible: String(q.messages.filter((m) => m.visibleAt > now && m.receiveCount > 0).length),
    ApproximateNumberOfMessagesDelayed: String(q.messages.filter((m) => m.visibleAt > now && m.receiveCount === 0).length),
    VisibilityTimeout: String(q.attributes.VisibilityTimeout),
    MessageRetentionPeriod: String(q.attributes.MessageRetentionPeriod),
    DelaySeconds: String(q.attributes.DelaySeconds),
    ReceiveMessageWaitTimeSeconds: String(q.attributes.ReceiveMessageWaitTimeSeconds),
    CreatedTimestamp: String(Math.floor(q.createdAt / 1000)),
    MaximumMessageSize: '262144',
  };
  return names.includes('All') ? all : Object.fromEntries(Object.entries(all).filter(([k]) => names.includes(k)));
}

/** Queue management: CreateQueue, GetQueueUrl, ListQueues, GetQueueAttributes, PurgeQueue. */
function queueOperations(store: QueueStore) {
  return {
    CreateQueue: (b: Input) => {
      const name = stringMember(b, 'QueueName');
      if (!/^[A-Za-z0-9_-]{1,80}(\.fifo)?$/.test(name)) throw invalid('Invalid queue name');
      let q = store.queues.get(name);
      if (!q) {
        q = { name, attributes: queueAttributes((b.Attributes ?? {}) as Input), createdAt: Date.now(), messages: [] };
        store.queues.set(name, q);
        store.changed();
      }
      return { QueueUrl: store.urlOf(q) };
    },
    GetQueueUrl: (b: Input) => ({ QueueUrl: store.urlOf(store.find(b.QueueName)) }),
    ListQueues: (b: Input) => {
      const prefix = typeof b.QueueNamePrefix === 'string' ? b.QueueNamePrefix : '';
      return { QueueUrls: [...store.queues.values()].filter((q) => q.name.startsWith(prefix)).map((q) => store.urlOf(q)) };
    },
    GetQueueAttributes: (b: Input) => ({
      Attributes: queueAttributesReply(store, store.find(b.QueueUrl), (b.AttributeNames as string[] | undefined) ?? ['All']),
    }),
    PurgeQueue: (b: Input) => {
      store.find(b.QueueUrl).messages = [];
      store.changed();
      return {};
    },
  };
}

/** Messages: send, receive, delete, change visibility. */
function messageOperations(store: QueueStore, account: string) {
  const attrs = (v: unknown) => v as Record<string, MessageAttribute> | undefined;
  return {
    SendMessage: (b: Input) =>
      sentReply(
        store.enqueue(
          store.find(b.QueueUrl),
          stringMember(b, 'MessageBody'),
          b.DelaySeconds === undefined ? undefined : Number(b.DelaySeconds),
          attrs(b.MessageAttributes),
        ),
      ),
    SendMessageBatch: (b: Input) => {
      const q = store.find(b.QueueUrl);
      const entries = (b.Entries ?? []) as Array<{
        Id: string;
        MessageBody: string;
        DelaySeconds?: number;
        MessageAttributes?: Record<string, MessageAttribute>;
      }>;
      if (entries.length === 0 || entries.length > 10)
        throw new SqsError(
          'TooManyEntriesInBatchRequest',
          'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
          'A batch holds 1 to 10 entries',
        );
      return {
        Successful: entries.map((e) => ({ Id: e.Id, ...sentReply(store.enqueue(q, e.MessageBody, e.DelaySeconds, e.MessageAttributes)) })),
        Failed: [],
      };
    },
    ReceiveMessage: async (b: Input) => {
      const q = store.find(b.QueueUrl);
      const max = Math.min(Math.max(num(b.MaxNumberOfMessages, 1), 1), 10);
      // Long polling, bounded to SQS's own 20 s maximum.
      const waitMs = Math.min(num(b.WaitTimeSeconds, q.attributes.ReceiveMessageWaitTimeSeconds), 20) * 1000;
      const got = await store.receiveWaiting(q, max, num(b.VisibilityTimeout, q.attributes.VisibilityTimeout), waitMs);
      return { Messages: got.map((m) => receivedReply(m, b, account)) };
    },
    DeleteMessage: (b: Input) => {
      const q = store.find(b.QueueUrl);
      const i = q.messages.findIndex((m) => m.receipt === b.ReceiptHandle);
      // A handle of ours whose message is gone already is fine (deletes are idempotent).
      if (i < 0 && !(typeof b.ReceiptHandle === 'string' && b.ReceiptHandle.includes('#'))) throw badReceipt();
      if (i >= 0) q.messages.splice(i, 1);
      store.changed();
      return {};
    },
    DeleteMessageBatch: (b: Input) => {
      const q = store.find(b.QueueUrl);
      const entries = (b.Entries ?? []) as Array<{ Id: string; ReceiptHandle: string }>;
      for (const e of entries) {
        const i = q.messages.findIndex((m) => m.receipt === e.ReceiptHandle);
        if (i >= 0) q.messages.splice(i, 1);
      }
      store.changed();
      return { Successful: entries.map((e) => ({ Id: e.Id })), Failed: [] };
    },
    ChangeMessageVisibility: (b: Input) => {
      const m = store.find(b.QueueUrl).messages.find((x) => x.receipt === b.ReceiptHandle);
      if (!m) throw badReceipt();
      m.visibleAt = Date.now() + num(b.VisibilityTimeout, 0) * 1000;
      store.changed();
      store.wake();
      return {};
    },
  };
}

export async function startSqs(ctx: ServiceContext, options: { port?: number } = {}): Promise<SqsService> {
  const store = new QueueStore(ctx);
  const server: Server = createServer(
    awsService({
      protocol: awsJson({ version: '1.0', targetPrefix: 'AmazonSQS', errorType: (code) => `com.amazonaws.sqs#${code}` }),
      operations: { ...queueOperations(store), ...messageOperations(store, ctx.accountId) },
      unknownOperation: (op) =>
        new SqsError(
          'UnsupportedOperation',
          'AWS.SimpleQueueService.UnsupportedOperation',
          `Unsupported operation '${op}' (this endpoint speaks the SQS JSON protocol)`,
        ),
      internalErrorCode: 'InternalError',
      log: (m) => ctx.log('sqs', m),
    }),
  );
  const port = await listenOrUndo(server, options.port ?? ctx.port, () => store.close());
  store.baseUrl = `http://127.0.0.1:${port}`;
  return {
    name: 'sqs',
    url: store.baseUrl,
    describe: () => [...store.queues.values()].map((q) => `queue ${q.name}${q.logicalId ? ` (${q.logicalId})` : ''}: ${store.urlOf(q)}`),
    send: (ref, body) => store.enqueue(store.find(ref), body).MessageId,
    peek: (ref) => store.find(ref).messages.map((m) => ({ MessageId: m.MessageId, Body: m.Body })),
    queueUrl: (name) => store.urlOf(store.find(name)),
    stop: async () => {
      store.close();
      await closeServer(server);
    },
  };
}

export const queueKind: ResourceKind = {
  types: ['AWS::SQS::Queue'],
  physicalId: (r, ctx) => `${ctx.urls.sqs ?? `http://127.0.0.1:${DEFAULT_PORT}`}/${ctx.accountId}/${queueName(r, ctx)}`,
  arn: (r, ctx) => `arn:aws:sqs:${ctx.region}:${ctx.accountId}:${queueName(r, ctx)}`,
  getAtt: (attr, r, ctx) => (attr === 'QueueName' ? queueName(r, ctx) : attr === 'QueueUrl' ? r.ref : undefined),
};

export const sqsService: ServiceModule = {
  name: 'sqs',
  port: DEFAULT_PORT,
  endpointEnv: ['AWS_ENDPOINT_URL_SQS'],
  endpoints: (url) => ({ SQSEndpoint: url }),
  kinds: [queueKind, notEmulated(['AWS::SQS::QueuePolicy'], 'SQS queue policies', 'not enforced (no authorisation locally)')],
  start: (ctx) => startSqs(ctx),
};
