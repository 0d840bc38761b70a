/**
 * EventBridge, as the AWS CLI and SDK call it (`AWSEvents.*`, application/x-amz-json-1.1):
 * PutEvents on the default bus and the template's buses; TestEventPattern; rules from the
 * template (AWS::Events::Rule, SAM EventBridgeRule / CloudWatchEvent / Schedule events) and
 * from PutRule, managed with DescribeRule, ListRules, EnableRule, DisableRule, DeleteRule,
 * PutTargets, ListTargetsByRule, RemoveTargets (eventbridge-api.ts), kept in the state dir
 * (eventbridge-rules.ts: a template rule changed through the API is drift, kept until the
 * template changes that rule); scheduled rules fired on time (schedules.ts); deliveries to
 * Lambda, Step Functions and SQS with Input / InputPath / InputTransformer, RetryPolicy (at
 * most 3 quick retries locally) and the DeadLetterConfig queue (eventbridge-targets.ts).
 * Patterns match as the user guide documents them (event-patterns.ts), where AWS's service
 * differs: a key with a dot is a key, not a joined path, and an exact number matches by its
 * text (300 is not 300.0). A PutEvents entry for a bus that does not exist is accepted and
 * dropped, as AWS does (with a log line here).
 * Not emulated: archives and replays, EventBridge Pipes, API destinations and connections,
 * the schema registry, partner and cross-account / cross-region buses, global endpoints,
 * CreateEventBus, permissions, tags, target kinds other than Lambda, Step Functions and SQS,
 * MaximumEventAgeInSeconds and AWS's retry timing (local/README.md, "EventBridge").
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { ResourceKind, ServiceContext, ServiceModule } from '../contract';
import { closeServer, listenLoopback } from '../ports';
import { AwsError, awsJson, awsService } from '../protocol';
import { declaredName } from '../template';
import { boundedWait } from '../waits';
import { matchesPattern, parseJson } from './event-patterns';
import { ruleOperations } from './eventbridge-api';
import { busArn, isEnabled, patternOf, ruleArn, RuleStore, templateBusName, type LocalRule } from './eventbridge-rules';
import { deliver, localClients, type DeliveryDeps } from './eventbridge-targets';
import { Scheduler } from './schedules';

export { collectRules, type LocalRule, type RuleTarget } from './eventbridge-rules';
export { targetInput } from './eventbridge-targets';

type JsonObject = Record<string, unknown>;
const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

export interface EventBridgeService {
  name: string;
  url: string;
  store: RuleStore;
  describe(): string[];
  putEvents(entries: JsonObject[]): Promise<{ FailedEntryCount: number; Entries: JsonObject[] }>;
  /** Fires a scheduled rule now (by rule name or declaring logical id); resolves when delivered. */
  fire(ruleNameOrId: string): Promise<void>;
  /** Resolves when every delivery in flight has finished (bounded). */
  idle(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** "Calculating PutEvents event entry size": Time 14 bytes, then Source, DetailType, Detail and each Resource in UTF-8. */
function entrySize(e: JsonObject): number {
  const bytes = (v: unknown) => (typeof v === 'string' ? Buffer.byteLength(v) : 0);
  return (
    (e.Time !== undefined ? 14 : 0) +
    bytes(e.Source) +
    bytes(e.DetailType) +
    bytes(e.Detail) +
    (Array.isArray(e.Resources) ? e.Resources.reduce((n: number, r) => n + bytes(r), 0) : 0)
  );
}
const PUT_EVENTS_SIZE_LIMIT = 256 * 1024;

/** Why PutEvents refuses an entry ([code, message], as AWS words them), or the parsed detail. */
function entryDetail(e: JsonObject): [string, string] | JsonObject {
  const missing = (field: string) =>
    ['InvalidArgument', `Parameter ${field} is not valid. Reason: ${field} is a required argument.`] as [string, string];
  if (!e.Source) return missing('Source');
  if (!e.DetailType) return missing('DetailType');
  if (e.Detail === undefined || e.Detail === null) return missing('Detail');
  let detail: unknown;
  try {
    // Numbers keep their text, for matching ("300" is not "300.0") and for delivery.
    detail = typeof e.Detail === 'string' ? parseJson(e.Detail) : undefined;
  } catch {
    detail = undefined;
  }
  return detail && typeof detail === 'object' && !Array.isArray(detail)
    ? (detail as JsonObject)
    : ['MalformedDetail', 'Detail is malformed.'];
}

/** Matches events against the rules and delivers them, keeping track of deliveries in flight. */
class EventBus {
  readonly inflight = new Set<Promise<unknown>>();

  constructor(
    private readonly ctx: ServiceContext,
    readonly store: RuleStore,
    private readonly deps: DeliveryDeps,
  ) {}

  putEvents(entries: unknown): { FailedEntryCount: number; Entries: JsonObject[] } {
    if (!Array.isArray(entries) || entries.length === 0 || entries.length > 10) {
      const n = Array.isArray(entries) ? entries.length : 0;
      throw new AwsError(
        'ValidationException',
        `1 validation error detected: Value '[${n} entries]' at 'entries' failed to satisfy constraint: Member must have length ${n === 0 ? 'greater than or equal to 1' : 'less than or equal to 10'}`,
      );
    }
    if (entries.reduce((n: number, e) => n + entrySize(e as JsonObject), 0) > PUT_EVENTS_SIZE_LIMIT)
      throw new AwsError('ValidationException', 'Total size of the entries in the request is over the limit.');
    const results = (entries as JsonObject[]).map((e) => this.put(e));
    return { FailedEntryCount: results.filter((r) => r.ErrorCode).length, Entries: results };
  }

  private put(e: JsonObject): JsonObject {
    const detail = entryDetail(e);
    if (Array.isArray(detail)) return { ErrorCode: detail[0], ErrorMessage: detail[1] };
    const id = randomUUID();
    const now = new Date();
    const given =
      e.Time === undefined ? now : new Date(typeof e.Time === 'number' ? e.Time * 1000 : typeof e.Time === 'string' ? e.Time : NaN);
    const event: JsonObject = {
      version: '0',
      id,
      'detail-type': e.DetailType,
      source: e.Source,
      account: this.ctx.accountId,
      time: iso(Number.isNaN(given.getTime()) ? now : given),
      region: this.ctx.region,
      resources: e.Resources ?? [],
      detail,
    };
    let bus: string;
    try {
      bus = this.store.bus(e.EventBusName);
    } catch {
      this.ctx.log(
        'eventbridge',
        `PutEvents: event bus ${String(e.EventBusName)} does not exist; the event ${id} is dropped (AWS accepts and drops it too)`,
      );
      return { EventId: id };
    }
    for (const rule of this.store.list(bus)) {
      if (!isEnabled(rule) || rule.eventPattern === undefined || !matchesPattern(patternOf(rule), event)) continue;
      this.ctx.log('eventbridge', `${String(e.Source)}/${String(e.DetailType)} matched ${rule.name}`);
      // Not awaited: PutEvents answers at once. It never rejects: deliver() logs each failure and dead-letters it.
      void this.deliverAll(rule, event, iso(now));
    }
    return { EventId: id };
  }

  deliverAll(rule: LocalRule, event: JsonObject, ingestionTime: string): Promise<unknown> {
    const all = Promise.all(rule.targets.map((target) => deliver(this.deps, rule, target, event, ingestionTime)));
    const p = all.finally(() => this.inflight.delete(p));
    this.inflight.add(p);
    return p;
  }

  /** A scheduled rule's "Scheduled Event", delivered to its targets. */
  fire(rule: LocalRule, at: Date): Promise<unknown> {
    const event = {
      version: '0',
      id: randomUUID(),
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: this.ctx.accountId,
      time: iso(at),
      region: this.ctx.region,
      resources: [rule.arn],
      detail: {},
    };
    this.ctx.log('eventbridge', `${rule.name} (${rule.schedule}) fired`);
    return this.deliverAll(rule, event, iso(at));
  }

  async idle(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.inflight.size > 0 && Date.now() < deadline) await boundedWait(Promise.all([...this.inflight]), 50);
  }
}

