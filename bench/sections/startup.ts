/**
 * startup: `npm start` from spawn to the ready line, as a user meets it: three boots on an
 * existing state dir (builds up to date, tables there: every `npm start` after the first),
 * their median checked against the target; the first boot on an empty state dir (bundles
 * every function, creates tables, runs the custom resources) is reported beside it. Each
 * boot's phases (the runtime's `startup:` line) are kept to show where the time goes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalRuntime, type LocalRuntimeHandle } from '../../tests/support/runtime';
import { check, cleanups, log, median } from '../lib/common';

function phasesOf(output: string): Record<string, number> {
  const line = /startup: (.*) \(ms since start\)/.exec(output)?.[1] ?? '';
  return Object.fromEntries(
    line
      .split(', ')
      .map((p) => p.split(' '))
      .filter((p) => p.length === 2)
      .map(([k, v]) => [k!, Number(v)]),
  );
}

async function boot(
  opts: Parameters<typeof startLocalRuntime>[0],
): Promise<{ ms: number; reported: number | undefined; phases: Record<string, number>; rt: LocalRuntimeHandle }> {
  const t0 = Date.now();
  const rt = await startLocalRuntime({ timeoutMs: 120_000, ...opts });
  const ms = Date.now() - t0;
  cleanups.add(rt.stop);
  const m = /ready in (\d+) ms/.exec(rt.output());
  return { ms, reported: m ? Number(m[1]) : undefined, phases: phasesOf(rt.output()), rt };
}

async function stop(rt: LocalRuntimeHandle) {
  await rt.stop();
  cleanups.delete(rt.stop);
}

export async function benchStartup() {
  const stateDir = mkdtempSync(join(tmpdir(), 'myapp-bench-startup-'));
  const runs: { ms: number; reported: number | undefined; phases: Record<string, number> }[] = [];
  let first: Awaited<ReturnType<typeof boot>>;
  try {
    first = await boot({ stateDir, fresh: true });
    await stop(first.rt);
    log(`first boot (empty state dir): ${first.ms} ms to the ready line (runtime says ${first.reported} ms)`);
    for (let i = 0; i < 3; i++) {
      const b = await boot({ stateDir, fresh: false });
      await stop(b.rt);
      runs.push({ ms: b.ms, reported: b.reported, phases: b.phases });
      log(`boot ${i + 1}: ${b.ms} ms to the ready line (runtime says ${b.reported} ms; ${JSON.stringify(b.phases)})`);
    }
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
  }
  const wall = runs.map((r) => r.ms);
  const reported = runs.map((r) => r.reported).filter((x): x is number => x !== undefined);
  const res = {
    readyMs: median(wall),
    reportedReadyMs: reported.length ? median(reported) : null,
    runs: wall,
    phases: runs[Math.floor(runs.length / 2)]?.phases ?? {},
    firstBoot: { readyMs: first.ms, reportedReadyMs: first.reported ?? null, phases: first.phases },
  };
  check('startup readyMs (median of 3 boots on a state dir, spawn to ready line)', res.readyMs, '< 5000 ms', res.readyMs < 5000);
  return res;
}
