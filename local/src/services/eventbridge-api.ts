/**
 * The EventBridge API on rules, targets and buses (part of the EventBridge module,
 * eventbridge.ts), with the request and response shapes of the EventBridge API reference:
 * TestEventPattern, PutRule, DescribeRule, ListRules, EnableRule, DisableRule, DeleteRule,
 * PutTargets, ListTargetsByRule, RemoveTargets, ListEventBuses, DescribeEventBus. Input is
 * checked against the service model's constraints first (ValidationException "1 validation
 * error detected: Value ... at 'name' failed to satisfy constraint: ..."), then as EventBridge
 * does; a refused request changes nothing.
 * Not emulated: CreateEventBus / DeleteEventBus, permissions, tags (TagResource,
 * ListTagsForResource), ListRuleNamesByTarget, archives, replays, connections, API
 * destinations, endpoints (each answers UnknownOperationException naming it).
 */
import type { StackContext } from '../contract';
import { AwsError, type Operations } from '../protocol';
import { PatternError, parseEventPattern, parseJson, matchesPattern } from './event-patterns';
import { busArn, PUT_RULE, RULE_STATES, ruleArn, type LocalRule, type RuleStore, type RuleTarget } from './eventbridge-rules';
import { checkTargetInput, isEmulatedTarget, targetEntryError } from './eventbridge-targets';
import { isValidSchedule } from './schedules';

type Input = Record<string, unknown>;

// ---- the model's constraints, answered as AWS's request validation answers them ----

interface StringRule {
  required?: boolean;
  min?: number;
  max?: number;
  pattern?: [RegExp, string];
  values?: readonly string[];
}

const NAME: StringRule = { required: true, min: 1, max: 64, pattern: [/^[.\-_A-Za-z0-9]+$/, '[\\.\\-_A-Za-z0-9]+'] };
const BUS: StringRule = {
  min: 1,
  max: 1600,
  pattern: [
    /^(arn:aws[\w-]*:events:[a-z]+-[a-z]+-[\w-]+:[0-9]{12}:event-bus\/)?[/.\-_A-Za-z0-9]+$/,
    '(arn:aws[\\w-]*:events:[a-z]+-[a-z]+-[\\w-]+:[0-9]{12}:event-bus\\/)?[/\\.\\-_A-Za-z0-9]+',
  ],
};
const ARN: StringRule = { required: true, min: 1, max: 1600 };
const TOKEN: StringRule = { min: 1, max: 2048 };

/** Collects constraint violations; `done()` throws them as one ValidationException. */
class Violations {
  private readonly found: string[] = [];

  private add(path: string, value: unknown, constraint: string): void {
    const shown = value === undefined || value === null ? 'null' : `'${typeof value === 'string' ? value : JSON.stringify(value)}'`;
    this.found.push(`Value ${shown} at '${path}' failed to satisfy constraint: Member must ${constraint}`);
  }

  string(path: string, v: unknown, r: StringRule): this {
    if (v === undefined || v === null) {
      if (r.required) this.add(path, v, 'not be null');
      return this;
    }
    if (typeof v !== 'string') throw new AwsError('SerializationException', `Expected a string at '${path}'`);
    if (r.min !== undefined && v.length < r.min) this.add(path, v, `have length greater than or equal to ${r.min}`);
    if (r.max !== undefined && v.length > r.max) this.add(path, v, `have length less than or equal to ${r.max}`);
    if (r.pattern && !r.pattern[0].test(v)) this.add(path, v, `satisfy regular expression pattern: ${r.pattern[1]}`);
    if (r.values && !r.values.includes(v)) this.add(path, v, `satisfy enum value set: [${r.values.join(', ')}]`);
    return this;
  }

  integer(path: string, v: unknown, min: number, max: number): this {
    if (v === undefined || v === null) return this;
    if (!Number.isInteger(v)) throw new AwsError('SerializationException', `Expected an integer at '${path}'`);
    if ((v as number) < min) this.add(path, v, `have value greater than or equal to ${min}`);
    if ((v as number) > max) this.add(path, v, `have value less than or equal to ${max}`);
    return this;
  }

  list(path: string, v: unknown, min: number, max: number, required = true): unknown[] {
    if (v === undefined || v === null) {
      if (required) this.add(path, v, 'not be null');
      return [];
    }
    if (!Array.isArray(v)) throw new AwsError('SerializationException', `Expected a list at '${path}'`);
    if (v.length < min) this.add(path, `[${v.length} items]`, `have length greater than or equal to ${min}`);
    if (v.length > max) this.add(path, `[${v.length} items]`, `have length less than or equal to ${max}`);
    return v;
  }

