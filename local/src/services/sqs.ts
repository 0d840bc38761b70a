/**
 * Local SQS: the template's queues behind an endpoint that speaks SQS's JSON protocol
 * (`AmazonSQS.<Op>`, application/x-amz-json-1.0), which current AWS SDKs and AWS CLI v2
 * use. Messages persist under the state dir. The query (XML) protocol is not served.
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { LOCAL_ACCOUNT, LOCAL_REGION, readBody, resourcesOf, type ServiceRuntime } from './stepfunctions-seam';
import { closeServer } from '../ports';

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

class SqsError extends Error {
  constructor(
    public readonly code: string,
    public readonly queryCode: string,
    message: string,
    public readonly status = 400,
  ) {
    super(message);
  }
}
const noQueue = () => new SqsError('QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue', 'The specified queue does not exist.');

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

export async function startSqs(rt: ServiceRuntime, options: number | { port?: number; host?: string } = {}): Promise<SqsService> {
  const opts = typeof options === 'number' ? { port: options } : options;
  const stackName = rt.stackName ?? 'myapp';
  const account = rt.accountId ?? LOCAL_ACCOUNT;
  const region = rt.region ?? LOCAL_REGION;
  const dir = join(rt.stateDir, 'sqs');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'queues.json');
  const queues = new Map<string, Queue>();
  /** Other names a template queue answers to (what the core's Ref / GetAtt produced). */
  const aliases = new Map<string, string>();
  if (existsSync(file)) for (const q of JSON.parse(readFileSync(file, 'utf8')) as Queue[]) queues.set(q.name, q);
  for (const [logicalId, res] of Object.entries(resourcesOf(rt.template))) {
    if (res.Type !== 'AWS::SQS::Queue') continue;
    const p = res.Properties ?? {};
    const name = typeof p.QueueName === 'string' ? p.QueueName : `${stackName}-${logicalId}`;
    const existing = queues.get(name);
    const attributes = {
      VisibilityTimeout: num(p.VisibilityTimeout, 30),
      MessageRetentionPeriod: num(p.MessageRetentionPeriod, 345600),
      DelaySeconds: num(p.DelaySeconds, 0),
      ReceiveMessageWaitTimeSeconds: num(p.ReceiveMessageWaitTimeSeconds, 0),
    };
    queues.set(name, { name, logicalId, attributes, createdAt: existing?.createdAt ?? Date.now(), messages: existing?.messages ?? [] });
    // The core may derive a queue's URL / ARN before resolving an intrinsic QueueName
    // (e.g. !Sub ${AWS::StackName}-order-dlq): answer to those names too.
    const ref = (rt.template as { refs?: Record<string, string> } | null)?.refs?.[logicalId];
    for (const alt of [`${stackName}-${logicalId}`, ref?.split('/').pop()]) if (alt && alt !== name) aliases.set(alt, name);
  }

  let dirty = false;
  const persist = () => {
    dirty = false;
    const tmp = `${file}.tmp`;
    writeFileSync(tmp, JSON.stringify([...queues.values()]));
    renameSync(tmp, file);
  };
  const flush = setInterval(() => dirty && persist(), 200);
  const changed = () => {
    dirty = true;
  };

  let baseUrl = '';
  const urlOf = (q: Queue) => `${baseUrl}/${account}/${q.name}`;
  const arnOf = (q: Queue) => `arn:aws:sqs:${region}:${account}:${q.name}`;
  const find = (ref: unknown): Queue => {
    const s = String(ref ?? '');
    const raw = s.startsWith('arn:') ? s.split(':').pop()! : s.split('/').pop()!;
    const q = queues.get(raw) ?? queues.get(aliases.get(raw) ?? '');
    if (!q) throw noQueue();
    return q;
  };
  const expire = (q: Queue, now: number) => {
    const keep = q.messages.filter((m) => now - m.sentAt < q.attributes.MessageRetentionPeriod * 1000);
    if (keep.length !== q.messages.length) {
      q.messages = keep;
      changed();
    }
  };

  const enqueue = (q: Queue, body: string, delaySeconds?: number, attrs?: Record<string, MessageAttribute>): StoredMessage => {
    if (typeof body !== 'string' || body.length === 0) throw new SqsError('InvalidParameterValue', 'InvalidParameterValue', 'The message body must be a non-empty string');
    if (Buffer.byteLength(body) > 262144) throw new SqsError('InvalidParameterValue', 'InvalidParameterValue', 'Message must be shorter than 262144 bytes');
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
    changed();
    wake();
    return m;
  };

  let waiters: Array<() => void> = [];
  const wake = () => {
    const w = waiters;
    waiters = [];
    w.forEach((f) => f());
  };

  const receive = (q: Queue, max: number, visibility: number): StoredMessage[] => {
    const now = Date.now();
    expire(q, now);
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
    if (out.length) changed();
    return out;
  };

  const ops: Record<string, (b: Record<string, unknown>) => Promise<unknown> | unknown> = {
    CreateQueue: (b) => {
      const name = String(b.QueueName ?? '');
      if (!/^[A-Za-z0-9_-]{1,80}(\.fifo)?$/.test(name)) throw new SqsError('InvalidParameterValue', 'InvalidParameterValue', 'Invalid queue name');
      let q = queues.get(name);
      if (!q) {
        const a = (b.Attributes ?? {}) as Record<string, string>;
        q = { name, attributes: { VisibilityTimeout: num(a.VisibilityTimeout, 30), MessageRetentionPeriod: num(a.MessageRetentionPeriod, 345600), DelaySeconds: num(a.DelaySeconds, 0), ReceiveMessageWaitTimeSeconds: num(a.ReceiveMessageWaitTimeSeconds, 0) }, createdAt: Date.now(), messages: [] };
        queues.set(name, q);
        changed();
      }
      return { QueueUrl: urlOf(q) };
    },
    GetQueueUrl: (b) => ({ QueueUrl: urlOf(find(b.QueueName)) }),
    ListQueues: (b) => {
      const prefix = typeof b.QueueNamePrefix === 'string' ? b.QueueNamePrefix : '';
      return { QueueUrls: [...queues.values()].filter((q) => q.name.startsWith(prefix)).map(urlOf) };
    },
    SendMessage: (b) => {
      const m = enqueue(find(b.QueueUrl), String(b.MessageBody ?? ''), b.DelaySeconds === undefined ? undefined : Number(b.DelaySeconds), b.MessageAttributes as Record<string, MessageAttribute> | undefined);
      return { MessageId: m.MessageId, MD5OfMessageBody: m.MD5OfBody, ...(m.MD5OfMessageAttributes ? { MD5OfMessageAttributes: m.MD5OfMessageAttributes } : {}) };
    },
    SendMessageBatch: (b) => {
      const q = find(b.QueueUrl);
      const entries = (b.Entries ?? []) as Array<{ Id: string; MessageBody: string; DelaySeconds?: number; MessageAttributes?: Record<string, MessageAttribute> }>;
      if (entries.length === 0 || entries.length > 10) throw new SqsError('TooManyEntriesInBatchRequest', 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest', 'A batch holds 1 to 10 entries');
      return {
        Successful: entries.map((e) => {
          const m = enqueue(q, e.MessageBody, e.DelaySeconds, e.MessageAttributes);
          return { Id: e.Id, MessageId: m.MessageId, MD5OfMessageBody: m.MD5OfBody, ...(m.MD5OfMessageAttributes ? { MD5OfMessageAttributes: m.MD5OfMessageAttributes } : {}) };
        }),
        Failed: [],
      };
    },
    ReceiveMessage: async (b) => {
      const q = find(b.QueueUrl);
      const max = Math.min(Math.max(num(b.MaxNumberOfMessages, 1), 1), 10);
      const visibility = num(b.VisibilityTimeout, q.attributes.VisibilityTimeout);
      // Long polling, bounded to SQS's own 20 s maximum.
      const waitMs = Math.min(num(b.WaitTimeSeconds, q.attributes.ReceiveMessageWaitTimeSeconds), 20) * 1000;
      const deadline = Date.now() + waitMs;
      let got = receive(q, max, visibility);
      while (got.length === 0 && Date.now() < deadline && !closed) {
        await new Promise<void>((r) => {
          const t = setTimeout(r, Math.min(deadline - Date.now(), 250));
          waiters.push(() => {
            clearTimeout(t);
            r();
          });
        });
        got = receive(q, max, visibility);
      }
      const wantAttrs = [...((b.AttributeNames as string[] | undefined) ?? []), ...((b.MessageSystemAttributeNames as string[] | undefined) ?? [])];
      const wantMsgAttrs = (b.MessageAttributeNames as string[] | undefined) ?? [];
      return {
        Messages: got.map((m) => {
          const all: Record<string, string> = {
            SentTimestamp: String(m.sentAt),
            ApproximateReceiveCount: String(m.receiveCount),
            ApproximateFirstReceiveTimestamp: String(m.firstReceiveAt ?? m.sentAt),
            SenderId: account,
          };
          const attributes = wantAttrs.includes('All') ? all : Object.fromEntries(Object.entries(all).filter(([k]) => wantAttrs.includes(k)));
          const msgAttrs = m.MessageAttributes && wantMsgAttrs.length
            ? Object.fromEntries(Object.entries(m.MessageAttributes).filter(([k]) => wantMsgAttrs.includes('All') || wantMsgAttrs.includes('.*') || wantMsgAttrs.includes(k)))
            : undefined;
          return {
            MessageId: m.MessageId,
            ReceiptHandle: m.receipt,
            MD5OfBody: m.MD5OfBody,
            Body: m.Body,
            ...(Object.keys(attributes).length ? { Attributes: attributes } : {}),
            ...(msgAttrs && Object.keys(msgAttrs).length ? { MessageAttributes: msgAttrs, MD5OfMessageAttributes: md5OfMessageAttributes(msgAttrs) } : {}),
          };
        }),
      };
    },
    DeleteMessage: (b) => {
      const q = find(b.QueueUrl);
      const i = q.messages.findIndex((m) => m.receipt === b.ReceiptHandle);
      const known = typeof b.ReceiptHandle === 'string' && b.ReceiptHandle.includes('#');
      if (i < 0 && !known) throw new SqsError('ReceiptHandleIsInvalid', 'ReceiptHandleIsInvalid', 'The input receipt handle is invalid.');
      if (i >= 0) {
        q.messages.splice(i, 1);
        changed();
      }
      return {};
    },
    DeleteMessageBatch: (b) => {
      const q = find(b.QueueUrl);
      const entries = (b.Entries ?? []) as Array<{ Id: string; ReceiptHandle: string }>;
      for (const e of entries) {
        const i = q.messages.findIndex((m) => m.receipt === e.ReceiptHandle);
        if (i >= 0) q.messages.splice(i, 1);
      }
      changed();
      return { Successful: entries.map((e) => ({ Id: e.Id })), Failed: [] };
    },
    ChangeMessageVisibility: (b) => {
      const m = find(b.QueueUrl).messages.find((x) => x.receipt === b.ReceiptHandle);
      if (!m) throw new SqsError('ReceiptHandleIsInvalid', 'ReceiptHandleIsInvalid', 'The input receipt handle is invalid.');
      m.visibleAt = Date.now() + num(b.VisibilityTimeout, 0) * 1000;
      changed();
      wake();
      return {};
    },
    GetQueueAttributes: (b) => {
      const q = find(b.QueueUrl);
      const now = Date.now();
      expire(q, now);
      const visible = q.messages.filter((m) => m.visibleAt <= now).length;
      const inFlight = q.messages.filter((m) => m.visibleAt > now && m.receiveCount > 0).length;
      const delayed = q.messages.filter((m) => m.visibleAt > now && m.receiveCount === 0).length;
      const all: Record<string, string> = {
        QueueArn: arnOf(q),
        ApproximateNumberOfMessages: String(visible),
        ApproximateNumberOfMessagesNotVisible: String(inFlight),
        ApproximateNumberOfMessagesDelayed: String(delayed),
        VisibilityTimeout: String(q.attributes.VisibilityTimeout),
        MessageRetentionPeriod: String(q.attributes.MessageRetentionPeriod),
        DelaySeconds: String(q.attributes.DelaySeconds),
        ReceiveMessageWaitTimeSeconds: String(q.attributes.ReceiveMessageWaitTimeSeconds),
        CreatedTimestamp: String(Math.floor(q.createdAt / 1000)),
        MaximumMessageSize: '262144',
      };
      const names = (b.AttributeNames as string[] | undefined) ?? ['All'];
      return { Attributes: names.includes('All') ? all : Object.fromEntries(Object.entries(all).filter(([k]) => names.includes(k))) };
    },
    PurgeQueue: (b) => {
      find(b.QueueUrl).messages = [];
      changed();
      return {};
    },
  };

  const reply = (res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': randomUUID(), ...extra });
    res.end(JSON.stringify(body));
  };

  let closed = false;
  const server = createServer((req, res) => {
    void (async () => {
      try {
        const target = String(req.headers['x-amz-target'] ?? '');
        const op = target.startsWith('AmazonSQS.') ? target.slice('AmazonSQS.'.length) : '';
        const handler = ops[op];
        if (req.method !== 'POST' || !handler) {
          throw new SqsError('UnsupportedOperation', 'AWS.SimpleQueueService.UnsupportedOperation', `Unsupported operation '${target || req.method}' (this endpoint speaks the SQS JSON protocol)`);
        }
        const text = await readBody(req);
        reply(res, 200, await handler((text ? JSON.parse(text) : {}) as Record<string, unknown>));
      } catch (err) {
        const e = err instanceof SqsError ? err : new SqsError('InternalError', 'InternalError', (err as Error).message, 500);
        // The query-compatible header is what the SDK reads the error code from.
        reply(res, e.status, { __type: `com.amazonaws.sqs#${e.code}`, message: e.message }, { 'x-amzn-query-error': `${e.queryCode};${e.status < 500 ? 'Sender' : 'Receiver'}` });
      }
    })();
  });
  await new Promise<void>((r) => server.listen(opts.port ?? 9324, opts.host ?? '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    name: 'sqs',
    url: baseUrl,
    describe: () => [...queues.values()].map((q) => `queue ${q.name}${q.logicalId ? ` (${q.logicalId})` : ''}: ${urlOf(q)}`),
    send: (ref, body) => enqueue(find(ref), body).MessageId,
    peek: (ref) => find(ref).messages.map((m) => ({ MessageId: m.MessageId, Body: m.Body })),
    queueUrl: (name) => urlOf(find(name)),
    stop: async () => {
      closed = true;
      wake();
      clearInterval(flush);
      persist();
      await closeServer(server);
    },
  };
}
