/**
 * orderToConfirmed: orders placed at a steady rate through the API, each polled until
 * terminal; per-order times to CONFIRMED are kept (timesMs) for the histogram/CDF chart.
 * (The pipeline's owners change local/src; the logic here stays as it was.)
 */
import { DynamoDBClient, ListTablesCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { LocalRuntimeHandle, TestUser } from '../../tests/support/runtime';
import { apiCall, check, log, pct, r1 } from '../lib/common';

export async function benchOrderToConfirmed(rt: LocalRuntimeHandle, user: TestUser) {
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
  const res = { orders: placed.length, requested: orders, refused, elapsedSec: r1((Date.now() - start) / 1000), confirmed: confirmed.length, p50Ms: r1(pct(confirmed, 50)), p99Ms: r1(pct(confirmed, 99)), lost: pending.size, failed: [...done.values()].filter((d) => d.status === 'FAILED').length, timesMs: [...confirmed].sort((a, b) => a - b) };
  check('orderToConfirmed lost', res.lost, '0', res.lost === 0 && res.orders === orders);
  check('orderToConfirmed p99 ms', res.p99Ms, '< 1000 ms (hold 0)', res.p99Ms < 1000);
  log(`  ${JSON.stringify({ ...res, timesMs: `${res.timesMs.length} values` })}`);
  return res;
}

