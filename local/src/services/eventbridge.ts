/**
 * Local EventBridge: PutEvents (`AWSEvents.PutEvents`, application/x-amz-json-1.1) on the
 * default bus and the template's buses, the template's rules (AWS::Events::Rule and SAM
 * EventBridgeRule / CloudWatchEvent events on functions and state machines) matched with
 * event-patterns.ts, delivered asynchronously to Lambda (async invoke), Step Functions
 * (StartExecution) and SQS targets, with the rule's Input / InputPath / InputTransformer.
 * A delivery that still fails after its (locally shortened) RetryPolicy goes to the
 * target's DeadLetterConfig queue with EventBridge's error attributes.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import { matchesPattern } from './event-patterns';
import { LOCAL_ACCOUNT, LOCAL_REGION, boundedWait, functionLogicalId, readBody, resourcesOf, type ServiceRuntime } from './stepfunctions-seam';
import { closeServer } from '../ports';

type JsonObject = Record<string, unknown>;

export interface RuleTarget {
  Id: string;
  Arn: string;
  Input?: string;
  InputPath?: string;
  InputTransformer?: { InputPathsMap?: Record<string, string>; InputTemplate: string };
  DeadLetterConfig?: { Arn?: string };
  RetryPolicy?: { MaximumRetryAttempts?: number; MaximumEventAgeInSeconds?: number };
}

export interface LocalRule {
  name: string;
  arn: string;
  /** Where it was declared: a logical id, or `<Function>.<EventName>` for SAM events. */
  declaredBy: string;
  busName: string;
  pattern?: JsonObject;
  schedule?: string;
  enabled: boolean;
  targets: RuleTarget[];
}

const asObject = (v: unknown): JsonObject | undefined => {
  if (typeof v === 'string') return JSON.parse(v) as JsonObject;
  return v && typeof v === 'object' ? (v as JsonObject) : undefined;
};
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : v === undefined || v === null ? undefined : JSON.stringify(v));

/** Every rule of the template, pattern rules and schedules alike. */
export function collectRules(rt: ServiceRuntime): LocalRule[] {
  const stack = rt.stackName ?? 'myapp';
  const region = rt.region ?? LOCAL_REGION;
  const account = rt.accountId ?? LOCAL_ACCOUNT;
  const ruleArn = (name: string, bus: string) => `arn:aws:events:${region}:${account}:rule/${bus === 'default' ? '' : `${bus}/`}${name}`;
  const busName = (v: unknown) => {
    const s = typeof v === 'string' && v ? v : 'default';
    return s.startsWith('arn:') ? s.split('/').pop()! : s;
  };
  const resources = resourcesOf(rt.template);
  const rules: LocalRule[] = [];
  for (const [logicalId, res] of Object.entries(resources)) {
    const p = res.Properties ?? {};
    if (res.Type === 'AWS::Events::Rule') {
      const name = typeof p.Name === 'string' ? p.Name : `${stack}-${logicalId}`;
      const bus = busName(p.EventBusName);
      rules.push({
        name,
        arn: ruleArn(name, bus),
        declaredBy: logicalId,
        busName: bus,
        pattern: asObject(p.EventPattern),
        schedule: typeof p.ScheduleExpression === 'string' ? p.ScheduleExpression : undefined,
        enabled: p.State === undefined || p.State === 'ENABLED',
        targets: ((p.Targets ?? []) as JsonObject[]).map((t) => ({
          Id: String(t.Id),
          Arn: String(t.Arn),
          Input: str(t.Input),
          InputPath: t.InputPath as string | undefined,
          InputTransformer: t.InputTransformer as RuleTarget['InputTransformer'],
          DeadLetterConfig: t.DeadLetterConfig as RuleTarget['DeadLetterConfig'],
          RetryPolicy: t.RetryPolicy as RuleTarget['RetryPolicy'],
        })),
      });
      continue;
    }
    const isFn = res.Type === 'AWS::Serverless::Function';
    const isSm = res.Type === 'AWS::Serverless::StateMachine';
    if (!isFn && !isSm) continue;
    const targetArn = isFn
      ? `arn:aws:lambda:${region}:${account}:function:${typeof p.FunctionName === 'string' ? p.FunctionName : `${stack}-${logicalId}`}`
      : `arn:aws:states:${region}:${account}:stateMachine:${typeof p.Name === 'string' ? p.Name : `${stack}-${logicalId}`}`;
    for (const [eventName, ev] of Object.entries((p.Events ?? {}) as Record<string, { Type: string; Properties?: JsonObject }>)) {
      const ep = ev.Properties ?? {};
      const kind = ev.Type;
      if (!['EventBridgeRule', 'CloudWatchEvent', 'Schedule', 'ScheduleV2'].includes(kind)) continue;
      const name = typeof ep.Name === 'string' ? ep.Name : `${stack}-${logicalId}${eventName}`;
      const bus = busName(ep.EventBusName);
      const dlq = ep.DeadLetterConfig as { Arn?: string } | undefined;
      const enabled = ep.Enabled === false || ep.State === 'DISABLED' ? false : true;
      rules.push({
        name,
        arn: ruleArn(name, bus),
        declaredBy: `${logicalId}.${eventName}`,
        busName: bus,
        pattern: kind === 'EventBridgeRule' || kind === 'CloudWatchEvent' ? asObject(ep.Pattern) : undefined,
        schedule: kind === 'Schedule' || kind === 'ScheduleV2' ? String(ep.Schedule ?? ep.ScheduleExpression) : undefined,
        enabled,
        targets: [
          {
            Id: String((ep.Target as JsonObject | undefined)?.Id ?? `${logicalId}${eventName}Target`),
            Arn: targetArn,
            Input: str(ep.Input),
            InputPath: ep.InputPath as string | undefined,
            InputTransformer: ep.InputTransformer as RuleTarget['InputTransformer'],
            DeadLetterConfig: dlq?.Arn ? { Arn: dlq.Arn } : undefined,
            RetryPolicy: ep.RetryPolicy as RuleTarget['RetryPolicy'],
          },
        ],
      });
    }
  }
  return rules;
}

