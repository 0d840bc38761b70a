/**
 * hotReload: ms from saving a handler to the new code answering. The runtime runs with file
 * watching on a scratch template whose HealthFunction points at a scratch copy of
 * functions/health (in the git-ignored .local/), so the repository is never modified.
 * Each save changes the version GET /health returns; the figure is the median of the saves.
 * Baseline in the same run: a warm GET /health (the polling floor).
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startLocalRuntime } from '../../tests/support/runtime';
import { REPO_ROOT, check, cleanups, log, median, r1, scratchDir, scratchTemplate, sleep } from '../lib/common';

export async function benchHotReload() {
  const saves = Math.max(1, Math.min(10, Number(process.env.BENCH_RELOADS ?? 5) || 5));
  const scratch = scratchDir('health');
  for (const f of ['handler.ts', 'package.json']) copyFileSync(join(REPO_ROOT, 'functions', 'health', f), join(scratch.dir, f));
  const original = readFileSync(join(scratch.dir, 'handler.ts'), 'utf8');
  if (!original.includes('version: config.appVersion()'))
    throw new Error('functions/health/handler.ts no longer sets `version: config.appVersion()`: update bench/sections/hot-reload.ts');
  const tpl = scratchTemplate((r) => {
    (r.HealthFunction!.Properties as Record<string, unknown>).CodeUri = `${scratch.dir}/`;
  });
  let rt: Awaited<ReturnType<typeof startLocalRuntime>> | undefined;
  const stop = async () => {
    cleanups.delete(stop);
    await rt?.stop();
    tpl.dispose();
    scratch.dispose();
  };
  cleanups.add(stop);
  try {
    rt = await startLocalRuntime({ template: tpl.path, watch: true, timeoutMs: 180_000 });
    const url = `${rt.outputs.APIEndpoint!.replace(/\/$/, '')}/health`;
    const version = async () => {
      const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
      const { version } = (await res.json().catch(() => ({}))) as { version?: unknown };
      return typeof version === 'string' ? version : '';
    };
    // Warm, then the floor: a warm request's round trip.
    for (let i = 0; i < 5; i++) await version();
    const warm: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t = performance.now();
      await version();
      warm.push(performance.now() - t);
    }
    const runs: number[] = [];
    for (let i = 1; i <= saves; i++) {
      const marker = `bench-reload-${Date.now()}-${i}`;
      const t0 = performance.now();
      writeFileSync(
        join(scratch.dir, 'handler.ts'),
        original.replace('version: config.appVersion()', `version: ${JSON.stringify(marker)}`),
      );
      let seen = false;
      while (performance.now() - t0 < 30_000) {
        if ((await version().catch(() => '')) === marker) {
          seen = true;
          break;
        }
        await sleep(10);
      }
      const ms = performance.now() - t0;
      if (!seen) throw new Error(`save ${i}: the new code did not answer within 30 s`);
      runs.push(r1(ms));
      log(`hotReload save ${i}: ${r1(ms)} ms`);
      await sleep(500);
    }
    const rebuilt = [...rt.output().matchAll(/rebuilt HealthFunction in (\d+) ms/g)].map((m) => Number(m[1]));
    const res = {
      ms: r1(median(runs)),
      runs,
      rebuildMs: rebuilt.length ? median(rebuilt) : null,
      baseline: { warmRequestMs: r1(median(warm)) },
    };
    check('hotReload ms (median, save to new code answering)', res.ms, '< 1000 ms', res.ms < 1000);
    return res;
  } finally {
    await stop();
  }
}
