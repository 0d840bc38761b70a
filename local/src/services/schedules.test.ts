import { isValidSchedule, nextFire, Scheduler, type ScheduledRule } from './schedules';

describe('nextFire', () => {
  const t0 = new Date('2026-03-10T10:17:30Z');
  it('counts rates from when the rule was created', () => {
    expect(nextFire('rate(1 hour)', t0)?.toISOString()).toBe('2026-03-10T11:17:30.000Z');
    expect(nextFire('rate(5 minutes)', new Date('2026-03-10T10:23:00Z'), t0)?.toISOString()).toBe('2026-03-10T10:27:30.000Z');
    expect(nextFire('rate(2 days)', t0)?.toISOString()).toBe('2026-03-12T10:17:30.000Z');
  });
  it('reads AWS six-field cron', () => {
    expect(nextFire('cron(0 12 * * ? *)', t0)?.toISOString()).toBe('2026-03-10T12:00:00.000Z');
    expect(nextFire('cron(0/15 * * * ? *)', t0)?.toISOString()).toBe('2026-03-10T10:30:00.000Z');
    expect(nextFire('cron(0 9 ? * MON-FRI *)', new Date('2026-03-14T10:00:00Z'))?.toISOString()).toBe('2026-03-16T09:00:00.000Z'); // Saturday → Monday
    expect(nextFire('cron(0 0 L * ? *)', t0)?.toISOString()).toBe('2026-03-31T00:00:00.000Z');
  });
  it('refuses malformed expressions', () => {
    expect(() => nextFire('rate(1 hours)', t0)).toThrow();
    expect(() => nextFire('rate(5 minute)', t0)).toThrow();
    expect(() => nextFire('rate(0 minutes)', t0)).toThrow();
    expect(() => nextFire('cron(0 12 * * *)', t0)).toThrow(/six fields/);
    expect(() => nextFire('every hour', t0)).toThrow();
  });
  // The expressions PutRule refused with "Parameter ScheduleExpression is not valid." (LocalStack's
  // tests_put_rule_with_invalid_schedule_cron, recorded against AWS), and ones it takes.
  it.each([
    'cron(INVALID)',
    'cron(0 dummy ? * MON-FRI *)',
    'cron(7 20 * * NOT *)',
    'cron(71 8 1 * ? *)',
    'cron(0 1 * * * *)',
    'cron(0 1 ? * ? *)',
  ])('refuses %s as AWS does', (e) => {
    expect(isValidSchedule(e)).toBe(false);
  });
  it.each([
    'rate(1 minute)',
    'rate(10 days)',
    'cron(0 10 * * ? *)',
    'cron(15 12 ? * SUN-SAT *)',
    'cron(0/5 8-17 ? * MON-FRI *)',
    'cron(0 18 ? * 6L *)',
    'cron(0 9 ? * 2#1 *)',
    'cron(0 0 1W * ? *)',
  ])('takes %s', (e) => {
    expect(isValidSchedule(e)).toBe(true);
  });
});

describe('Scheduler', () => {
  beforeEach(() => jest.useFakeTimers({ now: new Date('2026-03-10T10:00:00Z') }));
  afterEach(() => jest.useRealTimers());

  const since = new Date('2026-03-10T10:00:00Z').getTime();
  const rule = (over: Partial<ScheduledRule> = {}): ScheduledRule => ({
    key: 'default/r',
    name: 'r',
    schedule: 'rate(1 minute)',
    since,
    targets: ['q'],
    ...over,
  });

  it('fires on time, again every period, and stops when the rule leaves the set', async () => {
    const fired: string[] = [];
    const s = new Scheduler(async (key, at) => void fired.push(`${key}@${at.toISOString()}`));
    s.sync([rule()]);
    expect(s.describe()).toEqual(['schedule rate(1 minute) -> q (r, next 2026-03-10T10:01:00.000Z)']);
    await jest.advanceTimersByTimeAsync(59_000);
    expect(fired).toEqual([]);
    await jest.advanceTimersByTimeAsync(62_000);
    expect(fired).toEqual(['default/r@2026-03-10T10:01:00.000Z', 'default/r@2026-03-10T10:02:00.000Z']);
    s.sync([]); // DisableRule / DeleteRule
    await jest.advanceTimersByTimeAsync(600_000);
    expect(fired).toHaveLength(2);
    expect(s.describe()).toEqual([]);
    await s.stop();
  });

  it('re-arms a rule whose schedule changed, and keeps the timer of one whose targets changed', async () => {
    const fired: string[] = [];
    const s = new Scheduler(async (key, at) => void fired.push(at.toISOString()));
    s.sync([rule()]);
    await jest.advanceTimersByTimeAsync(30_000);
    s.sync([rule({ targets: ['q', 'fn'] })]);
    await jest.advanceTimersByTimeAsync(31_000);
    expect(fired).toEqual(['2026-03-10T10:01:00.000Z']);
    s.sync([rule({ schedule: 'cron(0 12 * * ? *)' })]);
    await jest.advanceTimersByTimeAsync(3_600_000);
    expect(fired).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(2 * 3_600_000);
    expect(fired).toEqual(['2026-03-10T10:01:00.000Z', '2026-03-10T12:00:00.000Z']);
    await s.stop();
  });

  it('fires nothing after stop', async () => {
    const fire = jest.fn(async () => undefined);
    const s = new Scheduler(fire);
    s.sync([rule()]);
    await s.stop();
    await jest.advanceTimersByTimeAsync(120_000);
    expect(fire).not.toHaveBeenCalled();
  });
});
