/**
 * EventBridge: PutEvents (`AWSEvents.PutEvents`, application/x-amz-json-1.1) on the default
 * bus and the template's buses, the template's rules (AWS::Events::Rule and SAM
 * EventBridgeRule / CloudWatchEvent events on functions and state machines) matched with
 * event-patterns.ts, delivered asynchronously to Lambda (async invoke), Step Functions
 * (StartExecution) and SQS targets, with the rule's Input / InputPath / InputTransformer.
 * A delivery that still fails after its (locally shortened) RetryPolicy goes to the
 * target's DeadLetterConfig queue with EventBridge's error attributes. ListRules lists them.
 * Not emulated: rules created through the API (PutRule, PutTargets), archives and replays,
 * schema registry, API destinations, cross-account buses, targets other than Lambda, Step
 * Functions and SQS, MaximumEventAgeInSeconds.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { ResourceKind, ServiceContext, ServiceModule, StackContext } from '../contract';
import { clientConfig } from '../local-clients';
import { closeServer, listenLoopback } from '../ports';
import { AwsError, awsJson, awsService } from '../protocol';
import { declaredName } from '../template';
import { boundedWait } from '../waits';
import { matchesPattern } from './event-patterns';
import { queueUrlFromArn } from './sqs';

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

/** A bus name from a name or ARN (default: `default`). */
const busName = (v: unknown) => {
  const s = typeof v === 'string' && v ? v : 'default';
  return s.startsWith('arn:') ? s.split('/').pop()! : s;
};

export function ruleArn(ctx: StackContext, name: string, bus: string): string {
  return `arn:aws:events:${ctx.region}:${ctx.accountId}:rule/${bus === 'default' ? '' : `${bus}/`}${name}`;
}

type RuleSource = Pick<ServiceContext, 'template' | 'region' | 'accountId' | 'stackName' | 'urls'>;

function targetOf(t: JsonObject): RuleTarget {
  return {
    Id: String(t.Id),
    Arn: String(t.Arn),
    Input: str(t.Input),
    InputPath: t.InputPath as string | undefined,
    InputTransformer: t.InputTransformer as RuleTarget['InputTransformer'],
    DeadLetterConfig: t.DeadLetterConfig as RuleTarget['DeadLetterConfig'],
    RetryPolicy: t.RetryPolicy as RuleTarget['RetryPolicy'],
  };
}

/** An AWS::Events::Rule resource. */
function resourceRule(ctx: RuleSource, logicalId: string, p: JsonObject): LocalRule {
  const name = ctx.template.refs[logicalId] ?? `${ctx.stackName}-${logicalId}`;
  const bus = busName(p.EventBusName);
  return {
    name,
    arn: ruleArn(ctx, name, bus),
    declaredBy: logicalId,
    busName: bus,
    pattern: asObject(p.EventPattern),
    schedule: typeof p.ScheduleExpression === 'string' ? p.ScheduleExpression : undefined,
    enabled: p.State === undefined || p.State === 'ENABLED',
    targets: ((p.Targets ?? []) as JsonObject[]).map(targetOf),
  };
}

const SAM_RULE_EVENTS = ['EventBridgeRule', 'CloudWatchEvent', 'Schedule', 'ScheduleV2'];

/** The rules SAM makes of a function's or state machine's EventBridgeRule / Schedule events. */
function samEventRules(ctx: RuleSource, logicalId: string, p: JsonObject): LocalRule[] {
  const targetArn = ctx.template.arns[logicalId] ?? ctx.template.refs[logicalId] ?? logicalId;
  const rules: LocalRule[] = [];
  for (const [eventName, ev] of Object.entries((p.Events ?? {}) as Record<string, { Type: string; Properties?: JsonObject }>)) {
    if (!SAM_RULE_EVENTS.includes(ev.Type)) continue;
    const ep = ev.Properties ?? {};
    const isPattern = ev.Type === 'EventBridgeRule' || ev.Type === 'CloudWatchEvent';
    const name = typeof ep.Name === 'string' ? ep.Name : `${ctx.stackName}-${logicalId}${eventName}`;
    const bus = busName(ep.EventBusName);
    const dlq = ep.DeadLetterConfig as { Arn?: string } | undefined;
    const target = targetOf({ ...ep, Id: (ep.Target as JsonObject | undefined)?.Id ?? `${logicalId}${eventName}Target`, Arn: targetArn, DeadLetterConfig: dlq?.Arn ? { Arn: dlq.Arn } : undefined } as JsonObject);
    rules.push({
      name,
      arn: ruleArn(ctx, name, bus),
      declaredBy: `${logicalId}.${eventName}`,
      busName: bus,
      pattern: isPattern ? asObject(ep.Pattern) : undefined,
      schedule: isPattern ? undefined : String(ep.Schedule ?? ep.ScheduleExpression),
      enabled: !(ep.Enabled === false || ep.State === 'DISABLED'),
      targets: [target],
    });
  }
  return rules;
}