  done(): void {
    const n = this.found.length;
    if (n > 0) throw new AwsError('ValidationException', `${n} validation error${n > 1 ? 's' : ''} detected: ${this.found.join('; ')}`);
  }
}

/** Reads one page of a list: NextToken is the position, opaque to the caller, bound to what is listed. */
function page<T>(items: T[], scope: string, nextToken: unknown, limit: unknown): { items: T[]; NextToken?: string } {
  let start = 0;
  if (typeof nextToken === 'string') {
    const [s, at] = Buffer.from(nextToken, 'base64url').toString('utf8').split('\n');
    if (s !== scope || !/^\d+$/.test(at ?? ''))
      throw new AwsError('ValidationException', 'The NextToken provided is not valid for this request.');
    start = Number(at);
  }
  const end = start + (typeof limit === 'number' ? limit : 100);
  return {
    items: items.slice(start, end),
    ...(end < items.length ? { NextToken: Buffer.from(`${scope}\n${end}`).toString('base64url') } : {}),
  };
}

// ---- TestEventPattern ----

/** The fields TestEventPattern requires of its event. The API reference also lists `resources`; AWS does not require it (LocalStack's tests, run against AWS). */
const TEST_EVENT_FIELDS = ['id', 'account', 'source', 'time', 'region', 'detail-type'];

function testEventPattern(b: Input): { Result: boolean } {
  new Violations()
    .string('eventPattern', b.EventPattern, { required: true, max: 4096 })
    .string('event', b.Event, { required: true })
    .done();
  let event: unknown;
  try {
    event = parseJson(b.Event as string);
  } catch {
    event = undefined;
  }
  const isObject = typeof event === 'object' && event !== null && !Array.isArray(event);
  if (!isObject || TEST_EVENT_FIELDS.some((f) => !(f in (event as object))))
    throw new AwsError('ValidationException', 'Parameter Event is not valid.');
  return { Result: matchesPattern(checkedPattern(b.EventPattern as string), event) };
}

/** A pattern parsed and validated, or InvalidEventPatternException with EventBridge's reason. */
function checkedPattern(text: string): unknown {
  try {
    return parseEventPattern(text);
  } catch (err) {
    if (err instanceof PatternError) throw new AwsError('InvalidEventPatternException', err.message);
    throw err;
  }
}

// ---- rules ----

const ruleView = (r: LocalRule): Input => ({
  Name: r.name,
  Arn: r.arn,
  ...(r.eventPattern !== undefined ? { EventPattern: r.eventPattern } : {}),
  ...(r.schedule !== undefined ? { ScheduleExpression: r.schedule } : {}),
  State: r.state,
  ...(r.description !== undefined ? { Description: r.description } : {}),
  ...(r.roleArn !== undefined ? { RoleArn: r.roleArn } : {}),
  EventBusName: r.busName,
});

function putRule(store: RuleStore, ctx: StackContext, b: Input, now: () => number): { RuleArn: string } {
  const v = new Violations()
    .string('name', b.Name, NAME)
    .string('scheduleExpression', b.ScheduleExpression, { max: 256 })
    .string('eventPattern', b.EventPattern, { max: 4096 });
  v.string('state', b.State, { values: RULE_STATES })
    .string('description', b.Description, { max: 512 })
    .string('roleArn', b.RoleArn, { min: 1, max: 1600 })
    .string('eventBusName', b.EventBusName, BUS);
  v.list('tags', b.Tags, 0, 50, false);
  v.done();
  const bus = store.bus(b.EventBusName);
  const [name, pattern, schedule] = [
    b.Name as string,
    (b.EventPattern as string | undefined) || undefined,
    (b.ScheduleExpression as string | undefined) || undefined,
  ];
  if (!pattern && !schedule)
    throw new AwsError('ValidationException', 'Parameter(s) EventPattern or ScheduleExpression must be specified.');
  if (schedule && bus !== 'default')
    throw new AwsError('ValidationException', 'ScheduleExpression is supported only on the default event bus.');
  if (schedule && !isValidSchedule(schedule)) throw new AwsError('ValidationException', 'Parameter ScheduleExpression is not valid.');
  if (pattern) checkedPattern(pattern);
  const prior = store.find(bus, name);
  // PutRule replaces the rule: what it omits is dropped (State defaults to ENABLED); targets stay.
  const rule: LocalRule = {
    name,
    arn: prior?.arn ?? ruleArn(ctx, name, bus),
    busName: bus,
    declaredBy: prior?.declaredBy ?? PUT_RULE,
    eventPattern: pattern,
    schedule,
    state: (b.State as LocalRule['state'] | undefined) ?? 'ENABLED',
    description: b.Description as string | undefined,
    roleArn: b.RoleArn as string | undefined,
    since: prior && prior.schedule === schedule ? prior.since : now(),
    targets: prior?.targets ?? [],
    declaration: prior?.declaration,
  };
  store.save(rule);
  return { RuleArn: rule.arn };
}

