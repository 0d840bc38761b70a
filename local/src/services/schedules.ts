/**
 * Schedules of EventBridge rules (part of the EventBridge module, eventbridge.ts): scheduled
 * rules really fire, `rate(N unit)` and AWS's six-field `cron(...)` (read by aws-cron-parser,
 * which understands `?`, `L`, `#`, `W`), whether the rule comes from the template
 * (AWS::Events::Rule with a ScheduleExpression, SAM Schedule / ScheduleV2 events) or from
 * PutRule at run time. Rates count from when the rule was created (kept in the state dir, so
 * a restart keeps the phase); a disabled or deleted rule stops firing at once.
 * Not emulated: EventBridge Scheduler's own resources (AWS::Scheduler::Schedule), time zones
 * and flexible time windows of ScheduleV2 (times are UTC, fired on the dot), catching up on
 * fires missed while the runtime was stopped (AWS does not either).
 */
import awsCron from 'aws-cron-parser';

const UNIT_MS: Record<string, number> = {
  minute: 60_000,
  minutes: 60_000,
  hour: 3_600_000,
  hours: 3_600_000,
  day: 86_400_000,
  days: 86_400_000,
};

/** Month and day names AWS cron accepts; with them removed, a field holds digits and `, - * ? / L W #`. */
const CRON_NAMES = /JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC|SUN|MON|TUE|WED|THU|FRI|SAT/g;

/** Why AWS would refuse a cron expression's fields that aws-cron-parser reads anyway, or undefined. */
function cronFieldError(fields: string[]): string | undefined {
  if (fields.length !== 6) return 'AWS cron has six fields (minutes hours day-of-month month day-of-week year)';
  if (fields.some((f) => !/^[0-9,\-*?/LW#]+$/.test(f.toUpperCase().replace(CRON_NAMES, '0'))))
    return 'a field holds something other than numbers, names and , - * ? / L W #';
  // "You can't specify the Day-of-month and Day-of-week fields in the same cron expression."
  if ((fields[2] === '?') === (fields[4] === '?')) return 'one of day-of-month and day-of-week must be ?, and only one';
  return undefined;
}

/** The next time a schedule fires after `from`, or undefined if it never will; throws on an expression AWS refuses. */
export function nextFire(expression: string, from: Date, startedAt: Date = from): Date | undefined {
  const rate = /^rate\((\d+)\s+(minutes?|hours?|days?)\)$/.exec(expression.trim());
  if (rate) {
    const n = Number(rate[1]);
    const unit = rate[2]!;
    if (n < 1 || (n === 1) !== !unit.endsWith('s')) throw new Error(`Invalid schedule ${expression}: use rate(1 minute) / rate(N minutes)`);
    const period = n * UNIT_MS[unit]!;
    // Rates count from when the rule was created.
    const elapsed = from.getTime() - startedAt.getTime();
    return new Date(startedAt.getTime() + (Math.max(0, Math.floor(elapsed / period)) + 1) * period);
  }
  const cron = /^cron\((.+)\)$/.exec(expression.trim());
  if (cron) {
    const error = cronFieldError(cron[1]!.trim().split(/\s+/));
    if (error) throw new Error(`Invalid schedule ${expression}: ${error}`);
    return awsCron.next(awsCron.parse(cron[1]!), from) ?? undefined;
  }
  throw new Error(`Unsupported schedule expression ${expression}: use rate(...) or cron(...)`);
}

/** True when PutRule would accept the expression (it answers "Parameter ScheduleExpression is not valid." otherwise). */
export function isValidSchedule(expression: string): boolean {
  try {
    nextFire(expression, new Date());
    return true;
  } catch {
    return false;
  }
}

/** What the scheduler needs of a rule. */
export interface ScheduledRule {
  /** Unique among the rules (`<bus>/<name>`). */
  key: string;
  name: string;
  schedule: string;
  /** Epoch ms rates count from. */
  since: number;
  targets: string[];
}

/** setTimeout's ceiling (~24.8 days): longer waits re-arm. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * One timer per scheduled rule. `sync()` takes the current set of enabled scheduled rules
 * (after every PutRule, EnableRule, DisableRule, DeleteRule) and arms, re-arms or clears.
 */
export class Scheduler {
  private readonly armed = new Map<string, { rule: ScheduledRule; timer: NodeJS.Timeout; next: Date }>();
  private readonly inflight = new Set<Promise<unknown>>();
  private stopped = false;

  constructor(
    private readonly fire: (key: string, at: Date) => Promise<void>,
    private readonly now: () => number = Date.now,
  ) {}

  sync(rules: ScheduledRule[]): void {
    const wanted = new Map(rules.map((r) => [r.key, r]));
    for (const [key, a] of this.armed) {
      const r = wanted.get(key);
      if (!r || r.schedule !== a.rule.schedule || r.since !== a.rule.since) this.clear(key);
      else a.rule = r; // targets or name only: the timer stands
    }
    for (const r of rules) if (!this.armed.has(r.key)) this.arm(r);
  }

  describe(): string[] {
    return [...this.armed.values()].map(
      ({ rule, next }) =>
        `schedule ${rule.schedule} -> ${rule.targets.join(', ') || '(no targets)'} (${rule.name}, next ${next.toISOString()})`,
    );
  }

  /** Resolves when every fire in flight has been delivered. */
  async idle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.all([...this.inflight]);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const key of [...this.armed.keys()]) this.clear(key);
    await this.idle();
  }

  private clear(key: string): void {
    clearTimeout(this.armed.get(key)?.timer);
    this.armed.delete(key);
  }

  /** Arms the rule's next fire after now (and after `after`, the fire that just happened). */
  private arm(rule: ScheduledRule, after = 0): void {
    if (this.stopped) return;
    const next = nextFire(rule.schedule, new Date(Math.max(this.now(), after)), new Date(rule.since));
    if (!next) return;
    const wait = next.getTime() - this.now();
    const timer = setTimeout(
      () => {
        this.armed.delete(rule.key);
        if (wait <= MAX_TIMER_MS) {
          const p = this.fire(rule.key, next).finally(() => this.inflight.delete(p));
          this.inflight.add(p);
        }
        this.arm(rule, wait <= MAX_TIMER_MS ? next.getTime() + 1 : 0);
      },
      Math.max(0, Math.min(wait, MAX_TIMER_MS)),
    );
    timer.unref?.();
    this.armed.set(rule.key, { rule, timer, next });
  }
}
