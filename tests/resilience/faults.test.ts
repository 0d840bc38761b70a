/**
 * Faults: DynamoDB Local paused (SIGSTOP) and killed (SIGKILL) under load, and a poison
 * stream record. The suite starts a runtime of its own (its own state dir and ports), so
 * the shared runtime of the other resilience suites is never harmed.
 *
 * - During an outage every API call answers within the function timeout plus a margin,
 *   with a JSON 5xx (no hang, no HTML or empty body).
 * - The runtime's supervisor restarts a killed DynamoDB Local on the same port and data.
 * - Every order acknowledged (202) before, during and after is readable afterwards, and
 *   every order in the table ends in a terminal state within a bounded drain.
 * - A poison stream record goes to `order-dlq`, the others are processed, and nothing
 *   else reaches the DLQ (no stream record lost to the outages).
 *
 * Loopback only; every loop is bounded in count and time.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { createTestUser, startLocalRuntime, type LocalRuntimeHandle, type TestUser } from '../support/runtime';
import { dlqDepth, putPoisonOrder, waitForDlqRecords } from '../support/stream-poison';
import { call, type Res } from './support';

jest.setTimeout(120_000);

/** Globals Timeout of the template's functions (seconds). */
const FUNCTION_TIMEOUT_MS = 10_000;
/** A call during an outage must answer within the function timeout plus this. */
const ANSWER_MARGIN_MS = 10_000;
const TERMINAL = new Set(['CONFIRMED', 'FAILED', 'CANCELED', 'EXPIRED', 'ACKNOWLEDGED']);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Sample {
  phase: string;
  body?: unknown;
  what: string;
  orderId?: string;
  status: number;
  ms: number;
  res?: Res;
  error?: string;
}

let rt: LocalRuntimeHandle;
let user: TestUser;
let base: string;
const samples: Sample[] = [];
/** orderIds answered 202 (acknowledged), by phase. */
const acknowledged = new Map<string, string>();
let seq = 0;

const dbPidFile = () => join(rt.stateDir, 'dynamodb', 'pid');
const dbPid = () => Number(readFileSync(dbPidFile(), 'utf8').trim());

/** One API call, timed and recorded; a transport error (or a 30 s hang) is a sample too. */
async function timed(phase: string, what: string, method: string, path: string, body?: unknown, orderId?: string): Promise<Sample> {
  const t0 = Date.now();
  let s: Sample;
  try {
    const res = await call(method, path, { user, base, ...(body !== undefined ? { body } : {}) });
    s = { phase, what, orderId, status: res.status, ms: Date.now() - t0, res };
  } catch (e) {
    s = { phase, what, orderId, status: 0, ms: Date.now() - t0, error: (e as Error).message };
  }
  samples.push(s);
  return s;
}

async function placeOrder(phase: string): Promise<Sample> {
  const orderId = `fault-${phase}-${++seq}-${Date.now().toString(36)}`;
  const body = { orderId, items: [{ sku: seq % 2 ? 'SKU-0006' : 'SKU-0002', qty: 1 }] };
  const s = await timed(phase, 'POST /orders', 'POST', '/orders', body, orderId);
  s.body = body;
  if (s.status === 202) acknowledged.set(orderId, phase);
  return s;
}

/** Places orders and reads one back from `workers` loops until stop() or the deadline (bounded). */
function load(phase: string, readId: string, workers = 2, maxMs = 60_000): { stop(): Promise<void> } {
  let stopped = false;
  const end = Date.now() + maxMs;
  const loops = Array.from({ length: workers }, async () => {
    for (let i = 0; i < 200 && !stopped && Date.now() < end; i++) {
      const placed = await placeOrder(phase);
      const read = await timed(phase, 'GET /orders/{id}', 'GET', `/orders/${readId}`);
      // A client backs off a little after a 5xx (fast failures would spin otherwise).
      await sleep(placed.status >= 500 || read.status >= 500 ? 500 : 100);
    }
  });
  return {
    async stop() {
      stopped = true;
      await Promise.all(loops);
    },
  };
}