/** Every rule of the template, pattern rules and schedules alike. */
export function collectRules(ctx: RuleSource): LocalRule[] {
  const rules: LocalRule[] = [];
  for (const [logicalId, res] of Object.entries(ctx.template.resources)) {
    const p = (res.Properties ?? {}) as JsonObject;
    if (res.Type === 'AWS::Events::Rule') rules.push(resourceRule(ctx, logicalId, p));
    else if (res.Type === 'AWS::Serverless::Function' || res.Type === 'AWS::Serverless::StateMachine') rules.push(...samEventRules(ctx, logicalId, p));
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
  ctx: ServiceContext;
  sfn: () => SFNClient;
  sqs: () => SQSClient;
  /** ms before retry n (locally short; RetryPolicy only bounds the count). */
  retryDelayMs?: (attempt: number) => number;
}

/** Sends the event to the target's dead-letter queue with EventBridge's error attributes. */
async function deadLetter(deps: DeliveryDeps, rule: LocalRule, target: RuleTarget, event: JsonObject, error: { code: string; message: string }): Promise<void> {
  const dlq = target.DeadLetterConfig?.Arn;
  if (!dlq) return;
  try {
    await deps.sqs().send(
      new SendMessageCommand({
        QueueUrl: queueUrlFromArn(deps.ctx, dlq),
        MessageBody: JSON.stringify(event),
        MessageAttributes: {
          ERROR_CODE: { DataType: 'String', StringValue: error.code },
          ERROR_MESSAGE: { DataType: 'String', StringValue: error.message.slice(0, 256) || 'failed' },
          RULE_ARN: { DataType: 'String', StringValue: rule.arn },
          TARGET_ARN: { DataType: 'String', StringValue: target.Arn },
        },
      }),
    );
  } catch (err) {
    deps.ctx.log('eventbridge', `dead-letter queue ${dlq} unreachable: ${(err as Error).message}`);
  }
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
  deps.ctx.log('eventbridge', `rule ${rule.name} target ${target.Id} failed: ${lastError.code} ${lastError.message}`);
  await deadLetter(deps, rule, target, event, lastError);
  return false;
}

async function sendTo(deps: DeliveryDeps, arn: string, payload: string): Promise<void> {
  if (arn.startsWith('arn:aws:lambda:')) {
    const id = deps.ctx.functions.functionId(arn);
    if (!id) throw Object.assign(new Error(`Function not found: ${arn}`), { name: 'ResourceNotFoundException' });
    // EventBridge invokes Lambda asynchronously: the function's own errors are its async
    // retries' and DLQ's business, not the rule target's.
    const res = await deps.ctx.functions.invoke(id, JSON.parse(payload), { async: true });
    if (!res.ok && res.error?.errorType === 'ResourceNotFoundException') throw Object.assign(new Error(res.error.errorMessage), { name: res.error.errorType });
    return;
  }
  if (arn.startsWith('arn:aws:states:')) {
    await deps.sfn().send(new StartExecutionCommand({ stateMachineArn: arn, input: payload }));
    return;
  }
  if (arn.startsWith('arn:aws:sqs:')) {
    await deps.sqs().send(new SendMessageCommand({ QueueUrl: queueUrlFromArn(deps.ctx, arn), MessageBody: payload }));
    return;
  }
  throw Object.assign(new Error(`Target type not emulated locally: ${arn}`), { name: 'UnsupportedTarget' });
}

/** SDK clients for the targets: Step Functions and SQS, made on first use. */
export function localClients(ctx: StackContext): { sfn: () => SFNClient; sqs: () => SQSClient; destroy: () => void } {
  let sfn: SFNClient | undefined;
  let sqs: SQSClient | undefined;
  return {
    sfn: () => (sfn ??= new SFNClient(clientConfig(ctx, 'stepfunctions'))),
    sqs: () => (sqs ??= new SQSClient(clientConfig(ctx, 'sqs'))),
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

/** Why PutEvents refuses an entry ([code, message]), or undefined. */
function entryError(e: JsonObject, detail: unknown, bus: string, buses: Set<string>): [string, string] | undefined {
  if (!e.Source) return ['InvalidArgument', 'Parameter Source is not valid. Reason: Source is a required argument.'];
  if (!e.DetailType) return ['InvalidArgument', 'Parameter DetailType is not valid. Reason: DetailType is a required argument.'];
  if (!detail || typeof detail !== 'object' || Array.isArray(detail)) return ['MalformedDetail', 'Detail is malformed.'];
  if (!buses.has(bus)) return ['ResourceNotFoundException', `Event bus ${bus} does not exist.`];
  return undefined;
}

function parseDetail(text: unknown): unknown {
  try {
    return JSON.parse(String(text ?? ''));
  } catch {
    return undefined;
  }
}

/** Matches events against the rules and delivers them, keeping track of deliveries in flight. */
class EventBus {
  readonly inflight = new Set<Promise<unknown>>();
  readonly buses: Set<string>;

  constructor(
    private readonly ctx: ServiceContext,
    readonly rules: LocalRule[],
    private readonly deps: DeliveryDeps,
  ) {
    const declared = Object.entries(ctx.template.resources).filter(([, r]) => r.Type === 'AWS::Events::EventBus').map(([id]) => ctx.template.refs[id]!);
    this.buses = new Set(['default', ...declared]);
  }

  async putEvents(entries: JsonObject[]): Promise<{ FailedEntryCount: number; Entries: JsonObject[] }> {
    if (!Array.isArray(entries) || entries.length === 0 || entries.length > 10) throw new AwsError('ValidationException', 'Entries must hold 1 to 10 events');
    const results = entries.map((e) => this.put(e));
    return { FailedEntryCount: results.filter((r) => r.ErrorCode).length, Entries: results };
  }

  private put(e: JsonObject): JsonObject {
    const bus = busName(e.EventBusName);
    const detail = parseDetail(e.Detail);
    const error = entryError(e, detail, bus, this.buses);
    if (error) return { ErrorCode: error[0], ErrorMessage: error[1] };
    const id = randomUUID();
    const event: JsonObject = {
      version: '0',
      id,
      'detail-type': e.DetailType,
      source: e.Source,
      account: this.ctx.accountId,
      time: (e.Time ? new Date(String(Number(e.Time) ? Number(e.Time) * 1000 : e.Time)) : new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region: this.ctx.region,
      resources: (e.Resources as string[] | undefined) ?? [],
      detail,
    };
    for (const rule of this.rules) {
      if (rule.busName !== bus || !matchesPattern(rule.pattern, event)) continue;
      this.ctx.log('eventbridge', `${String(e.Source)}/${String(e.DetailType)} matched ${rule.name}`);
      for (const target of rule.targets) {
        const p = deliver(this.deps, rule, target, event).finally(() => this.inflight.delete(p));
        this.inflight.add(p);
      }
    }
    return { EventId: id };
  }

  async idle(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.inflight.size > 0 && Date.now() < deadline) await boundedWait(Promise.all([...this.inflight]), 50);
  }
}

function listRules(ctx: ServiceContext): JsonObject {
  const rules = collectRules(ctx).map((r) => ({
    Name: r.name,
    Arn: r.arn,
    EventBusName: r.busName,
    State: r.enabled ? 'ENABLED' : 'DISABLED',
    ...(r.pattern ? { EventPattern: JSON.stringify(r.pattern) } : {}),
    ...(r.schedule ? { ScheduleExpression: r.schedule } : {}),
  }));
  return { Rules: rules };
}

export async function startEventBridge(ctx: ServiceContext, options: { port?: number; retryDelayMs?: (attempt: number) => number } = {}): Promise<EventBridgeService> {
  const clients = localClients(ctx);
  const bus = new EventBus(ctx, collectRules(ctx).filter((r) => r.pattern && r.enabled), { ctx, sfn: clients.sfn, sqs: clients.sqs, retryDelayMs: options.retryDelayMs });
  const server = createServer(
    awsService({
      protocol: awsJson({ version: '1.1', targetPrefix: 'AWSEvents' }),
      operations: { PutEvents: (b) => bus.putEvents(b.Entries as JsonObject[]), ListRules: () => listRules(ctx) },
      internalErrorCode: 'InternalException',
      log: (m) => ctx.log('eventbridge', m),
    }),
  );
  const url = `http://127.0.0.1:${await listenLoopback(server, options.port ?? ctx.port)}`;
  return {
    name: 'eventbridge',
    url,
    rules: bus.rules,
    describe: () => bus.rules.map((r) => `rule ${r.name} (${r.declaredBy}) ${JSON.stringify(r.pattern)} -> ${r.targets.map((t) => t.Arn.split(':').pop()).join(', ')}`),
    putEvents: (entries) => bus.putEvents(entries),
    idle: (timeoutMs = 10_000) => bus.idle(timeoutMs),
    stop: async () => {
      await boundedWait(Promise.all([...bus.inflight]), 2000);
      clients.destroy();
      await closeServer(server);
    },
  };
}

const ruleKind: ResourceKind = {
  types: ['AWS::Events::Rule'],
  physicalId: (r, ctx) => declaredName(r, 'Name', ctx),
  arn: (r, ctx) => {
    const bus = r.prop('EventBusName');
    return ruleArn(ctx, r.ref, busName(bus));
  },
};

const busKind: ResourceKind = {
  types: ['AWS::Events::EventBus'],
  physicalId: (r, ctx) => declaredName(r, 'Name', ctx),
  arn: (r, ctx) => `arn:aws:events:${ctx.region}:${ctx.accountId}:event-bus/${r.ref}`,
  getAtt: (attr, r) => (attr === 'Name' ? r.ref : undefined),
};

export const eventBridgeService: ServiceModule = {
  name: 'eventbridge',
  port: 4010,
  endpointEnv: ['AWS_ENDPOINT_URL_EVENTBRIDGE'],
  endpoints: (url) => ({ EventBridgeEndpoint: url }),
  kinds: [ruleKind, busKind],
  start: (ctx) => startEventBridge(ctx),
};
