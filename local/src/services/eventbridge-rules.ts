/**
 * EventBridge rules, wherever they come from (part of the EventBridge module, eventbridge.ts):
 * the template's (AWS::Events::Rule, SAM EventBridgeRule / CloudWatchEvent / Schedule /
 * ScheduleV2 events) and PutRule's, in one store kept in `<state>/eventbridge/rules.json`.
 *
 * Template rules behave as a deployed stack's rules do: the API can change them (that is
 * drift from the template, as in AWS), and the change survives restarts while the template's
 * declaration of that rule stays the same; once the template changes the rule, the template's
 * version replaces it (as a stack update would). A rule PutRule made keeps its place until
 * DeleteRule, unless the template comes to declare a rule of the same name and bus.
 * Not emulated: managed rules (ManagedBy), tags (accepted, not listed).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Log, ServiceContext, StackContext } from '../contract';
import { AwsError } from '../protocol';
import { parseEventPattern } from './event-patterns';
import { nextFire } from './schedules';

type JsonObject = Record<string, unknown>;

export type RuleState = 'ENABLED' | 'DISABLED' | 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS';
export const RULE_STATES: readonly RuleState[] = ['ENABLED', 'DISABLED', 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS'];

/** A rule target as PutTargets takes it (AWS's Target shape; parameters of other target kinds are kept as given). */
export interface RuleTarget {
  Id: string;
  Arn: string;
  RoleArn?: string;
  Input?: string;
  InputPath?: string;
  InputTransformer?: { InputPathsMap?: Record<string, string>; InputTemplate: string };
  DeadLetterConfig?: { Arn?: string };
  RetryPolicy?: { MaximumRetryAttempts?: number; MaximumEventAgeInSeconds?: number };
  [parameters: string]: unknown;
}

export interface LocalRule {
  name: string;
  arn: string;
  busName: string;
  /** Where it was declared: a logical id, `<Function>.<EventName>` for SAM events, or `PutRule`. */
  declaredBy: string;
  /** The event pattern as JSON text (PutRule's EventPattern; the template's, serialised). */
  eventPattern?: string;
  schedule?: string;
  state: RuleState;
  description?: string;
  roleArn?: string;
  /** Epoch ms when the rule was created (rates count from here) or its schedule last changed. */
  since: number;
  targets: RuleTarget[];
  /** Template rules: the template's declaration this rule was reconciled with (tells drift from a template change). */
  declaration?: string;
}

export const isEnabled = (r: LocalRule): boolean => r.state !== 'DISABLED';
export const ruleKey = (bus: string, name: string): string => `${bus}/${name}`;
export const PUT_RULE = 'PutRule';

export function ruleArn(ctx: StackContext, name: string, bus: string): string {
  return `arn:aws:events:${ctx.region}:${ctx.accountId}:rule/${bus === 'default' ? '' : `${bus}/`}${name}`;
}

export function busArn(ctx: StackContext, bus: string): string {
  return `arn:aws:events:${ctx.region}:${ctx.accountId}:event-bus/${bus}`;
}

/** A bus name from a name or ARN as the template gives it (default: `default`). */
export const templateBusName = (v: unknown): string => {
  const s = typeof v === 'string' && v ? v : 'default';
  return s.startsWith('arn:') ? s.split('/').pop()! : s;
};

/** The parsed pattern of a rule (numbers keep their text), parsed once per pattern text. */
const parsedPatterns = new Map<string, unknown>();
export function patternOf(rule: Pick<LocalRule, 'eventPattern'>): unknown {
  if (rule.eventPattern === undefined) return undefined;
  let p = parsedPatterns.get(rule.eventPattern);
  if (p === undefined) parsedPatterns.set(rule.eventPattern, (p = parseEventPattern(rule.eventPattern)));
  return p;
}

// ---- the template's rules ----

type RuleSource = Pick<ServiceContext, 'template' | 'region' | 'accountId' | 'stackName' | 'urls'>;

const patternText = (v: unknown): string | undefined =>
  v === undefined || v === null ? undefined : typeof v === 'string' ? v : JSON.stringify(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : v === undefined || v === null ? undefined : JSON.stringify(v));

