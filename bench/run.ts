/**
 * `npm run bench`: measures bundles, API latency/throughput against raw DynamoDB Local,
 * the order pipeline and start-up on this machine, and writes bench/results/latest.json
 * and latest.md. Every figure sits beside its target with pass/fail.
 *
 * Env: BENCH_ONLY=bundles,api,orderToConfirmed,startup (default: all)
 *      BENCH_DURATION=<seconds per autocannon run> (default 10)
 *      BENCH_ORDERS=<orders for orderToConfirmed> (default 1000)
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Builder, functionIds, layerIds } from '../local/src/build';
import { loadTemplate } from '../local/src/template';
import { createTestUser, REPO_ROOT, startLocalRuntime, type LocalRuntimeHandle, type TestUser } from '../tests/support/runtime';
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient, GetItemCommand, ListTablesCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';

process.env.AWS_REGION ??= 'us-east-1';
process.env.AWS_ACCESS_KEY_ID ??= 'local';
process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

interface AutocannonResult {
  latency: { p50: number; p99: number; average: number; max: number };
  requests: { average: number; total: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  duration: number;
}
type Autocannon = (o: Record<string, unknown>) => Promise<AutocannonResult>;
// autocannon ships no types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as Autocannon;

const ONLY = (process.env.BENCH_ONLY ?? '').split(',').map((s) => s.trim()).filter(Boolean);
const wants = (k: string) => ONLY.length === 0 || ONLY.includes(k);
const DURATION = Math.max(1, Math.min(120, Number(process.env.BENCH_DURATION ?? 10) || 10));
const CONNECTIONS = 10;
const RESULTS = join(REPO_ROOT, 'bench', 'results');

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]! : NaN;
};
const r1 = (n: number) => Math.round(n * 10) / 10;
const log = (m: string) => process.stdout.write(`[bench] ${m}\n`);

interface Check {
  figure: string;
  value: number | string;
  target: string;
  pass: boolean;
}
const checks: Check[] = [];
const check = (figure: string, value: number, target: string, pass: boolean) => checks.push({ figure, value: r1(value), target, pass });

// ---------------------------------------------------------------- bundles
async function benchBundles() {
  const templatePath = process.env.BENCH_TEMPLATE ? resolve(REPO_ROOT, process.env.BENCH_TEMPLATE) : join(REPO_ROOT, 'template.yaml');
  const t = loadTemplate(templatePath, {});
  const buildDir = mkdtempSync(join(tmpdir(), 'myapp-bench-build-'));
  const builder = new Builder(t, dirname(templatePath), buildDir, (s, m) => log(`${s}: ${m}`));
  const out: { function: string; bytes: number; initMs: number; importError?: string }[] = [];
  try {
    await Promise.all(layerIds(t).map((l) => builder.buildLayer(l)));
    for (const id of functionIds(t)) {
      const fn = await builder.buildFunction(id);
      const file = `${fn.handlerFile}.js`;
      const bytes = statSync(file).size;
      const p = t.resources[id]!.Properties;
      const layers = (Array.isArray(p.Layers) ? p.Layers : [])
        .map((arn) => Object.entries(t.refs).find(([, r]) => r === arn)?.[0])
        .map((lid) => (lid ? builder.layers.get(lid)?.nodeModules : undefined))
        .filter((x): x is string => !!x);
      const vars = ((p.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {}) as Record<string, unknown>;
      const env: Record<string, string> = {
        PATH: process.env.PATH ?? '',
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        AWS_LAMBDA_FUNCTION_NAME: id,
        NODE_PATH: [...layers, join(REPO_ROOT, 'node_modules')].join(':'),
      };
      for (const [k, v] of Object.entries(vars)) env[k] = typeof v === 'string' ? v : JSON.stringify(v);
      const times: number[] = [];
      let importError: string | undefined;
      const code = `const t=process.hrtime.bigint();require(${JSON.stringify(file)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
      for (let i = 0; i < 5; i++) {
        const r = spawnSync(process.execPath, ['-e', code], { env, cwd: fn.dir, encoding: 'utf8', timeout: 30_000 });
        const ms = Number(r.stdout.trim().split('\n').pop());
        if (r.status !== 0 || !Number.isFinite(ms)) {
          importError = (r.stderr || r.error?.message || 'failed').split('\n').slice(0, 3).join(' ');
          break;
        }
        times.push(ms);
      }
      const initMs = times.length ? r1(median(times)) : NaN;
      out.push({ function: id, bytes, initMs, ...(importError ? { importError } : {}) });
      check(`bundle ${id} bytes`, bytes, '< 250 KB (256000 B)', bytes < 250 * 1024);
      check(`bundle ${id} import ms`, initMs, '< 100 ms', !importError && initMs < 100);
      log(`${id}: ${bytes} B, import ${initMs} ms${importError ? ` (${importError})` : ''}`);
    }
  } finally {
    await builder.dispose();
    rmSync(buildDir, { recursive: true, force: true });
  }
  return out;
}

// ---------------------------------------------------------------- api
async function run(o: Record<string, unknown>) {
  const r = await autocannon({ connections: CONNECTIONS, duration: DURATION, timeout: 10, ...o });
  return { p50Ms: r.latency.p50, p99Ms: r.latency.p99, rps: r1(r.requests.average), errors: r.errors + r.timeouts + r.non2xx, total: r.requests.total };
}

/** N concurrent workers calling fn until the duration ends; returns calls per second. */
async function loop(fn: () => Promise<unknown>, seconds: number, concurrency: number): Promise<{ rps: number; errors: number }> {
  const end = Date.now() + seconds * 1000;
  let n = 0;
  let errors = 0;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = 0; i < 10_000_000 && Date.now() < end; i++) {
        try {
          await fn();
          n++;
        } catch {
          errors++;
        }
      }
    }),
  );
  return { rps: r1(n / ((Date.now() - started) / 1000)), errors };
}

