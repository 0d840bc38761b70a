/**
 * `npm run bench`: measures bundles, API latency/throughput against raw DynamoDB Local,
 * DynamoDB calls and capacity per request, the order pipeline, the cleanup's read capacity
 * against a full Scan, start-up and hot reload on this machine, and writes
 * bench/results/latest.json, latest.md, the SVG charts, and the README's generated block.
 * Every figure sits beside its target (pass/fail) and its baseline from the same run.
 * Sections not run this time are carried over from the previous latest.json.
 *
 * Env: BENCH_ONLY=bundles,api,ddbPerRequest,orderToConfirmed,cleanup,startup,hotReload (default: all)
 *      BENCH_DURATION=<seconds per autocannon run> (default 10)
 *      BENCH_ORDERS=<orders for orderToConfirmed> (default 1000)
 *      BENCH_CLEANUP_ORDERS=<orders seeded for cleanup> (default 100000), BENCH_CLEANUP_STALE (default 300)
 *      BENCH_RELOADS=<saves for hotReload> (default 5)
 *      BENCH_README=0 to leave README.md alone
 *      BENCH_FUNCTION_CONCURRENCY=<processes per function for the api/pipeline runtime> (default 4)
 *      BENCH_RUNTIME_ARGS="<npm start flags>" for the api/pipeline runtime (e.g. `--tracing`, `--cpu-prof DIR`)
 *      BENCH_FLOOR_ROUNDS=<alternating rounds of each route and its references: GET /health and the
 *        peer, GET /orders/{orderId}, its floor and the peer> (default 3)
 *      BENCH_PEER=0 to leave out the peer (serverless 3 + serverless-offline 13, installed into
 *        node_modules/.cache/bench-peer on first use); BENCH_PEER_MODE=worker (default) or in-process
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { createTestUser, startLocalRuntime, type LocalRuntimeHandle } from '../tests/support/runtime';
import { CONNECTIONS, DURATION, ONLY, RESULTS, SECTIONS, checks, cleanups, log, r1, rel, scrub, setSection, wants } from './lib/common';
import { markdown, mergePrevious, updateReadme, writeCharts, type Results } from './lib/report';
import { benchApi } from './sections/api';
import { benchBundles } from './sections/bundles';
import { benchCleanup } from './sections/cleanup';
import { benchDdbPerRequest } from './sections/ddb-per-request';
import { benchHotReload } from './sections/hot-reload';
import { benchOrderToConfirmed } from './sections/order-to-confirmed';
import { benchStartup } from './sections/startup';

function machine() {
  const c = cpus();
  return {
    cores: c.length,
    cpuModel: c[0]?.model ?? 'unknown',
    memoryGiB: r1(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    date: new Date().toISOString(),
    loadAvgAtStart: loadavg().map(r1),
  };
}

async function main() {
  const unknown = ONLY.filter((s) => !(SECTIONS as readonly string[]).includes(s));
  if (unknown.length) throw new Error(`BENCH_ONLY: unknown section(s) ${unknown.join(', ')}; known: ${SECTIONS.join(', ')}`);
  const res: Results = {
    machine: machine(),
    settings: { connections: CONNECTIONS, durationSec: DURATION, only: ONLY },
    errors: {},
    ranAt: {},
  };
  const ran: string[] = [];
  const section = async (name: string, fn: () => Promise<unknown>) => {
    if (!wants(name)) return;
    setSection(name);
    ran.push(name);
    res.ranAt[name] = new Date().toISOString();
    const t0 = Date.now();
    try {
      res[name] = await fn();
    } catch (e) {
      res.errors[name] = scrub((e as Error).message.slice(0, 2000));
      checks.push({ section: name, figure: `${name} ran`, value: 'error', target: 'runs', pass: false });
      log(`${name} failed: ${(e as Error).message}`);
    }
    log(`${name}: ${Math.round((Date.now() - t0) / 1000)} s`);
  };
  await section('bundles', benchBundles);
  if (wants('api') || wants('orderToConfirmed')) {
    let rt: LocalRuntimeHandle | undefined;
    try {
      try {
        // Hold 0 (also the local default): order-to-CONFIRMED measures the pipeline, not the wait.
        rt = await startLocalRuntime({
          timeoutMs: 120_000,
          parameterOverrides: { OrderHoldSeconds: '0' },
          extraArgs: [
            ...(process.env.BENCH_FUNCTION_CONCURRENCY ? ['--function-concurrency', process.env.BENCH_FUNCTION_CONCURRENCY] : []),
            ...(process.env.BENCH_RUNTIME_ARGS ?? '').split(' ').filter(Boolean),
          ],
        });
        cleanups.add(rt.stop);
      } catch (e) {
        res.errors.runtime = scrub((e as Error).message.slice(0, 2000));
        checks.push({ section: 'runtime', figure: 'runtime started', value: 'error', target: 'starts', pass: false });
        log(`runtime failed: ${(e as Error).message.slice(0, 2000)}`);
      }
      if (rt) {
        const user = await createTestUser(rt.outputs);
        // The pipeline first: it drains every workflow it starts, so the API runs on a quiet runtime.
        await section('orderToConfirmed', () => benchOrderToConfirmed(rt!, user));
        await section('api', async () => {
          const r = await benchApi(rt!, user);
          res.ddbBaseline = r.ddbBaseline;
          res.floor = r.floor;
          res.peer = r.peer;
          res.apiSettings = { connections: CONNECTIONS, durationSec: DURATION };
          return r.api;
        });
      }
    } finally {
      if (rt) cleanups.delete(rt.stop);
      await rt?.stop();
    }
  }
  // Each of these starts its own runtime (DynamoDB through the counting proxy, or watching files).
  await section('ddbPerRequest', benchDdbPerRequest);
  await section('cleanup', benchCleanup);
  await section('startup', benchStartup);
  await section('hotReload', benchHotReload);
  res.machine.loadAvgAtEnd = loadavg().map(r1);
  res.checks = [...checks];
  mergePrevious(res, ran);
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(join(RESULTS, 'latest.json'), `${JSON.stringify(res, null, 2)}\n`);
  const charts = writeCharts(res);
  writeFileSync(join(RESULTS, 'latest.md'), markdown(res));
  const readme = process.env.BENCH_README !== '0' && updateReadme(res);
  const failed = checks.filter((c) => !c.pass);
  log(
    `wrote ${rel(join(RESULTS, 'latest.json'))}, latest.md${charts.length ? `, ${charts.join(', ')}` : ''}${readme ? ' and the README block' : ''}: ${checks.length - failed.length}/${checks.length} targets met this run`,
  );
}

// Interrupted: stop every runtime a section started (each runs in its own process group).
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    log(`${sig}: stopping ${cleanups.size} runtime(s) and scratch files`);
    const hard = setTimeout(() => process.exit(130), 15_000);
    void Promise.allSettled([...cleanups].map(async (c) => c())).then(() => {
      clearTimeout(hard);
      process.exit(130);
    });
  });
}

main().then(
  () => process.exit(0),
  (e: Error) => {
    process.stderr.write(`bench failed: ${e.stack ?? e.message}\n`);
    process.exit(1);
  },
);