function targetOf(t: JsonObject): RuleTarget {
  const target: RuleTarget = { Id: String(t.Id), Arn: String(t.Arn) };
  if (t.Input !== undefined) target.Input = str(t.Input);
  if (typeof t.InputPath === 'string') target.InputPath = t.InputPath;
  if (t.InputTransformer) target.InputTransformer = t.InputTransformer as RuleTarget['InputTransformer'];
  if (t.DeadLetterConfig) target.DeadLetterConfig = t.DeadLetterConfig;
  if (t.RetryPolicy) target.RetryPolicy = t.RetryPolicy;
  return target;
}

/** An AWS::Events::Rule resource. */
function resourceRule(ctx: RuleSource, logicalId: string, p: JsonObject): LocalRule {
  const name = ctx.template.refs[logicalId] ?? `${ctx.stackName}-${logicalId}`;
  const bus = templateBusName(p.EventBusName);
  return {
    name,
    arn: ruleArn(ctx, name, bus),
    declaredBy: logicalId,
    busName: bus,
    eventPattern: patternText(p.EventPattern),
    schedule: typeof p.ScheduleExpression === 'string' ? p.ScheduleExpression : undefined,
    state: RULE_STATES.includes(p.State as RuleState) ? (p.State as RuleState) : 'ENABLED',
    description: typeof p.Description === 'string' ? p.Description : undefined,
    since: 0,
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
    const bus = templateBusName(ep.EventBusName);
    const dlq = ep.DeadLetterConfig as { Arn?: string } | undefined;
    const target = targetOf({
      ...ep,
      Id: (ep.Target as JsonObject | undefined)?.Id ?? `${logicalId}${eventName}Target`,
      Arn: targetArn,
      DeadLetterConfig: dlq?.Arn ? { Arn: dlq.Arn } : undefined,
    });
    rules.push({
      name,
      arn: ruleArn(ctx, name, bus),
      declaredBy: `${logicalId}.${eventName}`,
      busName: bus,
      eventPattern: isPattern ? patternText(ep.Pattern) : undefined,
      schedule: isPattern ? undefined : String(ep.Schedule ?? ep.ScheduleExpression),
      state: ep.Enabled === false || ep.State === 'DISABLED' ? 'DISABLED' : 'ENABLED',
      description: typeof ep.Description === 'string' ? ep.Description : undefined,
      since: 0,
      targets: [target],
    });
  }
  return rules;
}

/** Every rule of the template, pattern rules and schedules alike; throws on one a deploy would refuse. */
export function collectRules(ctx: RuleSource): LocalRule[] {
  const rules: LocalRule[] = [];
  for (const [logicalId, res] of Object.entries(ctx.template.resources)) {
    const p = (res.Properties ?? {}) as JsonObject;
    if (res.Type === 'AWS::Events::Rule') rules.push(resourceRule(ctx, logicalId, p));
    else if (res.Type === 'AWS::Serverless::Function' || res.Type === 'AWS::Serverless::StateMachine')
      rules.push(...samEventRules(ctx, logicalId, p));
  }
  for (const r of rules) {
    try {
      if (r.eventPattern !== undefined) patternOf(r);
      if (r.schedule !== undefined) nextFire(r.schedule, new Date());
    } catch (err) {
      throw new Error(`Rule ${r.name} (${r.declaredBy}): ${(err as Error).message}`, { cause: err });
    }
  }
  return rules;
}

/** The event buses: `default` and the template's AWS::Events::EventBus resources. */
export function templateBuses(ctx: Pick<ServiceContext, 'template'>): string[] {
  const declared = Object.entries(ctx.template.resources).filter(([, r]) => r.Type === 'AWS::Events::EventBus');
  return ['default', ...declared.map(([id]) => ctx.template.refs[id]!)];
}

// ---- the store ----

interface SavedState {
  rules: LocalRule[];
  /** Template rules deleted through the API, with the declaration they were deleted under. */
  deleted: Array<{ key: string; declaration: string }>;
}

/** A digest of a rule's content, whatever order its fields were set in (not when it was made, not its declaration). */
const declarationOf = (r: LocalRule): string => {
  const content = Object.entries(r).filter(([k, v]) => k !== 'since' && k !== 'declaration' && v !== undefined);
  return createHash('sha256')
    .update(JSON.stringify(content.sort(([a], [b]) => (a < b ? -1 : 1))))
    .digest('base64url')
    .slice(0, 22);
};

/** Every rule, by bus and name, persisted on each change (write-then-rename) before the API answers. */
export class RuleStore {
  private readonly rules = new Map<string, LocalRule>();
  private deleted: SavedState['deleted'] = [];
  private readonly listeners = new Set<() => void>();
  private readonly file: string;
  readonly buses: readonly string[];

