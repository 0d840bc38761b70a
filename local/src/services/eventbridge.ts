/**
 * EventBridge, as the AWS CLI and SDK call it (`AWSEvents.*`, application/x-amz-json-1.1):
 * PutEvents on the default bus and the template's buses; TestEventPattern; rules from the
 * template (AWS::Events::Rule, SAM EventBridgeRule / CloudWatchEvent / Schedule events) and
 * from PutRule, managed with DescribeRule, ListRules, EnableRule, DisableRule, DeleteRule,
 * PutTargets, ListTargetsByRule, RemoveTargets (eventbridge-api.ts), kept in the state dir
 * (eventbridge-rules.ts: a template rule changed through the API is drift, kept until the
 * template changes that rule); scheduled rules fired on time (schedules.ts); deliveries to
 * Lambda, Step Functions and SQS with Input / InputPath / InputTransformer, RetryPolicy (at
 * most 3 quick retries locally) and the DeadLetterConfig queue (eventbridge-targets.ts), each
 * journalled before PutEvents answers (or a schedule's fire is delivered) and resumed by the
 * next start if a stop, a crash or kill -9 came first (eventbridge-journal.ts).
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
import { join } from 'node:path';
import type { ResourceKind, ServiceContext, ServiceModule } from '../contract';
import { closeServer, listenOrUndo } from '../ports';
import { AwsError, awsJson, awsService } from '../protocol';
import { declaredName } from '../template';
import { boundedWait } from '../waits';
import { matchesPattern, parseJson } from './event-patterns';
import { ruleOperations } from './eventbridge-api';
import { DeliveryJournal, eventText, type JournalledDelivery, type JournalledEvent } from './eventbridge-journal';
import { busArn, isEnabled, patternOf, ruleArn, RuleStore, templateBusName, type LocalRule } from './eventbridge-rules';
import { deadLetter, deliver, localClients, toJson, type DeliveryDeps, type DeliveryOutcome } from './eventbridge-targets';
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
  /** The deliveries journal (what is pending survives a stop). */
  journal: DeliveryJournal;
  /** Delivers what the last run acknowledged and did not finish (the runtime calls it once every service is up). */
  allStarted(): void;
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

/** The deliveries of an event to every target of the rules it matched (what the journal keeps). */
function deliveriesOf(rules: LocalRule[], eventId: string): JournalledDelivery[] {
  const out: JournalledDelivery[] = [];
  for (const rule of rules)
    for (const t of rule.targets)
      out.push({
        id: `${eventId}#${out.length}`,
        bus: rule.busName,
        rule: rule.name,
        ruleArn: rule.arn,
        target: t.Id,
        targetArn: t.Arn,
        ...(t.DeadLetterConfig?.Arn ? { dlq: t.DeadLetterConfig.Arn } : {}),
      });
  return out;
}

type Journalled = { entry: JournalledEvent; text: string };

/** Matches events against the rules and delivers them (journalled first), keeping track of deliveries in flight. */
class EventBus {
  readonly inflight = new Set<Promise<void>>();
  /** Aborted at stop: retries waiting end at once, and what is not finished stays journalled. */
  private readonly stopping = new AbortController();
  /** What the last run left pending, delivered once every service is up (resume()). */
  private left: JournalledEvent[];

  private readonly deps: DeliveryDeps;