/** `$`, `$.a.b`, `$.a[0].b`: the JSONPath subset rule inputs use. */
export function jsonPath(doc: unknown, path: string): unknown {
  if (path === '$') return doc;
  if (!path.startsWith('$')) throw new Error(`Unsupported JSONPath ${path}`);
  const tokens = path.slice(1).match(/\.[^.[\]]+|\[\d+\]|\['[^']+'\]/g) ?? [];
  let cur: unknown = doc;
  for (const t of tokens) {
    if (cur === undefined || cur === null) return undefined;
    const key = t.startsWith('.') ? t.slice(1) : t.startsWith("['") ? t.slice(2, -2) : Number(t.slice(1, -1));
    cur = (cur as Record<string | number, unknown>)[key];
  }
  return cur;
}

/** The payload a target receives: the event, or what Input / InputPath / InputTransformer make of it. */
export function targetInput(target: RuleTarget, event: JsonObject): string {
  if (target.Input !== undefined) return target.Input;
  if (target.InputPath) return JSON.stringify(jsonPath(event, target.InputPath) ?? null);
  const tr = target.InputTransformer;
  if (tr) {
    const values: Record<string, unknown> = {};
    for (const [k, p] of Object.entries(tr.InputPathsMap ?? {})) values[k] = jsonPath(event, p);
    const reserved: Record<string, unknown> = { 'aws.events.event': event, 'aws.events.event.json': event, 'aws.events.rule-name': '' };
    return tr.InputTemplate.replace(/<([A-Za-z0-9_.-]+)>/g, (whole, k: string) => {
      const v = k in values ? values[k] : reserved[k];
      if (!(k in values) && !(k in reserved)) return whole;
      // Strings go in as their text (the template supplies the quotes); the rest as JSON.
      if (typeof v === 'string') return JSON.stringify(v).slice(1, -1);
      return v === undefined ? 'null' : JSON.stringify(v);
    });
  }
  return JSON.stringify(event);
}

export interface DeliveryDeps {
  rt: ServiceRuntime;
  sfn: () => SFNClient;
  sqs: () => SQSClient;
  /** ms before retry n (locally short; RetryPolicy only bounds the count). */
  retryDelayMs?: (attempt: number) => number;
}

/** Delivers to one target, with retries and the dead-letter queue. Never throws. */
export async function deliver(deps: DeliveryDeps, rule: LocalRule, target: RuleTarget, event: JsonObject): Promise<boolean> {
  const payload = targetInput(target, event);
  // RetryPolicy bounds the attempts; locally at most 3 retries so a dead target fails fast.
  const retries = Math.min(target.RetryPolicy?.MaximumRetryAttempts ?? 185, 3);
  let lastError = { code: 'UnknownError', message: '' };
  for (let attempt = 0; attempt <= retries; attempt++) {
    if (attempt > 0) await new Promise((r) => setTimeout(r, deps.retryDelayMs?.(attempt) ?? 100 * 2 ** attempt));
    try {
      await sendTo(deps, target.Arn, payload);
      return true;
    } catch (err) {
      lastError = { code: (err as Error).name || 'Error', message: (err as Error).message };
    }
  }
  deps.rt.log('eventbridge', `rule ${rule.name} target ${target.Id} failed: ${lastError.code} ${lastError.message}`);
  if (target.DeadLetterConfig?.Arn) {
    try {
      await deps.sqs().send(
        new SendMessageCommand({
          QueueUrl: queueUrlFromArn(deps.rt, target.DeadLetterConfig.Arn),
          MessageBody: JSON.stringify(event),
          MessageAttributes: {
            ERROR_CODE: { DataType: 'String', StringValue: lastError.code },
            ERROR_MESSAGE: { DataType: 'String', StringValue: lastError.message.slice(0, 256) || 'failed' },
            RULE_ARN: { DataType: 'String', StringValue: rule.arn },
            TARGET_ARN: { DataType: 'String', StringValue: target.Arn },
          },
        }),
      );
    } catch (err) {
      deps.rt.log('eventbridge', `dead-letter queue ${target.DeadLetterConfig.Arn} unreachable: ${(err as Error).message}`);
    }
  }
  return false;
}

export function queueUrlFromArn(rt: ServiceRuntime, arn: string): string {
  const parts = arn.split(':');
  const base = rt.endpoints.SQSEndpoint ?? 'http://127.0.0.1:9324';
  return `${base}/${parts[4] ?? rt.accountId ?? LOCAL_ACCOUNT}/${parts[5] ?? arn}`;
}

async function sendTo(deps: DeliveryDeps, arn: string, payload: string): Promise<void> {
  if (arn.startsWith('arn:aws:lambda:')) {
    const id = functionLogicalId(deps.rt.template, arn);
    if (!id) throw Object.assign(new Error(`Function not found: ${arn}`), { name: 'ResourceNotFoundException' });
    // EventBridge invokes Lambda asynchronously: the function's own errors are its async
    // retries' and DLQ's business, not the rule target's.
    const res = await deps.rt.invoke(id, JSON.parse(payload), { async: true });
    if (!res.ok && res.error?.errorType === 'ResourceNotFoundException') throw Object.assign(new Error(res.error.errorMessage), { name: res.error.errorType });
    return;
  }
  if (arn.startsWith('arn:aws:states:')) {
    await deps.sfn().send(new StartExecutionCommand({ stateMachineArn: arn, input: payload }));
    return;
  }
  if (arn.startsWith('arn:aws:sqs:')) {
    await deps.sqs().send(new SendMessageCommand({ QueueUrl: queueUrlFromArn(deps.rt, arn), MessageBody: payload }));
    return;
  }
  throw Object.assign(new Error(`Target type not emulated locally: ${arn}`), { name: 'UnsupportedTarget' });
}

export function localClients(rt: ServiceRuntime): { sfn: () => SFNClient; sqs: () => SQSClient; destroy: () => void } {
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  const region = rt.region ?? LOCAL_REGION;
  let sfn: SFNClient | undefined;
  let sqs: SQSClient | undefined;
  return {
    sfn: () => (sfn ??= new SFNClient({ region, credentials, endpoint: rt.endpoints.StepFunctionsEndpoint ?? 'http://127.0.0.1:8083' })),
    sqs: () => (sqs ??= new SQSClient({ region, credentials, endpoint: rt.endpoints.SQSEndpoint ?? 'http://127.0.0.1:9324' })),
    destroy: () => {
      sfn?.destroy();
      sqs?.destroy();
    },
  };
}

export interface EventBridgeService {
  name: string;
  url: string;
  rules: LocalRule[];
  describe(): string[];
  putEvents(entries: JsonObject[]): Promise<{ FailedEntryCount: number; Entries: JsonObject[] }>;
  /** Resolves when every delivery in flight has finished (bounded). */
  idle(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startEventBridge(
  rt: ServiceRuntime,
  options: number | { port?: number; host?: string; retryDelayMs?: (attempt: number) => number } = {},
): Promise<EventBridgeService> {
  const opts = typeof options === 'number' ? { port: options } : options;
  const region = rt.region ?? LOCAL_REGION;
  const account = rt.accountId ?? LOCAL_ACCOUNT;
  const rules = collectRules(rt).filter((r) => r.pattern && r.enabled);
  const buses = new Set(['default', ...Object.entries(resourcesOf(rt.template)).filter(([, r]) => r.Type === 'AWS::Events::EventBus').map(([id, r]) => String(r.Properties?.Name ?? id))]);
  const clients = localClients(rt);
  const deps: DeliveryDeps = { rt, sfn: clients.sfn, sqs: clients.sqs, retryDelayMs: opts.retryDelayMs };
  const inflight = new Set<Promise<unknown>>();

  const putEvents = async (entries: JsonObject[]) => {
    if (!Array.isArray(entries) || entries.length === 0 || entries.length > 10) {
      throw Object.assign(new Error('Entries must hold 1 to 10 events'), { name: 'ValidationException' });
    }
    const results: JsonObject[] = [];
    let failed = 0;
    for (const e of entries) {
      const bus = typeof e.EventBusName === 'string' && e.EventBusName ? (e.EventBusName.startsWith('arn:') ? e.EventBusName.split('/').pop()! : e.EventBusName) : 'default';
      let detail: unknown;
      try {
        detail = JSON.parse(String(e.Detail ?? ''));
      } catch {
        detail = undefined;
      }
      const error =
        !e.Source ? ['InvalidArgument', 'Parameter Source is not valid. Reason: Source is a required argument.']
        : !e.DetailType ? ['InvalidArgument', 'Parameter DetailType is not valid. Reason: DetailType is a required argument.']
        : !detail || typeof detail !== 'object' || Array.isArray(detail) ? ['MalformedDetail', 'Detail is malformed.']
        : !buses.has(bus) ? ['ResourceNotFoundException', `Event bus ${bus} does not exist.`]
        : undefined;
      if (error) {
        failed++;
        results.push({ ErrorCode: error[0], ErrorMessage: error[1] });
        continue;
      }
      const id = randomUUID();
      const event: JsonObject = {
        version: '0',
        id,
        'detail-type': e.DetailType,
        source: e.Source,
        account,
        time: (e.Time ? new Date(String(Number(e.Time) ? Number(e.Time) * 1000 : e.Time)) : new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        region,
        resources: (e.Resources as string[] | undefined) ?? [],
        detail,
      };
      results.push({ EventId: id });
      for (const rule of rules) {
        if (rule.busName !== bus || !matchesPattern(rule.pattern, event)) continue;
        rt.log('eventbridge', `${String(e.Source)}/${String(e.DetailType)} matched ${rule.name}`);
        for (const target of rule.targets) {
          const p = deliver(deps, rule, target, event).finally(() => inflight.delete(p));
          inflight.add(p);
        }
      }
    }
    return { FailedEntryCount: failed, Entries: results };
  };

  const reply = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID() });
    res.end(JSON.stringify(body));
  };
  const server = createServer((req, res) => {
    void (async () => {
      try {
        const target = String(req.headers['x-amz-target'] ?? '');
        const text = await readBody(req);
        const body = (text ? JSON.parse(text) : {}) as JsonObject;
        if (target === 'AWSEvents.PutEvents') return reply(res, 200, await putEvents(body.Entries as JsonObject[]));
        if (target === 'AWSEvents.ListRules') {
          return reply(res, 200, { Rules: collectRules(rt).map((r) => ({ Name: r.name, Arn: r.arn, EventBusName: r.busName, State: r.enabled ? 'ENABLED' : 'DISABLED', ...(r.pattern ? { EventPattern: JSON.stringify(r.pattern) } : {}), ...(r.schedule ? { ScheduleExpression: r.schedule } : {}) })) });
        }
        reply(res, 400, { __type: 'UnknownOperationException', message: `Unsupported operation '${target}'` });
      } catch (err) {
        const name = (err as Error).name === 'ValidationException' ? 'ValidationException' : 'InternalException';
        reply(res, name === 'ValidationException' ? 400 : 500, { __type: name, message: (err as Error).message });
      }
    })();
  });
  await new Promise<void>((r) => server.listen(opts.port ?? 4010, opts.host ?? '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    name: 'eventbridge',
    url,
    rules,
    describe: () => rules.map((r) => `rule ${r.name} (${r.declaredBy}) ${JSON.stringify(r.pattern)} -> ${r.targets.map((t) => t.Arn.split(':').pop()).join(', ')}`),
    putEvents,
    idle: async (timeoutMs = 10_000) => {
      const deadline = Date.now() + timeoutMs;
      while (inflight.size > 0 && Date.now() < deadline) {
        await boundedWait(Promise.all([...inflight]), 50);
      }
    },
    stop: async () => {
      await boundedWait(Promise.all([...inflight]), 2000);
      clients.destroy();
      await closeServer(server);
    },
  };
}