/** A clean failure: a 5xx whose body is JSON with an error, answered in bounded time. */
function describeUnclean(s: Sample): string | undefined {
  const tag = `${s.phase} ${s.what} ${s.orderId ?? ''} -> ${s.status} in ${s.ms} ms`;
  if (s.ms > FUNCTION_TIMEOUT_MS + ANSWER_MARGIN_MS) return `${tag}: slower than the function timeout + margin`;
  if (s.status === 0) return `${tag}: no answer (${s.error})`;
  if (s.status < 500) return undefined;
  if (!/application\/json/.test(s.res!.contentType)) return `${tag}: content-type ${s.res!.contentType}: ${s.res!.text.slice(0, 200)}`;
  const b = s.res!.body;
  // Our handlers answer {error:{code,message},requestId}; API Gateway's own 5xx is {message}.
  if (!b || !(typeof b.error?.code === 'string' || typeof b.message === 'string')) return `${tag}: body ${s.res!.text.slice(0, 200)}`;
  if (/127\.0\.0\.1|ECONN|smithy|stack/i.test(s.res!.text)) return `${tag}: leaks internals: ${s.res!.text.slice(0, 200)}`;
  return undefined;
}

async function waitForStatus(orderId: string, wanted: (status: string) => boolean, timeoutMs: number): Promise<string> {
  const end = Date.now() + timeoutMs;
  let last = '';
  for (let i = 0; i < 400 && Date.now() < end; i++) {
    const r = await call('GET', `/orders/${orderId}`, { user, base });
    last = r.status === 200 ? String(r.body?.status) : `HTTP ${r.status}`;
    if (r.status === 200 && wanted(last)) return last;
    await sleep(250);
  }
  throw new Error(`order ${orderId} still ${last} after ${timeoutMs} ms`);
}

/** Every order of the test user (the API's own listing, all pages, bounded). */
async function listOrders(): Promise<Array<{ orderId: string; status: string }>> {
  const out: Array<{ orderId: string; status: string }> = [];
  let token: string | undefined;
  for (let page = 0; page < 50; page++) {
    const r = await call('GET', `/orders?limit=100${token ? `&nextToken=${encodeURIComponent(token)}` : ''}`, { user, base });
    if (r.status !== 200) throw new Error(`GET /orders -> ${r.status} ${r.text.slice(0, 200)}`);
    out.push(...(r.body!.items as Array<{ orderId: string; status: string }>));
    token = r.body!.nextToken as string | undefined;
    if (!token) break;
  }
  return out;
}