async function apiCall(api: string, method: string, path: string, user: TestUser, body?: unknown) {
  const res = await fetch(`${api}${path}`, { method, headers: { ...user.headers, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}), signal: AbortSignal.timeout(15_000) });
  return { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, any> };
}

async function benchApi(rt: LocalRuntimeHandle, user: TestUser) {
  const api = rt.outputs.APIEndpoint!.replace(/\/$/, '');
  const headers = { ...user.headers, 'content-type': 'application/json' };
  const created = await apiCall(api, 'POST', '/orders', user, { items: [{ sku: 'SKU-0001', qty: 1 }] });
  if (created.status !== 202) throw new Error(`POST /orders for the bench order: ${created.status} ${JSON.stringify(created.body)}`);
  const orderId = String(created.body.orderId);
  for (let i = 0; i < 20; i++) await apiCall(api, 'GET', `/orders/${orderId}`, user); // warm every function
  await apiCall(api, 'GET', '/orders', user);
  await fetch(`${api}/health`);

  const api_: { route: string; p50Ms: number; p99Ms: number; rps: number; errors: number }[] = [];
  const add = async (route: string, o: Record<string, unknown>) => {
    log(`autocannon ${route} (${CONNECTIONS} connections, ${DURATION} s)`);
    const r = await run(o);
    api_.push({ route, p50Ms: r.p50Ms, p99Ms: r.p99Ms, rps: r.rps, errors: r.errors });
    log(`  p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms, ${r.rps} req/s, ${r.errors} errors`);
  };
  await add('GET /health', { url: `${api}/health` });
  await add('GET /orders/{orderId}', { url: `${api}/orders/${orderId}`, headers });
  await add('GET /orders', { url: `${api}/orders`, headers });

  // Raw SDK at the same concurrency, same DynamoDB Local, just after the GET runs.
  const ddb = new DynamoDBClient({ endpoint: rt.outputs.DynamoDBEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const tables = (await ddb.send(new ListTablesCommand({}))).TableNames ?? [];
  const ordersTable = tables.find((n) => n.endsWith('OrdersTable'));
  if (!ordersTable) throw new Error(`no OrdersTable among ${tables.join(', ')}`);
  const benchTable = `bench-baseline-${Date.now()}`;
  await ddb.send(new CreateTableCommand({ TableName: benchTable, BillingMode: 'PAY_PER_REQUEST', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }] }));
  log(`raw GetItem on ${ordersTable} (${CONNECTIONS} concurrent, ${DURATION} s)`);
  const get = await loop(() => ddb.send(new GetItemCommand({ TableName: ordersTable, Key: { userId: { S: user.sub }, orderId: { S: orderId } } })), DURATION, CONNECTIONS);
  let seq = 0;
  log(`raw PutItem on ${benchTable}`);
  const put = await loop(() => ddb.send(new PutItemCommand({ TableName: benchTable, Item: { pk: { S: `k${seq++}` }, v: { S: 'x'.repeat(200) } } })), DURATION, CONNECTIONS);
  await ddb.send(new DeleteTableCommand({ TableName: benchTable })).catch(() => undefined);
  ddb.destroy();
  const ddbBaseline = { getItemRps: get.rps, putItemRps: put.rps, getErrors: get.errors, putErrors: put.errors };
  log(`  GetItem ${get.rps}/s, PutItem ${put.rps}/s`);

  await add('POST /orders', { url: `${api}/orders`, method: 'POST', headers, body: JSON.stringify({ items: [{ sku: 'SKU-0001', qty: 1 }] }) });

  const byId = api_.find((a) => a.route === 'GET /orders/{orderId}')!;
  check('GET /orders/{orderId} p99 ms', byId.p99Ms, '< 20 ms', byId.p99Ms < 20);
  const ratio = (byId.rps / ddbBaseline.getItemRps) * 100;
  check('GET /orders/{orderId} rps as % of raw GetItem', ratio, '>= 70 %', ratio >= 70);
  for (const a of api_) check(`${a.route} errors`, a.errors, '0', a.errors === 0);
  return { api: api_, ddbBaseline };
}

