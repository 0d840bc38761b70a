/**
 * api: autocannon per route (latency percentiles p50..p99.9 kept for the chart), with the CPU
 * each request cost the runtime, DynamoDB Local and the function processes. GET
 * /orders/{orderId} runs in alternating rounds with its floor, a plain node:http server doing
 * the same GetItem with the same client settings in one node process (bench/floor/server.ts);
 * raw SDK GetItem/PutItem loops at the same concurrency are a second reference. GET /health
 * and GET /orders/{orderId} also alternate with the peer, serverless-offline serving the same
 * built handlers over the same DynamoDB Local (bench/lib/peer.ts).
 */
import {
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { LocalRuntimeHandle, TestUser } from '../../tests/support/runtime';
import { spawn } from 'node:child_process';
import { CONNECTIONS, DURATION, REPO_ROOT, apiCall, check, log, r1 } from '../lib/common';
import { cpuBetween, cpuSnapshot, cpuSupported, perUnit, type CpuSpent } from '../lib/cpu';
import { startFloor, type FloorServer } from '../lib/floor';
import { PeerRounds, type Contender, type PeerRoute } from '../lib/peer';

type Latency = Record<'p50' | 'p75' | 'p90' | 'p97_5' | 'p99' | 'p99_9' | 'average' | 'max', number>;
interface AutocannonResult {
  latency: Latency;
  requests: { average: number; total: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  duration: number;
}

/**
 * autocannon in its own process. In this one, its load generation would keep the event loop
 * busy, the runtime's output (piped to this process: a REPORT line per request) would not be
 * read, and the runtime blocks on a full stdout pipe (pipes are synchronous on Linux): the
 * benchmark would measure itself. Measured: GET /health 281 req/s in-process, ~3,000 apart.
 */
function autocannon(o: Record<string, unknown>): Promise<AutocannonResult> {
  const script = `require('autocannon')(JSON.parse(process.argv[1]), (e, r) => { if (e) { console.error(e.message); process.exit(1); } process.stdout.write(JSON.stringify(r)); })`;
  return new Promise((ok, fail) => {
    const child = spawn(process.execPath, ['-e', script, JSON.stringify(o)], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', fail);
    child.on('exit', (code) => {
      try {
        if (code !== 0) throw new Error(`autocannon exited ${code}: ${err.trim().slice(0, 500)}`);
        ok(JSON.parse(out) as AutocannonResult);
      } catch (e) {
        fail(e instanceof Error ? e : new Error(String(e)));
      }
    });
  });
}

export interface ApiRoute {
  route: string;
  p50Ms: number;
  p99Ms: number;
  rps: number;
  errors: number;
  /** ms at each percentile (autocannon's HDR histogram, 1 ms resolution). */
  latencyMs: { p50: number; p75: number; p90: number; p97_5: number; p99: number; p99_9: number; max: number };
  /** CPU per request (ms) by process: the runtime, DynamoDB Local, the function processes (by function). */
  cpuMsPerRequest?: CpuSpent;
  /** Each round's req/s and p99 where the route ran in rounds (the figures above are the median round's). */
  rounds?: { rps: number; p99Ms: number }[];
}

async function run(o: Record<string, unknown>) {
  const r = await autocannon({ connections: CONNECTIONS, duration: DURATION, timeout: 10, ...o });
  const l = r.latency;
  return {
    p50Ms: l.p50,
    p99Ms: l.p99,
    rps: r1(r.requests.average),
    errors: r.errors + r.timeouts + r.non2xx,
    total: r.requests.total,
    latencyMs: { p50: l.p50, p75: l.p75, p90: l.p90, p97_5: l.p97_5, p99: l.p99, p99_9: l.p99_9, max: l.max },
  };
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

/** Rounds of each route and its references, alternating (BENCH_FLOOR_ROUNDS, default 3): medians of each. */
const FLOOR_ROUNDS = Math.max(1, Math.min(10, Number(process.env.BENCH_FLOOR_ROUNDS ?? 3) || 3));

type Measured = Omit<ApiRoute, 'route'>;

/** The round whose req/s is the median (its percentiles and CPU come along). */
function medianRound(rounds: Measured[]): Measured & { rounds: { rps: number; p99Ms: number }[] } {
  const sorted = [...rounds].sort((a, b) => a.rps - b.rps);
  return { ...sorted[Math.floor(sorted.length / 2)]!, rounds: rounds.map((r) => ({ rps: r.rps, p99Ms: r.p99Ms })) };
}

/**
 * FLOOR_ROUNDS rounds of every contender, each round starting one further along: DynamoDB
 * Local's JIT keeps warming through the first rounds, so a fixed order would favour whoever
 * runs last in each round.
 */
async function inRounds(contenders: Contender[]): Promise<void> {
  for (let i = 0; i < FLOOR_ROUNDS; i++)
    for (let k = 0; k < contenders.length; k++) await contenders[(k + i) % contenders.length]!.round(i);
}

/** The routes the peer serves, as the template declares them. */
const PEER_ROUTES: PeerRoute[] = [
  { route: 'GET /health', functionId: 'HealthFunction', method: 'get', path: 'health', authorized: false },
  { route: 'GET /orders/{orderId}', functionId: 'OrdersFunction', method: 'get', path: 'orders/{orderId}', authorized: true },
];

export async function benchApi(rt: LocalRuntimeHandle, user: TestUser) {
  const api = rt.outputs.APIEndpoint!.replace(/\/$/, '');
  const headers = { ...user.headers, 'content-type': 'application/json' };
  const created = await apiCall(api, 'POST', '/orders', user, { items: [{ sku: 'SKU-0001', qty: 1 }] });
  if (created.status !== 202) throw new Error(`POST /orders for the bench order: ${created.status} ${JSON.stringify(created.body)}`);
  const orderId = String(created.body.orderId);
  for (let i = 0; i < 20; i++) await apiCall(api, 'GET', `/orders/${orderId}`, user); // warm every function
  await apiCall(api, 'GET', '/orders', user);
  await fetch(`${api}/health`);

  const ddb = new DynamoDBClient({
    endpoint: rt.outputs.DynamoDBEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const tables = (await ddb.send(new ListTablesCommand({}))).TableNames ?? [];
  const ordersTable = tables.find((n) => n.endsWith('OrdersTable'));
  if (!ordersTable) throw new Error(`no OrdersTable among ${tables.join(', ')}`);

  const group = rt.processGroup();
  /** One autocannon run, with the CPU the runtime's processes (and `pids`) spent per request. */
  const measure = async (label: string, o: Record<string, unknown>, pids: number[] = []): Promise<Measured> => {
    log(`autocannon ${label} (${CONNECTIONS} connections, ${DURATION} s)`);
    const before = group && cpuSupported() ? cpuSnapshot(group, pids) : undefined;
    const r = await run(o);
    const cpu = before && group ? perUnit(cpuBetween(before, cpuSnapshot(group, pids)), r.total) : undefined;
    log(`  p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms, p99.9 ${r.latencyMs.p99_9} ms, ${r.rps} req/s, ${r.errors} errors`);
    if (cpu) log(`  CPU per request: ${cpu.totalMs} ms ${JSON.stringify({ ...cpu.byKind, functions: cpu.byFunction })}`);
    return {
      p50Ms: r.p50Ms,
      p99Ms: r.p99Ms,
      rps: r.rps,
      errors: r.errors,
      latencyMs: r.latencyMs,
      ...(cpu ? { cpuMsPerRequest: cpu } : {}),
    };
  };
  const routes: ApiRoute[] = [];
  const add = async (route: string, o: Record<string, unknown>) => routes.push({ route, ...(await measure(route, o)) });

  // The peer (serverless-offline on the same built handlers), in each mode, warm.
  const answer = async (path: string) => (await apiCall(api, 'GET', path, user)).body;
  const peers = await PeerRounds.start<Measured>(rt, PEER_ROUTES, {
    '/health': { headers: {}, answer: () => answer('/health') },
    [`/orders/${orderId}`]: { headers, answer: () => answer(`/orders/${orderId}`) },
  });
  const onPeers = (route: string, path: string, o: Record<string, unknown> = {}) =>
    peers.contenders(route, (url, label, pid) => measure(label, { url: `${url}${path}`, ...o }, [pid]));
  /** A contender whose rounds go into `into`. */
  const own = (label: string, into: Measured[], o: Record<string, unknown>, pids?: number[]): Contender => ({
    round: async (i) => void into.push(await measure(`${label} (round ${i + 1})`, o, pids)),
  });
  // Each route and its references in rounds: the floor (a plain node:http server doing the
  // same GetItem) for GET /orders/{orderId}, the peer for both.
  let floorServer: FloorServer | undefined;
  const healthRounds: Measured[] = [];
  const byIdRounds: Measured[] = [];
  const floorRounds: Measured[] = [];
  try {
    floorServer = await startFloor({ dynamoDbEndpoint: rt.outputs.DynamoDBEndpoint!, ordersTable });
    await inRounds([own('GET /health', healthRounds, { url: `${api}/health` }), ...onPeers('GET /health', '/health')]);
    await inRounds([
      own('GET /orders/{orderId}', byIdRounds, { url: `${api}/orders/${orderId}`, headers }),
      own('floor: node:http + GetItem', floorRounds, { url: `${floorServer.url}/orders/${orderId}`, headers: { 'x-user-id': user.sub } }, [
        floorServer.pid,
      ]),
      ...onPeers('GET /orders/{orderId}', `/orders/${orderId}`, { headers }),
    ]);
  } finally {
    await floorServer?.stop();
    await peers.stop();
  }
  routes.push({ route: 'GET /health', ...medianRound(healthRounds) });
  const byIdMedian = medianRound(byIdRounds);
  routes.push({ route: 'GET /orders/{orderId}', ...byIdMedian });
  const floor = medianRound(floorRounds);
  const peer = peers.result(medianRound);
  await add('GET /orders', { url: `${api}/orders`, headers });

  // Raw SDK at the same concurrency, same DynamoDB Local, just after the GET runs.
  const benchTable = `bench-baseline-${Date.now()}`;
  await ddb.send(
    new CreateTableCommand({
      TableName: benchTable,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
    }),
  );
  log(`raw GetItem on ${ordersTable} (${CONNECTIONS} concurrent, ${DURATION} s)`);
  const get = await loop(
    () => ddb.send(new GetItemCommand({ TableName: ordersTable, Key: { userId: { S: user.sub }, orderId: { S: orderId } } })),
    DURATION,
    CONNECTIONS,
  );
  let seq = 0;
  log(`raw PutItem on ${benchTable}`);
  const put = await loop(
    () => ddb.send(new PutItemCommand({ TableName: benchTable, Item: { pk: { S: `k${seq++}` }, v: { S: 'x'.repeat(200) } } })),
    DURATION,
    CONNECTIONS,
  );
  await ddb.send(new DeleteTableCommand({ TableName: benchTable })).catch(() => undefined);
  ddb.destroy();
  const ddbBaseline = { getItemRps: get.rps, putItemRps: put.rps, getErrors: get.errors, putErrors: put.errors };
  log(`  GetItem ${get.rps}/s, PutItem ${put.rps}/s`);

  await add('POST /orders', {
    url: `${api}/orders`,
    method: 'POST',
    headers,
    body: JSON.stringify({ items: [{ sku: 'SKU-0001', qty: 1 }] }),
  });

  check('GET /orders/{orderId} p99 ms', byIdMedian.p99Ms, '<= 20 ms', byIdMedian.p99Ms <= 20);
  const ratio = (byIdMedian.rps / floor.rps) * 100;
  check('GET /orders/{orderId} req/s as % of the floor (node:http + GetItem)', ratio, '>= 70 %', ratio >= 70);
  check('floor errors', floor.errors, '0', floor.errors === 0);
  for (const a of routes) check(`${a.route} errors`, a.errors, '0', a.errors === 0);
  for (const run of peer.runs ?? [])
    for (const a of run.routes) check(`peer (${run.mode}) ${a.route} errors`, a.errors, '0', a.errors === 0);
  return { api: routes, ddbBaseline, floor, peer };
}