  constructor(
    private readonly ctx: RuleSource & Pick<ServiceContext, 'stateDir'> & { log: Log },
    private readonly now: () => number = Date.now,
  ) {
    this.buses = templateBuses(ctx);
    const dir = join(ctx.stateDir, 'eventbridge');
    mkdirSync(dir, { recursive: true });
    this.file = join(dir, 'rules.json');
    this.reconcile(collectRules(ctx), this.load());
    this.persist();
  }

  private load(): SavedState {
    if (!existsSync(this.file)) return { rules: [], deleted: [] };
    try {
      const saved = JSON.parse(readFileSync(this.file, 'utf8')) as Partial<SavedState>;
      return { rules: saved.rules ?? [], deleted: saved.deleted ?? [] };
    } catch (err) {
      throw new Error(`${this.file} is not readable (${(err as Error).message}): move it away, or start with --fresh`, { cause: err });
    }
  }

  /** Template rules against what the last run left (see the file's comment). */
  private reconcile(declared: LocalRule[], saved: SavedState): void {
    const before = new Map(saved.rules.map((r) => [ruleKey(r.busName, r.name), r]));
    for (const t of declared) {
      const key = ruleKey(t.busName, t.name);
      const declaration = declarationOf(t);
      const prior = before.get(key);
      if (prior?.declaration === declaration) {
        this.rules.set(key, prior);
        if (declarationOf(prior) !== declaration)
          this.ctx.log('eventbridge', `rule ${t.name} (${t.declaredBy}): keeps the changes made through the API (drift from the template)`);
      } else if (saved.deleted.some((d) => d.key === key && d.declaration === declaration)) {
        this.deleted.push({ key, declaration });
        this.ctx.log('eventbridge', `rule ${t.name} (${t.declaredBy}): stays deleted (DeleteRule) until the template changes it`);
      } else {
        if (prior)
          this.ctx.log(
            'eventbridge',
            `rule ${t.name}: the template ${prior.declaredBy === PUT_RULE ? 'now declares it; the rule PutRule made is replaced' : 'changed it; its API changes are replaced'}`,
          );
        this.rules.set(key, { ...t, since: this.now(), declaration });
      }
    }
    for (const [key, r] of before) if (r.declaredBy === PUT_RULE && !this.rules.has(key)) this.rules.set(key, r);
  }

  private persist(): void {
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify({ rules: [...this.rules.values()], deleted: this.deleted } satisfies SavedState));
    renameSync(tmp, this.file);
  }

  private changed(): void {
    this.persist();
    for (const l of this.listeners) l();
  }

  onChange(listener: () => void): void {
    this.listeners.add(listener);
  }

  /** The rules of one bus (or all), by name. */
  list(bus?: string): LocalRule[] {
    return [...this.rules.values()]
      .filter((r) => bus === undefined || r.busName === bus)
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  find(bus: string, name: string): LocalRule | undefined {
    return this.rules.get(ruleKey(bus, name));
  }

  byKey(key: string): LocalRule | undefined {
    return this.rules.get(key);
  }

  /** The rule, or ResourceNotFoundException as EventBridge words it. */
  get(bus: string, name: string): LocalRule {
    const r = this.find(bus, name);
    if (!r) throw new AwsError('ResourceNotFoundException', `Rule ${name} does not exist on EventBus ${bus}.`);
    return r;
  }

  /** A bus name from EventBusName (a name or this account's bus ARN; default `default`), or ResourceNotFoundException. */
  bus(nameOrArn: unknown): string {
    const s = typeof nameOrArn === 'string' && nameOrArn ? nameOrArn : 'default';
    const prefix = busArn(this.ctx, '');
    const name = s.startsWith(prefix) ? s.slice(prefix.length) : s;
    if (!this.buses.includes(name)) throw new AwsError('ResourceNotFoundException', `Event bus ${s} does not exist.`);
    return name;
  }

  save(rule: LocalRule): void {
    const key = ruleKey(rule.busName, rule.name);
    this.deleted = this.deleted.filter((d) => d.key !== key);
    this.rules.set(key, rule);
    this.changed();
  }

  remove(rule: LocalRule): void {
    const key = ruleKey(rule.busName, rule.name);
    this.rules.delete(key);
    if (rule.declaration !== undefined) this.deleted.push({ key, declaration: rule.declaration });
    this.changed();
  }
}