  constructor(
    private readonly ctx: ServiceContext,
    readonly store: RuleStore,
    deps: DeliveryDeps,
    private readonly journal: DeliveryJournal,
  ) {
    this.deps = { ...deps, stopping: this.stopping.signal };
    this.left = journal.open();
  }

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
    const matched: Journalled[] = [];
    const results = (entries as JsonObject[]).map((e) => this.put(e, matched));
    // One journal write for the call, before it answers: if it fails, the call fails (500) and nothing is acknowledged.
    this.journal.append(matched);
    for (const { entry } of matched) void this.start(entry); // not awaited: PutEvents answers at once
    return { FailedEntryCount: results.filter((r) => r.ErrorCode).length, Entries: results };
  }

  /** One entry: its answer; the deliveries of its event, if it matched, go on `matched`. */
  private put(e: JsonObject, matched: Journalled[]): JsonObject {
    const detail = entryDetail(e);
    if (Array.isArray(detail)) return { ErrorCode: detail[0], ErrorMessage: detail[1] };
    const id = randomUUID();
    const now = new Date();
    const given =
      e.Time === undefined ? now : new Date(typeof e.Time === 'number' ? e.Time * 1000 : typeof e.Time === 'string' ? e.Time : NaN);
    const envelope: JsonObject = {
      version: '0',
      id,
      'detail-type': e.DetailType,
      source: e.Source,
      account: this.ctx.accountId,
      time: iso(Number.isNaN(given.getTime()) ? now : given),
      region: this.ctx.region,
      resources: e.Resources ?? [],
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
    const event = { ...envelope, detail };
    const rules = this.store.list(bus).filter((r) => isEnabled(r) && r.eventPattern !== undefined && matchesPattern(patternOf(r), event));
    for (const rule of rules) this.ctx.log('eventbridge', `${String(e.Source)}/${String(e.DetailType)} matched ${rule.name}`);
    const deliveries = deliveriesOf(rules, id);
    if (deliveries.length > 0)
      matched.push({ entry: { event, ingestionTime: iso(now), deliveries }, text: eventText(envelope, e.Detail as string) });
    return { EventId: id };
  }

  /** Starts the event's deliveries; resolves when each has ended (in the journal: it never rejects). */
  private start(entry: JournalledEvent): Promise<unknown> {
    return Promise.all(
      entry.deliveries.map((d) => {
        const p = this.run(entry, d).finally(() => this.inflight.delete(p));
        this.inflight.add(p);
        return p;
      }),
    );
  }

  private async run(entry: JournalledEvent, d: JournalledDelivery): Promise<void> {
    // The rule and target as they are now: the same objects PutEvents matched, or, for a
    // delivery resumed after a restart, what the store holds then.
    const rule = this.store.find(d.bus, d.rule);
    const target = rule?.targets.find((t) => t.Id === d.target);
    try {
      const outcome =
        rule && target ? await deliver(this.deps, rule, target, entry.event, entry.ingestionTime) : await this.orphaned(entry, d, !!rule);
      if (outcome !== 'kept') this.journal.complete(d.id);
    } catch (err) {
      this.ctx.log('eventbridge', `delivery ${d.id} to ${d.targetArn}: ${(err as Error).message}; it stays journalled for the next start`);
    }
  }

  /** A resumed delivery whose rule or target is gone: to the target's dead-letter queue, if it had one, with a log line either way. */
  private async orphaned(entry: JournalledEvent, d: JournalledDelivery, ruleExists: boolean): Promise<DeliveryOutcome> {
    const gone = ruleExists ? `target ${d.target} is no longer on rule ${d.rule}` : `rule ${d.rule} (bus ${d.bus}) no longer exists`;
    const error = { code: 'RESOURCE_NOT_FOUND', message: `The ${gone}.` };
    const outcome = await deadLetter(
      this.deps,
      { arn: d.ruleArn },
      { Arn: d.targetArn, DeadLetterConfig: { Arn: d.dlq } },
      entry.event,
      error,
    );
    const where =
      outcome === 'dead-lettered'
        ? `sent to its dead-letter queue ${d.dlq!.split(':').pop()}`
        : outcome === 'dropped'
          ? 'dropped (the target had no DeadLetterConfig)'
          : 'kept for the next start';
    this.ctx.log('eventbridge', `event ${String(entry.event.id)} was pending for ${d.targetArn}, but the ${gone}: ${where}`);
    return outcome;
  }

  /** Delivers, once every service is up, what the last run acknowledged and did not finish. */
  resume(): void {
    const left = this.left;
    this.left = [];
    if (left.length === 0) return;
    const n = left.reduce((k, e) => k + e.deliveries.length, 0);
    this.ctx.log(
      'eventbridge',
      `resuming ${n} deliver${n === 1 ? 'y' : 'ies'} of ${left.length} event(s) acknowledged before the last stop`,
    );
    for (const entry of left) void this.start(entry);
  }

  /** A scheduled rule's "Scheduled Event", journalled, then delivered to its targets. */
  async fire(rule: LocalRule, at: Date): Promise<void> {
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
    const entry: JournalledEvent = { event, ingestionTime: iso(at), deliveries: deliveriesOf([rule], event.id) };
    if (entry.deliveries.length === 0) return;
    try {
      this.journal.append([{ entry, text: toJson(event) }]);
    } catch (err) {
      this.ctx.log('eventbridge', `${rule.name}: this fire is not delivered, the journal did not take it (${(err as Error).message})`);
      return;
    }
    await this.start(entry);
  }

  async idle(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.inflight.size > 0 && Date.now() < deadline) await boundedWait(Promise.all([...this.inflight]), 50);
  }

  /** Stops delivering: what is not finished stays journalled for the next start. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await boundedWait(Promise.all([...this.inflight]), 2000);
    this.journal.close();
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
  const log = (m: string) => ctx.log('eventbridge', m);
  const journal = new DeliveryJournal(join(ctx.stateDir, 'eventbridge', 'deliveries.jsonl'), log);
  const bus = new EventBus(ctx, store, { ctx, sfn: clients.sfn, sqs: clients.sqs, retryDelayMs: options.retryDelayMs }, journal);
  const scheduler = new Scheduler(async (key, at) => {
    const rule = store.byKey(key);
    if (rule && isEnabled(rule)) await bus.fire(rule, at);
  }, options.now);
  scheduler.sync(scheduled(store));
  store.onChange(() => scheduler.sync(scheduled(store)));
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
  const url = `http://127.0.0.1:${await listenOrUndo(server, options.port ?? ctx.port, async () => {
    await bus.stop();
    await scheduler.stop();
    clients.destroy();
  })}`;
  return {
    name: 'eventbridge',
    url,
    store,
    journal,
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
    // The targets (SQS, Step Functions, Lambda) are up only now: deliveries left by the last run go out.
    allStarted: () => bus.resume(),
    stop: async () => {
      await closeServer(server);
      const stopped = bus.stop(); // first: the scheduler's fires in flight stop retrying
      await scheduler.stop();
      await stopped;
      clients.destroy();
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
