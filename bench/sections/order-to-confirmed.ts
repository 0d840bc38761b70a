/**
 * orderToConfirmed: orders placed through the API at a steady rate (hold 0), time from the
 * POST to CONFIRMED (the `at` of that history entry), and how many reach no terminal state
 * after the drain.
 *
 * Two phases on the same runtime: a warm-up (the first orders meet cold function processes,
 * about 30 of them starting at once on this machine's cores) reported on its own as
 * `warmup`, then the measured run. The rate is what this machine sustains (BENCH_ORDER_RATE,
 * default 5/s on 2 cores): past it, queues grow and every figure measures the backlog.
 * Orders are polled about once a second each; the times come from the order's history, so
 * polling only bounds how soon the run notices the end.
 */
import { DynamoDBClient, ListTablesCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { LocalRuntimeHandle, TestUser } from '../../tests/support/runtime';
import { apiCall, check, log, pct, r1, sleep } from '../lib/common';
import { cpuBetween, cpuSnapshot, cpuSupported, perUnit } from '../lib/cpu';

const TERMINAL = new Set(['CONFIRMED', 'ACKNOWLEDGED', 'FAILED', 'CANCELED', 'EXPIRED']);
const SKU = 'SKU-0002';

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
  timesMs: number[];
}

async function runPhase(api: string, user: TestUser, count: number, ratePerSec: number, drainMs: number): Promise<Phase> {
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

  const done = new Map<string, { status: string; ms: number }>();
  const pending = new Set(placed.keys());
  const drainEnd = Date.now() + drainMs;
  for (let round = 0; round < 100_000 && pending.size && Date.now() < drainEnd; round++) {
    const roundStart = Date.now();
    const ids = [...pending];
    for (let i = 0; i < ids.length; i += 10) {
      await Promise.all(
        ids.slice(i, i + 10).map(async (id) => {
          const r = await apiCall(api, 'GET', `/orders/${id}`, user).catch(() => undefined);
          const st = String(r?.body.status ?? '');
          if (!r || !TERMINAL.has(st)) return;
          const h = ((r.body.history ?? []) as { status: string; at: string }[]).find((x) => x.status === st);
          done.set(id, { status: st, ms: (h ? Date.parse(h.at) : Date.now()) - placed.get(id)! });
          pending.delete(id);
        }),
      );
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
  const productsTable = ((await ddb.send(new ListTablesCommand({}))).TableNames ?? []).find((n) => n.endsWith('ProductsTable'));
  if (productsTable)
    await ddb.send(
      new UpdateItemCommand({
        TableName: productsTable,
        Key: { sku: { S: SKU } },
        UpdateExpression: 'SET stock = :n',
        ExpressionAttributeValues: { ':n': { N: '1000000' } },
      }),
    );
  ddb.destroy();

  log(`orderToConfirmed: warm-up ${warmupOrders} orders at ${rate}/s`);
  const warm = warmupOrders ? await runPhase(api, user, warmupOrders, rate, 180_000) : undefined;
  if (warm) log(`  warm-up: p50 ${warm.p50Ms} ms, p99 ${warm.p99Ms} ms, lost ${warm.lost}`);
  log(`orderToConfirmed: ${orders} orders at ${rate}/s (hold 0)`);
  const group = rt.processGroup();
  const before = group && cpuSupported() ? cpuSnapshot(group) : undefined;
  const res = await runPhase(api, user, orders, rate, 120_000);
  // Everything the runtime's processes spent while placing and draining the run, per order
  // (including the bench's own polling: about one GET /orders/{orderId} per order per second).
  const cpuMsPerOrder = before && group ? perUnit(cpuBetween(before, cpuSnapshot(group)), res.orders) : undefined;
  if (cpuMsPerOrder)
    log(`  CPU per order: ${cpuMsPerOrder.totalMs} ms ${JSON.stringify({ ...cpuMsPerOrder.byKind, functions: cpuMsPerOrder.byFunction })}`);
  check('orderToConfirmed lost', res.lost, '0', res.lost === 0 && res.orders === orders);
  check('orderToConfirmed p99 ms', res.p99Ms, '< 1000 ms (hold 0)', res.p99Ms < 1000);
  log(`  ${JSON.stringify({ ...res, timesMs: `${res.timesMs.length} values` })}`);
  const { timesMs: _w, ...warmup } = warm ?? ({} as Phase);
  return { ...res, ...(cpuMsPerOrder ? { cpuMsPerOrder } : {}), ...(warm ? { warmup } : {}) };
}