/** Waits (bounded) until DynamoDB Local answers on the runtime's endpoint. */
async function waitForDb(timeoutMs: number): Promise<void> {
  const ddb = new DynamoDBClient({
    endpoint: rt.outputs.DynamoDBEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
    requestHandler: { requestTimeout: 2000, throwOnRequestTimeout: true },
  });
  try {
    const end = Date.now() + timeoutMs;
    for (let i = 0; i < 300 && Date.now() < end; i++) {
      try {
        await ddb.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch {
        await sleep(200);
      }
    }
    throw new Error(`DynamoDB Local not answering after ${timeoutMs} ms`);
  } finally {
    ddb.destroy();
  }
}

beforeAll(async () => {
  // OrderHoldSeconds=0: workflows run at once. No cleanup runs during the suite, so an order
  // whose workflow was lost stays PLACED and fails the drain.
  rt = await startLocalRuntime({ parameterOverrides: { OrderHoldSeconds: '0' }, timeoutMs: 150_000 });
  base = rt.outputs.APIEndpoint!.replace(/\/$/, '');
  user = await createTestUser(rt.outputs);
}, 180_000);

afterAll(async () => {
  if (!rt) return;
  // Never leave a paused JVM behind, whatever failed.
  try {
    process.kill(dbPid(), 'SIGCONT');
  } catch {
    /* gone or never written */
  }
  // Kept for diagnosis (the supervisor's lines, function errors).
  try {
    writeFileSync(join(tmpdir(), 'myapp-faults-runtime.log'), rt.output());
  } catch {
    /* diagnosis only */
  }
  await rt.stop();
}, 30_000);

describe('Faults', () => {
  let before: string[] = [];

  it('a poison stream record goes to order-dlq and the other records are processed', async () => {
    expect(await dlqDepth(rt.outputs)).toBe(0);
    await putPoisonOrder(rt.outputs);
    // Orders before the faults: written after the poison, on the same shard.
    const placed = await Promise.all([placeOrder('before'), placeOrder('before'), placeOrder('before')]);
    expect(placed.map((s) => s.status)).toEqual([202, 202, 202]);
    before = placed.map((s) => s.orderId!);
    for (const id of before) expect(await waitForStatus(id, (s) => s === 'CONFIRMED', 60_000)).toBe('CONFIRMED');
    const dlq = await waitForDlqRecords(rt.outputs, 1, 60_000);
    expect(dlq).toHaveLength(1);
    expect(dlq[0]!.DDBStreamBatchInfo?.batchSize).toBe(1);
    expect(dlq[0]!.DDBStreamBatchInfo?.streamArn).toContain('OrdersTable');
  });

  it('a paused DynamoDB Local (SIGSTOP): calls fail cleanly within the function timeout, then everything recovers', async () => {
    const pid = dbPid();
    const loadRun = load('paused', before[0]!);
    await sleep(1500);
    process.kill(pid, 'SIGSTOP');
    let probes: Sample[];
    try {
      // Sent while the database is surely paused: each must fail, cleanly and in time.
      probes = await Promise.all([
        placeOrder('paused-probe'),
        timed('paused-probe', 'GET /orders/{id}', 'GET', `/orders/${before[0]}`),
        timed('paused-probe', 'GET /orders', 'GET', '/orders?limit=5'),
      ]);
      // Keep it paused a little longer than one call's worst case, then resume.
      await sleep(1000);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    await waitForDb(30_000);
    await sleep(2000);
    await loadRun.stop();
    expect(probes.map(describeUnclean).filter(Boolean)).toEqual([]);
    // The layer's DynamoDB timeouts let the handler answer 503 itself before its timeout;
    // on a starved machine the function timeout may come first (API Gateway's JSON 502).
    // Both are clean; a success or a 4xx while the database is paused is not.
    expect(probes.filter((p) => ![502, 503, 504].includes(p.status)).map((p) => `${p.what} -> ${p.status}`)).toEqual([]);
    expect(
      samples
        .filter((s) => s.phase.startsWith('paused'))
        .map(describeUnclean)
        .filter(Boolean),
    ).toEqual([]);
    // Recovered: the same process answers again.
    expect(dbPid()).toBe(pid);
    const after = await placeOrder('after-pause');
    expect(after.status).toBe(202);
  });

  it('DynamoDB Local killed (SIGKILL) under load: the runtime restarts it, calls during the outage fail cleanly', async () => {
    const pid = dbPid();
    const loadRun = load('killed', before[1]!);
    await sleep(1500);
    process.kill(pid, 'SIGKILL');
    // Straight after the kill, before the supervisor's restart can answer.
    const probes = await Promise.all([
      placeOrder('killed-probe'),
      timed('killed-probe', 'GET /orders/{id}', 'GET', `/orders/${before[1]}`),
    ]);
    // The supervisor brings it back on the same port (new pid in the pid file).
    const end = Date.now() + 60_000;
    for (let i = 0; i < 300 && Date.now() < end; i++) {
      try {
        if (dbPid() !== pid) break;
      } catch {
        /* pid file being rewritten */
      }
      await sleep(200);
    }
    expect(dbPid()).not.toBe(pid);
    await waitForDb(30_000);
    await sleep(3000);
    await loadRun.stop();
    expect(rt.output()).toMatch(/DynamoDB Local exited unexpectedly \(signal SIGKILL\); restarting on port \d+/);
    expect(rt.output()).toMatch(/DynamoDB Local is back on port \d+/);
    expect(probes.map(describeUnclean).filter(Boolean)).toEqual([]);
    // Connection refused fails fast: the handler's own 503, with Retry-After.
    const unavailable = probes.filter((p) => p.status === 503 && p.res?.body?.error?.code === 'SERVICE_UNAVAILABLE');
    expect(unavailable.length).toBeGreaterThanOrEqual(1);
    expect(unavailable.every((p) => Number(p.res!.headers['retry-after']) > 0)).toBe(true);
    expect(
      samples
        .filter((s) => s.phase.startsWith('killed'))
        .map(describeUnclean)
        .filter(Boolean),
    ).toEqual([]);
    const after = await Promise.all([placeOrder('after'), placeOrder('after')]);
    expect(after.map((s) => s.status)).toEqual([202, 202]);
  });

  it('everything acknowledged is there, every order ends in a terminal state, nothing else went to order-dlq', async () => {
    const acked = [...acknowledged.keys()];
    // Orders were acknowledged in every phase, so the checks below cover them all.
    for (const phase of ['before', 'paused', 'killed', 'after']) expect([...acknowledged.values()]).toContain(phase);

    // A client retries, with the same orderId and body, each POST that failed during an
    // outage: it must get its 202 (a new order, or the one the failed call did write).
    const failedPosts = samples.filter((x) => x.what === 'POST /orders' && (x.status === 0 || x.status >= 500));
    expect(failedPosts.length).toBeGreaterThanOrEqual(1);
    const retryStart = Date.now();
    const retryEnd = retryStart + 60_000;
    const retried: string[] = [];
    const queue = [...failedPosts];
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let f = queue.shift(); f; f = queue.shift()) {
          let last: Res | undefined;
          for (let i = 0; i < 30 && Date.now() < retryEnd; i++) {
            last = await call('POST', '/orders', { user, base, body: f.body });
            // 409 IDEMPOTENCY_IN_PROGRESS: the failed call's record has not expired yet; a 5xx:
            // the (just restarted, starved) database is still slow. A client retries both.
            const again = (last.status === 409 && last.body?.error?.code === 'IDEMPOTENCY_IN_PROGRESS') || last.status >= 500;
            if (!again) break;
            await sleep(1000);
          }
          if (last?.status === 202) acknowledged.set(f.orderId!, `${f.phase}-retried`);
          retried.push(`${f.orderId} -> ${last?.status} ${last?.status === 202 ? '' : last?.text.slice(0, 160)}`);
        }
      }),
    );
    const retryMs = Date.now() - retryStart;
    expect(retried.filter((r) => !/ -> 202 $/.test(r))).toEqual([]);

    // Bounded drain: workflows finish (compensation included) without help.
    const end = Date.now() + 90_000;
    let orders = await listOrders();
    for (let i = 0; i < 200 && Date.now() < end && orders.some((o) => !TERMINAL.has(o.status)); i++) {
      await sleep(1000);
      orders = await listOrders();
    }
    const byId = new Map(orders.map((o) => [o.orderId, o.status]));
    expect(acked.filter((id) => !byId.has(id))).toEqual([]);
    for (const id of acked) expect((await call('GET', `/orders/${id}`, { user, base })).status).toBe(200);
    expect(orders.filter((o) => !TERMINAL.has(o.status)).map((o) => `${o.orderId} ${o.status}`)).toEqual([]);
    // Orders before the faults kept their state.
    for (const id of before) expect(byId.get(id)).toBe('CONFIRMED');
    const phases = [...new Set(samples.map((x) => x.phase))].map((ph) => {
      const xs = samples.filter((x) => x.phase === ph);
      return `${ph}: ${xs.length} calls, ${xs.filter((x) => x.status >= 500 || x.status === 0).length} failed, max ${Math.max(...xs.map((x) => x.ms))} ms`;
    });
    const statuses = orders.reduce<Record<string, number>>((acc, o) => ((acc[o.status] = (acc[o.status] ?? 0) + 1), acc), {});
    process.stdout.write(
      `faults summary: ${phases.join('; ')}; ${failedPosts.length} failed POST(s) retried to 202 in ${retryMs} ms; orders ${JSON.stringify(statuses)}\n`,
    );
    // No stream record was lost to the DLQ by the outages, and no shard was replayed from
    // TRIM_HORIZON (the poison, first on its shard, would have failed a second time).
    expect(await dlqDepth(rt.outputs)).toBe(1);
  });
});
