/**
 * Schedules: scheduled rules that really fire, `rate(N unit)` and AWS's six-field
 * `cron(...)` (read by aws-cron-parser, which understands `?`, `L`, `#`). Sources:
 * AWS::Events::Rule with a ScheduleExpression and SAM Schedule / ScheduleV2 events. Targets
 * get EventBridge's "Scheduled Event" through the same delivery (retries, DLQ) as pattern
 * rules. To run a scheduled function now: `npm run invoke -- CleanupFunction`.
 * Not emulated: EventBridge Scheduler's own resources (AWS::Scheduler::Schedule), time
 * zones and flexible time windows of ScheduleV2 (times are UTC, fired on the dot).
 */
import { randomUUID } from 'node:crypto';
import awsCron from 'aws-cron-parser';
import type { ServiceContext, ServiceModule } from '../contract';
import { collectRules, deliver, localClients, type LocalRule } from './eventbridge';

const UNIT_MS: Record<string, number> = { minute: 60_000, minutes: 60_000, hour: 3_600_000, hours: 3_600_000, day: 86_400_000, days: 86_400_000 };

/** The next time a schedule fires after `from`, or undefined if it never will. */
export function nextFire(expression: string, from: Date, startedAt: Date = from): Date | undefined {
  const rate = /^rate\((\d+)\s+(minutes?|hours?|days?)\)$/.exec(expression.trim());
  if (rate) {
    const n = Number(rate[1]);
    const unit = rate[2]!;
    if (n < 1 || (n === 1) !== !unit.endsWith('s')) throw new Error(`Invalid schedule ${expression}: use rate(1 minute) / rate(N minutes)`);
    const period = n * UNIT_MS[unit]!;
    // Rates count from when the rule was created (here: when the runtime started).
    const elapsed = from.getTime() - startedAt.getTime();
    return new Date(startedAt.getTime() + (Math.floor(elapsed / period) + 1) * period);
  }
  const cron = /^cron\((.+)\)$/.exec(expression.trim());
  if (cron) {
    const fields = cron[1]!.trim().split(/\s+/);
    if (fields.length !== 6) throw new Error(`Invalid schedule ${expression}: AWS cron has six fields`);
    return awsCron.next(awsCron.parse(cron[1]!), from) ?? undefined;
  }
  throw new Error(`Unsupported schedule expression ${expression}`);
}

export interface SchedulesService {
  name: string;
  rules: LocalRule[];
  describe(): string[];
  /** Fires a scheduled rule now (by rule name or declaring logical id); resolves when delivered. */
  fire(ruleNameOrId: string): Promise<void>;
  stop(): Promise<void>;
}

/** setTimeout's ceiling (~24.8 days): longer waits re-arm. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export async function startSchedules(ctx: ServiceContext): Promise<SchedulesService> {
  const { region, accountId: account } = ctx;
  const rules = collectRules(ctx).filter((r) => r.schedule && r.enabled);
  const clients = localClients(ctx);
  const timers = new Map<string, NodeJS.Timeout>();
  const startedAt = new Date();
  const inflight = new Set<Promise<unknown>>();
  let stopped = false;

  for (const r of rules) nextFire(r.schedule!, startedAt); // refuse a bad expression at start

  const fireRule = async (rule: LocalRule, at: Date) => {
    const event = {
      version: '0',
      id: randomUUID(),
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account,
      time: at.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region,
      resources: [rule.arn],
      detail: {},
    };
    ctx.log('schedules', `${rule.name} (${rule.schedule}) fired`);
    await Promise.all(rule.targets.map((t) => deliver({ ctx, sfn: clients.sfn, sqs: clients.sqs }, rule, t, event)));
  };

  const arm = (rule: LocalRule) => {
    if (stopped) return;
    const next = nextFire(rule.schedule!, new Date(), startedAt);
    if (!next) return;
    const wait = next.getTime() - Date.now();
    const t = setTimeout(() => {
      if (wait > MAX_TIMER_MS) return arm(rule);
      const p = fireRule(rule, next).finally(() => inflight.delete(p));
      inflight.add(p);
      arm(rule);
    }, Math.max(0, Math.min(wait, MAX_TIMER_MS)));
    t.unref?.();
    timers.set(rule.name, t);
  };
  rules.forEach(arm);

  return {
    name: 'schedules',
    rules,
    describe: () => rules.map((r) => `schedule ${r.schedule} -> ${r.targets.map((t) => t.Arn.split(':').pop()).join(', ')} (next ${nextFire(r.schedule!, new Date(), startedAt)?.toISOString() ?? 'never'})`),
    fire: async (ref) => {
      const rule = rules.find((r) => r.name === ref || r.declaredBy === ref || r.declaredBy.startsWith(`${ref}.`));
      if (!rule) throw new Error(`No scheduled rule ${ref}`);
      await fireRule(rule, new Date());
    },
    stop: async () => {
      stopped = true;
      timers.forEach((t) => clearTimeout(t));
      await Promise.all([...inflight]);
      clients.destroy();
    },
  };
}

export const schedulesService: ServiceModule = {
  name: 'schedules',
  start: (ctx) => startSchedules(ctx),
};