/** A rule named in the request (Name, or Rule for the target operations) on its bus; `v` holds the request's other violations. */
function namedRule(store: RuleStore, b: Input, field: 'Name' | 'Rule', v = new Violations()): LocalRule {
  v.string(field === 'Name' ? 'name' : 'rule', b[field], NAME)
    .string('eventBusName', b.EventBusName, BUS)
    .done();
  return store.get(store.bus(b.EventBusName), b[field] as string);
}

function setState(store: RuleStore, b: Input, state: LocalRule['state']): Input {
  const rule = namedRule(store, b, 'Name');
  if (rule.state !== state) store.save({ ...rule, state });
  return {};
}

function deleteRule(store: RuleStore, b: Input): Input {
  new Violations().string('name', b.Name, NAME).string('eventBusName', b.EventBusName, BUS).done();
  const rule = store.find(store.bus(b.EventBusName), b.Name as string);
  // "If you call delete rule multiple times for the same rule, all calls will succeed."
  if (!rule) return {};
  if (rule.targets.length > 0) throw new AwsError('ValidationException', "Rule can't be deleted since it has targets.");
  store.remove(rule);
  return {};
}

function listRules(store: RuleStore, b: Input): Input {
  new Violations()
    .string('namePrefix', b.NamePrefix, { ...NAME, required: false })
    .string('eventBusName', b.EventBusName, BUS)
    .string('nextToken', b.NextToken, TOKEN)
    .integer('limit', b.Limit, 1, 100)
    .done();
  const bus = store.bus(b.EventBusName);
  const prefix = typeof b.NamePrefix === 'string' ? b.NamePrefix : '';
  const rules = store.list(bus).filter((r) => r.name.startsWith(prefix));
  const p = page(rules, `rules ${bus} ${prefix}`, b.NextToken, b.Limit);
  return { Rules: p.items.map(ruleView), ...(p.NextToken ? { NextToken: p.NextToken } : {}) };
}

// ---- targets ----

/** The constraints on each target, into `v`. */
function targetViolations(v: Violations, targets: unknown[]): void {
  targets.forEach((t, i) => {
    const at = `targets.${i + 1}.member`;
    const x = (t ?? {}) as Input;
    v.string(`${at}.id`, x.Id, NAME).string(`${at}.arn`, x.Arn, ARN).string(`${at}.roleArn`, x.RoleArn, { min: 1, max: 1600 });
    v.string(`${at}.input`, x.Input, { max: 8192 }).string(`${at}.inputPath`, x.InputPath, { max: 256 });
    const tr = x.InputTransformer as Input | undefined;
    if (tr) v.string(`${at}.inputTransformer.inputTemplate`, tr.InputTemplate, { required: true, min: 1, max: 8192 });
    for (const key of Object.keys(tr?.InputPathsMap ?? {}))
      v.string(`${at}.inputTransformer.inputPathsMap.key`, key, { min: 1, max: 256, pattern: [/^[A-Za-z0-9_-]+$/, '[A-Za-z0-9\\_\\-]+'] });
    const retry = (x.RetryPolicy ?? {}) as Input;
    v.integer(`${at}.retryPolicy.maximumRetryAttempts`, retry.MaximumRetryAttempts, 0, 185).integer(
      `${at}.retryPolicy.maximumEventAgeInSeconds`,
      retry.MaximumEventAgeInSeconds,
      60,
      86400,
    );
    v.string(`${at}.deadLetterConfig.arn`, (x.DeadLetterConfig as Input | undefined)?.Arn, { min: 1, max: 1600 });
  });
}

