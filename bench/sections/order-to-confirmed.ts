/**
 * orderToConfirmed: orders placed through the API at a steady rate (hold 0), time from the
 * POST to CONFIRMED (the `at` of that history entry), and how many reach no terminal state
 * after the drain.
 *
 * Two phases on the same runtime: a warm-up (the first orders meet cold function processes,
 * about 30 of them starting at once on this machine's cores) reported on its own as
 * `warmup`, then the measured run. The rate is what this machine sustains (BENCH_ORDER_RATE,
 * default 5/s on 2 cores): past it, queues grow and every figure measures the backlog.
 * The drain reads the orders' status from the table once a second (one Query); the times
 * come from each order's history, so polling only bounds how soon the run notices the end.
 * `stagesMs` says where the time went, step by step.
 */
import { DynamoDBClient, ListTablesCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { LocalRuntimeHandle, TestUser } from '../../tests/support/runtime';
import { apiCall, check, log, pct, r1, sleep } from '../lib/common';
import { cpuBetween, cpuSnapshot, cpuSupported, perUnit } from '../lib/cpu';

const TERMINAL = new Set(['CONFIRMED', 'ACKNOWLEDGED', 'FAILED', 'CANCELED', 'EXPIRED']);
const SKU = 'SKU-0002';
/** The workflow's steps in order: each pair is a stage whose time the run reports. */
const STEPS = ['PLACED', 'VALIDATED', 'RESERVED', 'CHARGED', 'CONFIRMED'] as const;

interface HistoryEntry {
  status: string;
  at: string;
}
interface OrdersTable {
  doc: DynamoDBDocumentClient;
  name: string;
}

/** Every order of the user: status and history, read consistently from the table. */
async function ordersOf(t: OrdersTable, userId: string): Promise<{ orderId: string; status: string; history: HistoryEntry[] }[]> {
  const out: { orderId: string; status: string; history: HistoryEntry[] }[] = [];
  let start: Record<string, any> | undefined;
  for (let page = 0; page < 1000; page++) {
    const r = await t.doc.send(
      new QueryCommand({
        TableName: t.name,
        KeyConditionExpression: 'userId = :u',
        ExpressionAttributeValues: { ':u': userId },
        ExpressionAttributeNames: { '#s': 'status' },
        ProjectionExpression: 'orderId, #s, history',
        ConsistentRead: true,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    for (const o of r.Items ?? [])
      out.push({ orderId: String(o.orderId), status: String(o.status), history: (o.history ?? []) as HistoryEntry[] });
    start = r.LastEvaluatedKey;
    if (!start) break;
  }
  return out;
}

/** p50/p99 ms of each workflow stage (from one status's history entry to the next) over the confirmed orders. */
function stagesOf(histories: HistoryEntry[][]): Record<string, { p50Ms: number; p99Ms: number }> {
  const stages: Record<string, { p50Ms: number; p99Ms: number }> = {};
  for (let i = 1; i < STEPS.length; i++) {
    const ms = histories.flatMap((h) => {
      const a = h.find((x) => x.status === STEPS[i - 1]);
      const b = h.find((x) => x.status === STEPS[i]);
      return a && b ? [Date.parse(b.at) - Date.parse(a.at)] : [];
    });
    stages[`${STEPS[i - 1]}→${STEPS[i]}`] = { p50Ms: r1(pct(ms, 50)), p99Ms: r1(pct(ms, 99)) };
  }
  return stages;
}

interface Phase {
  requested: number;
  orders: number;
  refused: number;
  ratePerSec: number;
  elapsedSec: number;
  confirmed: number;
  failed: number;
  lost: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  postP50Ms: number;
  postP99Ms: number;
  /** Where the time went: each workflow stage's p50/p99 over the confirmed orders. */
  stagesMs: Record<string, { p50Ms: number; p99Ms: number }>;
  timesMs: number[];
}

async function runPhase(
  api: string,
  table: OrdersTable,
  user: TestUser,
  count: number,
  ratePerSec: number,
  drainMs: number,
): Promise<Phase> {
  const placed = new Map<string, number>();
  const postMs: number[] = [];
  let refused = 0;
  const start = Date.now();
  const inflight: Promise<void>[] = [];
  // Bounded: at most 50 requests in flight; placing stops at twice its planned time.
  const placeEnd = start + (2 * count * 1000) / ratePerSec + 10_000;
  let active = 0;
  for (let i = 0; i < count && Date.now() < placeEnd; i++) {
    const wait = start + (i * 1000) / ratePerSec - Date.now();
    if (wait > 0) await sleep(wait);
    for (let j = 0; j < 20_000 && active >= 50 && Date.now() < placeEnd; j++) await sleep(5);
    active++;
    inflight.push(
      (async () => {
        const at = Date.now();
        const r = await apiCall(api, 'POST', '/orders', user, { items: [{ sku: SKU, qty: 1 }] }).catch(() => ({
          status: 0,
          body: {} as Record<string, any>,
        }));
        postMs.push(Date.now() - at);
        if (r.status === 202) placed.set(String(r.body.orderId), at);
        else refused++;
        active--;
      })(),
    );
  }
  await Promise.all(inflight);

  // The drain reads the bench user's orders from the table, one consistent Query per second,
  // not a GET per pending order: with hundreds pending, that polling was itself hundreds of
  // API requests per second and slowed the pipeline it measured. Times come from each
  // order's history either way; polling only bounds how soon the run notices the end.
  const done = new Map<string, { status: string; ms: number; history: HistoryEntry[] }>();
  const pending = new Set(placed.keys());
  const drainEnd = Date.now() + drainMs;
  for (let round = 0; round < 100_000 && pending.size && Date.now() < drainEnd; round++) {
    const roundStart = Date.now();
    for (const item of await ordersOf(table, user.sub).catch(() => [])) {
      const id = item.orderId;
      if (!pending.has(id) || !TERMINAL.has(item.status)) continue;
      const h = item.history.find((x) => x.status === item.status);
      done.set(id, { status: item.status, ms: (h ? Date.parse(h.at) : Date.now()) - placed.get(id)!, history: item.history });
      pending.delete(id);
    }
    await sleep(Math.max(0, 1000 - (Date.now() - roundStart)));
  }
  const confirmed = [...done.values()]
    .filter((d) => d.status === 'CONFIRMED')
    .map((d) => d.ms)
    .sort((a, b) => a - b);
  return {
    requested: count,
    orders: placed.size,
    refused,
    ratePerSec,
    elapsedSec: r1((Date.now() - start) / 1000),
    confirmed: confirmed.length,
    failed: [...done.values()].filter((d) => d.status === 'FAILED').length,
    lost: pending.size,
    p50Ms: r1(pct(confirmed, 50)),
    p90Ms: r1(pct(confirmed, 90)),
    p99Ms: r1(pct(confirmed, 99)),
    maxMs: r1(confirmed.at(-1) ?? NaN),
    postP50Ms: r1(pct(postMs, 50)),
    postP99Ms: r1(pct(postMs, 99)),
    stagesMs: stagesOf([...done.values()].filter((d) => d.status === 'CONFIRMED').map((d) => d.history)),
    timesMs: confirmed,
  };
}

export async function benchOrderToConfirmed(rt: LocalRuntimeHandle, user: TestUser) {
  const api = rt.outputs.APIEndpoint!.replace(/\/$/, '');
  const orders = Math.max(10, Math.min(5000, Number(process.env.BENCH_ORDERS ?? 1000) || 1000));
  const rate = Math.max(1, Math.min(100, Number(process.env.BENCH_ORDER_RATE ?? 5) || 5));
  const warmupOrders = Math.max(0, Math.min(500, Number(process.env.BENCH_WARMUP_ORDERS ?? 50)));
  // The catalogue's stock is small: give the SKU enough for the run, so every order can confirm.
  const ddb = new DynamoDBClient({
    endpoint: rt.outputs.DynamoDBEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const tables = (await ddb.send(new ListTablesCommand({}))).TableNames ?? [];
  const productsTable = tables.find((n) => n.endsWith('ProductsTable'));
  const ordersTable = tables.find((n) => n.endsWith('OrdersTable'));
  if (!ordersTable) throw new Error(`no OrdersTable among ${tables.join(', ')}`);
  const table: OrdersTable = { doc: DynamoDBDocumentClient.from(ddb), name: ordersTable };
  if (productsTable)
    await ddb.send(
      new UpdateItemCommand({
        TableName: productsTable,
        Key: { sku: { S: SKU } },
        UpdateExpression: 'SET stock = :n',
        ExpressionAttributeValues: { ':n': { N: '1000000' } },
      }),
    );

  log(`orderToConfirmed: warm-up ${warmupOrders} orders at ${rate}/s`);
  const warm = warmupOrders ? await runPhase(api, table, user, warmupOrders, rate, 180_000) : undefined;
  if (warm) log(`  warm-up: p50 ${warm.p50Ms} ms, p99 ${warm.p99Ms} ms, lost ${warm.lost}`);
  log(`orderToConfirmed: ${orders} orders at ${rate}/s (hold 0)`);
  const group = rt.processGroup();
  const before = group && cpuSupported() ? cpuSnapshot(group) : undefined;
  const res = await runPhase(api, table, user, orders, rate, 120_000);
  ddb.destroy();
  // Everything the runtime's processes spent while placing and draining the run, per order
  // (including the bench's own polling: one Query of the user's orders per second while draining).
  const cpuMsPerOrder = before && group ? perUnit(cpuBetween(before, cpuSnapshot(group)), res.orders) : undefined;
  if (cpuMsPerOrder)
    log(`  CPU per order: ${cpuMsPerOrder.totalMs} ms ${JSON.stringify({ ...cpuMsPerOrder.byKind, functions: cpuMsPerOrder.byFunction })}`);
  check('orderToConfirmed lost', res.lost, '0', res.lost === 0 && res.orders === orders);
  check('orderToConfirmed p99 ms', res.p99Ms, '< 1000 ms (hold 0)', res.p99Ms < 1000);
  log(`  ${JSON.stringify({ ...res, timesMs: `${res.timesMs.length} values` })}`);
  const { timesMs: _w, ...warmup } = warm ?? ({} as Phase);
  return { ...res, ...(cpuMsPerOrder ? { cpuMsPerOrder } : {}), ...(warm ? { warmup } : {}) };
}