// ---------------------------------------------------------------- orderToConfirmed
async function benchOrderToConfirmed(rt: LocalRuntimeHandle, user: TestUser) {
  const api = rt.outputs.APIEndpoint!.replace(/\/$/, '');
  const orders = Math.max(10, Math.min(5000, Number(process.env.BENCH_ORDERS ?? 1000) || 1000));
  const ratePerSec = 50;
  const placed: { orderId: string; at: number }[] = [];
  const done = new Map<string, { status: string; ms: number }>();
  const terminal = new Set(['CONFIRMED', 'ACKNOWLEDGED', 'FAILED', 'CANCELED', 'EXPIRED']);
  // The catalogue's stock is small: give the SKU enough for the run, so every order can confirm.
  const ddb = new DynamoDBClient({ endpoint: rt.outputs.DynamoDBEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const productsTable = ((await ddb.send(new ListTablesCommand({}))).TableNames ?? []).find((n) => n.endsWith('ProductsTable'));
  if (productsTable) await ddb.send(new UpdateItemCommand({ TableName: productsTable, Key: { sku: { S: 'SKU-0002' } }, UpdateExpression: 'SET stock = :n', ExpressionAttributeValues: { ':n': { N: '1000000' } } }));
  ddb.destroy();
  log(`orderToConfirmed: ${orders} orders at ${ratePerSec}/s`);
  const start = Date.now();
  const inflight: Promise<void>[] = [];
  // Bounded: at most 20 requests in flight and 90 s of placing, whatever the machine does.
  const placeEnd = start + 90_000;
  let active = 0;
  let refused = 0;
  for (let i = 0; i < orders && Date.now() < placeEnd; i++) {
    const due = start + (i * 1000) / ratePerSec;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    for (let j = 0; j < 20_000 && active >= 20 && Date.now() < placeEnd; j++) await new Promise((r) => setTimeout(r, 5));
    active++;
    inflight.push(
      (async () => {
        const at = Date.now();
        const r = await apiCall(api, 'POST', '/orders', user, { items: [{ sku: 'SKU-0002', qty: 1 }] }).catch(() => ({ status: 0, body: {} as Record<string, any> }));
        if (r.status === 202) placed.push({ orderId: String(r.body.orderId), at });
        else refused++;
        active--;
      })(),
    );
  }
  await Promise.all(inflight);
  // Poll each until terminal, bounded by a drain deadline. Times are measured to the poll
  // that saw the state, so they are upper bounds (poll interval 50 ms per order round).
  const drainEnd = Date.now() + 120_000;
  const pending = new Set(placed.map((p) => p.orderId));
  const atOf = new Map(placed.map((p) => [p.orderId, p.at]));
  for (let round = 0; round < 10_000 && pending.size && Date.now() < drainEnd; round++) {
    const ids = [...pending];
    for (let i = 0; i < ids.length; i += 20) {
      await Promise.all(
        ids.slice(i, i + 20).map(async (id) => {
          const r = await apiCall(api, 'GET', `/orders/${id}`, user).catch(() => undefined);
          const st = String(r?.body.status ?? '');
          if (r && terminal.has(st)) {
            const hist = (r.body.history ?? []) as { status: string; at: string }[];
            const h = hist.find((x) => x.status === st);
            const ms = h ? Date.parse(h.at) - atOf.get(id)! : Date.now() - atOf.get(id)!;
            done.set(id, { status: st, ms });
            pending.delete(id);
          }
        }),
      );
    }
    if (pending.size) await new Promise((r) => setTimeout(r, 50));
  }
  const confirmed = [...done.values()].filter((d) => d.status === 'CONFIRMED').map((d) => d.ms);
  const res = { orders: placed.length, requested: orders, refused, elapsedSec: r1((Date.now() - start) / 1000), confirmed: confirmed.length, p50Ms: r1(pct(confirmed, 50)), p99Ms: r1(pct(confirmed, 99)), lost: pending.size, failed: [...done.values()].filter((d) => d.status === 'FAILED').length };
  check('orderToConfirmed lost', res.lost, '0', res.lost === 0 && res.orders === orders);
  check('orderToConfirmed p99 ms', res.p99Ms, '< 1000 ms (hold 0)', res.p99Ms < 1000);
  log(`  ${JSON.stringify(res)}`);
  return res;
}

// ---------------------------------------------------------------- startup
async function benchStartup() {
  const wall: number[] = [];
  const reported: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = Date.now();
    const rt = await startLocalRuntime({ timeoutMs: 120_000 });
    wall.push(Date.now() - t0);
    const m = /ready in (\d+) ms/.exec(rt.output());
    if (m) reported.push(Number(m[1]));
    await rt.stop();
    log(`boot ${i + 1}: ${wall[i]} ms to the ready line (runtime says ${m?.[1]} ms)`);
  }
  const res = { readyMs: median(wall), reportedReadyMs: reported.length ? median(reported) : null, runs: wall };
  check('startup readyMs (median of 3, spawn to ready line)', res.readyMs, '< 5000 ms', res.readyMs < 5000);
  return res;
}

function machine() {
  const c = cpus();
  return { cores: c.length, cpuModel: c[0]?.model ?? 'unknown', memoryGiB: r1(totalmem() / 2 ** 30), node: process.version, platform: `${process.platform}-${process.arch}`, date: new Date().toISOString(), loadAvgAtStart: loadavg().map(r1) };
}

function markdown(res: Record<string, any>): string {
  const m = res.machine;
  const lines = [`# Benchmark results`, '', `${m.date} · ${m.cores} cores (${m.cpuModel}) · ${m.memoryGiB} GiB · Node ${m.node} · ${m.platform} · autocannon ${CONNECTIONS} connections, ${DURATION} s per route`, '', `Load average (1/5/15 min) at start ${m.loadAvgAtStart.join(' / ')}, at end ${m.loadAvgAtEnd.join(' / ')}: figures on a shared, loaded machine are lower bounds.`, ''];
  lines.push('## Targets', '', '| Figure | Value | Target | Result |', '|---|---|---|---|');
  for (const c of res.checks as Check[]) lines.push(`| ${c.figure} | ${c.value} | ${c.target} | ${c.pass ? 'pass' : '**FAIL**'} |`);
  if (res.bundles) {
    lines.push('', '## Bundles', '', '| Function | Bytes | Import median ms |', '|---|---|---|');
    for (const b of res.bundles) lines.push(`| ${b.function} | ${b.bytes} | ${b.initMs}${b.importError ? ` (error: ${b.importError})` : ''} |`);
  }
  if (res.api) {
    lines.push('', '## API', '', '| Route | p50 ms | p99 ms | req/s | errors |', '|---|---|---|---|---|');
    for (const a of res.api) lines.push(`| ${a.route} | ${a.p50Ms} | ${a.p99Ms} | ${a.rps} | ${a.errors} |`);
    lines.push('', `Raw DynamoDB Local at ${CONNECTIONS} concurrent: GetItem ${res.ddbBaseline.getItemRps}/s, PutItem ${res.ddbBaseline.putItemRps}/s`);
  }
  if (res.orderToConfirmed) lines.push('', '## Order to CONFIRMED', '', '```json', JSON.stringify(res.orderToConfirmed, null, 2), '```');
  if (res.startup) lines.push('', '## Startup', '', `median ${res.startup.readyMs} ms from spawn to the ready line (runs ${res.startup.runs.join(', ')} ms; runtime-reported ${res.startup.reportedReadyMs} ms)`);
  for (const [k, v] of Object.entries(res.errors ?? {})) lines.push('', `**${k} failed**: ${String(v)}`);
  return `${lines.join('\n')}\n`;
}

async function main() {
  const res: Record<string, any> = { machine: machine(), settings: { connections: CONNECTIONS, durationSec: DURATION, only: ONLY }, errors: {} };
  const section = async (name: string, fn: () => Promise<unknown>) => {
    if (!wants(name)) return;
    try {
      res[name] = await fn();
    } catch (e) {
      res.errors[name] = (e as Error).message.slice(0, 2000);
      checks.push({ figure: `${name} ran`, value: 'error', target: 'runs', pass: false });
      log(`${name} failed: ${(e as Error).message}`);
    }
  };
  await section('bundles', benchBundles);
  if (wants('api') || wants('orderToConfirmed')) {
    let rt: LocalRuntimeHandle | undefined;
    try {
      try {
        rt = await startLocalRuntime({ timeoutMs: 120_000 });
      } catch (e) {
        res.errors.runtime = (e as Error).message.slice(0, 2000);
        checks.push({ figure: 'runtime started', value: 'error', target: 'starts', pass: false });
        log(`runtime failed: ${(e as Error).message.slice(0, 2000)}`);
      }
      if (rt) {
        const user = await createTestUser(rt.outputs);
        // The pipeline first: it drains every workflow it starts, so the API runs on a quiet runtime.
        await section('orderToConfirmed', () => benchOrderToConfirmed(rt!, user));
        if (wants('api')) {
          await section('api', async () => {
            const r = await benchApi(rt!, user);
            res.ddbBaseline = r.ddbBaseline;
            return r.api;
          });
        }
      }
    } finally {
      await rt?.stop();
    }
  }
  await section('startup', benchStartup);
  res.machine.loadAvgAtEnd = loadavg().map(r1);
  res.checks = checks;
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(join(RESULTS, 'latest.json'), `${JSON.stringify(res, null, 2)}\n`);
  writeFileSync(join(RESULTS, 'latest.md'), markdown(res));
  const failed = checks.filter((c) => !c.pass);
  log(`wrote ${resolve(RESULTS, 'latest.json')} and latest.md: ${checks.length - failed.length}/${checks.length} targets met`);
}

main().then(
  () => process.exit(0),
  (e: Error) => {
    process.stderr.write(`bench failed: ${e.stack ?? e.message}\n`);
    process.exit(1);
  },
);
