import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nextFire, startSchedules } from './schedules';
import { serviceContext } from '../../test/service-context';

describe('nextFire', () => {
  const t0 = new Date('2026-03-10T10:17:30Z');
  it('counts rates from the start', () => {
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
    expect(() => nextFire('cron(0 12 * * *)', t0)).toThrow(/six fields/);
    expect(() => nextFire('every hour', t0)).toThrow();
  });
});

describe('startSchedules', () => {
  it('reads the SAM Schedule event and fires its function on demand with a Scheduled Event', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'sched-'));
    const calls: Array<{ fn: string; event: { source: string; 'detail-type': string; resources: string[] } }> = [];
    const rt = serviceContext({
      stateDir,
      resources: { CleanupFunction: { Type: 'AWS::Serverless::Function', Properties: { Events: { Hourly: { Type: 'Schedule', Properties: { Schedule: 'rate(1 hour)' } } } } } },
      invoke: async (fn, event) => {
        calls.push({ fn, event: event as (typeof calls)[number]['event'] });
        return { ok: true };
      },
    });
    const svc = await startSchedules(rt);
    try {
      expect(svc.describe()[0]).toMatch(/^schedule rate\(1 hour\) -> myapp-CleanupFunction/);
      await svc.fire('CleanupFunction');
      expect(calls).toHaveLength(1);
      expect(calls[0]).toMatchObject({ fn: 'CleanupFunction', event: { source: 'aws.events', 'detail-type': 'Scheduled Event' } });
      expect(calls[0]!.event.resources[0]).toMatch(/:rule\/myapp-CleanupFunctionHourly$/);
    } finally {
      await svc.stop();
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