/** The most targets a rule can have ("Each rule can have up to five (5) targets associated with it at one time"). */
const MAX_TARGETS = 5;

function putTargets(store: RuleStore, b: Input, log: (m: string) => void): Input {
  const v = new Violations();
  const targets = v.list('targets', b.Targets, 1, 100) as RuleTarget[];
  targetViolations(v, targets);
  const rule = namedRule(store, b, 'Rule', v);
  targets.forEach(checkTargetInput);
  const failed: Input[] = [];
  const accepted = targets.filter((t) => {
    const error = targetEntryError(t);
    if (error) failed.push({ TargetId: t.Id, ...error });
    return !error;
  });
  const byId = new Map(rule.targets.map((t) => [t.Id, t]));
  for (const t of accepted) byId.set(t.Id, t);
  if (byId.size > MAX_TARGETS) throw new AwsError('LimitExceededException', 'The requested resource exceeds the maximum number allowed.');
  store.save({ ...rule, targets: [...byId.values()] });
  for (const t of accepted)
    if (!isEmulatedTarget(t.Arn))
      log(
        `rule ${rule.name} target ${t.Id}: ${t.Arn} is a kind of target the local runtime does not deliver to (deliveries fail, then go to its dead-letter queue)`,
      );
  return { FailedEntryCount: failed.length, FailedEntries: failed };
}

function listTargets(store: RuleStore, b: Input): Input {
  const rule = namedRule(store, b, 'Rule', new Violations().string('nextToken', b.NextToken, TOKEN).integer('limit', b.Limit, 1, 100));
  const p = page(rule.targets, `targets ${rule.arn}`, b.NextToken, b.Limit);
  return { Targets: p.items, ...(p.NextToken ? { NextToken: p.NextToken } : {}) };
}

function removeTargets(store: RuleStore, b: Input): Input {
  const v = new Violations();
  const ids = v.list('ids', b.Ids, 1, 100);
  ids.forEach((id, i) => v.string(`ids.${i + 1}.member`, id, NAME));
  const rule = namedRule(store, b, 'Rule', v);
  // An id the rule does not have is left alone: removing what is not there succeeds, as DeleteRule does.
  const kept = rule.targets.filter((t) => !ids.includes(t.Id));
  if (kept.length !== rule.targets.length) store.save({ ...rule, targets: kept });
  return { FailedEntryCount: 0, FailedEntries: [] };
}

// ---- buses ----

function listBuses(store: RuleStore, ctx: StackContext, b: Input): Input {
  new Violations()
    .string('namePrefix', b.NamePrefix, { min: 1, max: 256 })
    .string('nextToken', b.NextToken, TOKEN)
    .integer('limit', b.Limit, 1, 100)
    .done();
  const prefix = typeof b.NamePrefix === 'string' ? b.NamePrefix : '';
  const p = page([...store.buses].filter((n) => n.startsWith(prefix)).sort(), `buses ${prefix}`, b.NextToken, b.Limit);
  return { EventBuses: p.items.map((n) => ({ Name: n, Arn: busArn(ctx, n) })), ...(p.NextToken ? { NextToken: p.NextToken } : {}) };
}

export interface ApiDeps {
  store: RuleStore;
  ctx: StackContext;
  log: (message: string) => void;
  now?: () => number;
}

/** The operation table of rules, targets, buses and TestEventPattern (PutEvents is the bus's own). */
export function ruleOperations(d: ApiDeps): Operations {
  const { store, ctx } = d;
  return {
    TestEventPattern: testEventPattern,
    PutRule: (b) => putRule(store, ctx, b, d.now ?? Date.now),
    DescribeRule: (b) => ({ ...ruleView(namedRule(store, b, 'Name')), CreatedBy: ctx.accountId }),
    ListRules: (b) => listRules(store, b),
    EnableRule: (b) => setState(store, b, 'ENABLED'),
    DisableRule: (b) => setState(store, b, 'DISABLED'),
    DeleteRule: (b) => deleteRule(store, b),
    PutTargets: (b) => putTargets(store, b, d.log),
    ListTargetsByRule: (b) => listTargets(store, b),
    RemoveTargets: (b) => removeTargets(store, b),
    ListEventBuses: (b) => listBuses(store, ctx, b),
    DescribeEventBus: (b) => {
      new Violations().string('name', b.Name, BUS).done();
      const name = store.bus(b.Name);
      return { Name: name, Arn: busArn(ctx, name) };
    },
  };
}