/** The enabled scheduled rules, as the scheduler arms them. */
const scheduled = (store: RuleStore) =>
  store
    .list()
    .filter((r) => r.schedule !== undefined && isEnabled(r))
    .map((r) => ({
      key: `${r.busName}/${r.name}`,
      name: r.name,
      schedule: r.schedule!,
      since: r.since,
      targets: r.targets.map((t) => t.Arn.split(':').pop()!),
    }));

function describeRules(store: RuleStore): string[] {
  return store
    .list()
    .filter((r) => r.eventPattern !== undefined)
    .map(
      (r) =>
        `rule ${r.name} (${r.declaredBy}${isEnabled(r) ? '' : ', disabled'}) ${r.eventPattern} -> ${r.targets.map((t) => t.Arn.split(':').pop()).join(', ') || '(no targets)'}`,
    );
}

export async function startEventBridge(
  ctx: ServiceContext,
  options: { port?: number; retryDelayMs?: (attempt: number) => number; now?: () => number } = {},
): Promise<EventBridgeService> {
  const clients = localClients(ctx);
  const store = new RuleStore(ctx, options.now);
  const bus = new EventBus(ctx, store, { ctx, sfn: clients.sfn, sqs: clients.sqs, retryDelayMs: options.retryDelayMs });
  const scheduler = new Scheduler(async (key, at) => {
    const rule = store.byKey(key);
    if (rule && isEnabled(rule)) await bus.fire(rule, at);
  }, options.now);
  scheduler.sync(scheduled(store));
  store.onChange(() => scheduler.sync(scheduled(store)));
  const log = (m: string) => ctx.log('eventbridge', m);
  const server = createServer(
    awsService({
      protocol: awsJson({ version: '1.1', targetPrefix: 'AWSEvents' }),
      operations: { ...ruleOperations({ store, ctx, log, now: options.now }), PutEvents: (b) => bus.putEvents(b.Entries) },
      unknownOperation: (op) =>
        new AwsError('UnknownOperationException', `${op} is not emulated by the local EventBridge (local/README.md lists what is)`),
      internalErrorCode: 'InternalException',
      log,
    }),
  );
  const url = `http://127.0.0.1:${await listenLoopback(server, options.port ?? ctx.port)}`;
  return {
    name: 'eventbridge',
    url,
    store,
    describe: () => [...describeRules(store), ...scheduler.describe()],
    putEvents: async (entries) => bus.putEvents(entries),
    fire: async (ref) => {
      const rule = store
        .list()
        .find((r) => r.schedule !== undefined && (r.name === ref || r.declaredBy === ref || r.declaredBy.startsWith(`${ref}.`)));
      if (!rule) throw new Error(`No scheduled rule ${ref}`);
      await bus.fire(rule, new Date());
    },
    idle: (timeoutMs = 10_000) => bus.idle(timeoutMs),
    stop: async () => {
      await scheduler.stop();
      await boundedWait(Promise.all([...bus.inflight]), 2000);
      clients.destroy();
      await closeServer(server);
    },
  };
}

const ruleKind: ResourceKind = {
  types: ['AWS::Events::Rule'],
  physicalId: (r, ctx) => declaredName(r, 'Name', ctx),
  arn: (r, ctx) => ruleArn(ctx, r.ref, templateBusName(r.prop('EventBusName'))),
};

const busKind: ResourceKind = {
  types: ['AWS::Events::EventBus'],
  physicalId: (r, ctx) => declaredName(r, 'Name', ctx),
  arn: (r, ctx) => busArn(ctx, r.ref),
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
