/**
 * cleanup: 100,000 orders (BENCH_CLEANUP_ORDERS), a few hundred of them stale (PLACED past
 * expiresAt), seeded straight into OrdersTable with BatchWriteItem; then CleanupFunction is
 * invoked through the runtime's Lambda invoke endpoint and the read capacity it consumed is
 * counted by the proxy. Baseline in the same run: the RCU of one full Scan of the table
 * (what a naive cleanup would read). The sparse GSI PlacedByExpiry should make the first
 * track the stale orders, not the table.
 *
 * The runtime runs a scratch copy of the template without the OrdersTable stream mapping:
 * otherwise the 100,000 seeded INSERTs would each become an OrderCreated event and start
 * the pipeline. The cleanup function, table, GSI and code are the template's own.
 */
import {
  BatchWriteItemCommand,
  DynamoDBClient,
  ListTablesCommand,
  QueryCommand,
  ScanCommand,
  type AttributeValue,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { summarize } from '../lib/ddb-proxy';
import { startProxiedRuntime } from '../lib/proxied-runtime';
import { check, cleanups, log, r1, r2, scratchTemplate } from '../lib/common';

const S = (s: string): AttributeValue => ({ S: s });
const N = (n: number): AttributeValue => ({ N: String(n) });

export function orderItem(i: number, kind: 'confirmed' | 'stale' | 'placed', now: number): Record<string, AttributeValue> {
  const created = kind === 'stale' ? now - 7200 - (i % 3600) : kind === 'placed' ? now - 60 : now - 86_400 - (i % 86_400);
  const createdIso = new Date(created * 1000).toISOString();
  const status = kind === 'confirmed' ? 'CONFIRMED' : 'PLACED';
  const history = [{ M: { status: S('PLACED'), at: S(createdIso) } }];
  if (kind === 'confirmed') history.push({ M: { status: S('CONFIRMED'), at: S(new Date((created + 2) * 1000).toISOString()) } });
  return {
    userId: S(`bench-user-${String(i % 1000).padStart(4, '0')}`),
    orderId: S(`bench-${kind}-${String(i).padStart(6, '0')}`),
    status: S(status),
    items: { L: [{ M: { sku: S('SKU-0001'), qty: N(1 + (i % 3)), price: N(1299) } }] },
    total: N(1299 * (1 + (i % 3))),
    currency: S('USD'),
    createdAt: S(createdIso),
    updatedAt: S(createdIso),
    // expiresAt = created + StaleOrderSeconds (3600 by default): past for the stale ones.
    expiresAt: N(created + 3600),
    version: N(kind === 'confirmed' ? 6 : 1),
    history: { L: history },
    ...(kind === 'confirmed'
      ? {
          payment: { M: { chargeId: S(`ch_${i}`), status: S('CHARGED') } },
          reservation: { M: { reserved: { BOOL: true } } },
          ttlEpoch: N(now + 90 * 86_400),
        }
      : { placedStatus: S('PLACED') }),
  };
}

export async function seed(
  ddb: DynamoDBClient,
  table: string,
  items: Record<string, AttributeValue>[],
  concurrency: number,
): Promise<void> {
  let next = 0;
  let reported = 0;
  const t0 = Date.now();
  const worker = async () => {
    for (;;) {
      const start = next;
      next += 25;
      if (start >= items.length) return;
      let requests: WriteRequest[] = items.slice(start, start + 25).map((Item) => ({ PutRequest: { Item } }));
      for (let attempt = 0; requests.length && attempt < 20; attempt++) {
        if (attempt) await new Promise((r) => setTimeout(r, 50 * attempt));
        const out = await ddb.send(new BatchWriteItemCommand({ RequestItems: { [table]: requests } }));
        requests = out.UnprocessedItems?.[table] ?? [];
      }
      if (requests.length) throw new Error(`BatchWriteItem left ${requests.length} unprocessed items after 20 attempts`);
      if (next - reported >= 10_000) {
        reported = next;
        const rate = next / ((Date.now() - t0) / 1000);
        log(`  seeded ${next} of ${items.length} (${Math.round(rate)} items/s, about ${Math.round((items.length - next) / rate)} s to go)`);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

async function countStale(ddb: DynamoDBClient, table: string, now: number, op: '<=' | '>'): Promise<number> {
  let n = 0;
  let start: Record<string, AttributeValue> | undefined;
  for (let page = 0; page < 10_000; page++) {
    const out = await ddb.send(
      new QueryCommand({
        TableName: table,
        IndexName: 'PlacedByExpiry',
        KeyConditionExpression: `placedStatus = :p AND expiresAt ${op} :now`,
        ExpressionAttributeValues: { ':p': S('PLACED'), ':now': N(now) },
        Select: 'COUNT',
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    n += out.Count ?? 0;
    start = out.LastEvaluatedKey;
    if (!start) break;
  }
  return n;
}

export async function benchCleanup() {
  const orders = Math.max(100, Math.min(1_000_000, Number(process.env.BENCH_CLEANUP_ORDERS ?? 100_000) || 100_000));
  const stale = Math.min(Math.max(1, Number(process.env.BENCH_CLEANUP_STALE ?? 300) || 300), Math.floor(orders / 10));
  const fresh = Math.min(200, Math.floor(orders / 20));
  const concurrency = 4;
  const tpl = scratchTemplate((r) => {
    const props = r.OrderStreamProcessorFunction?.Properties as { Events?: Record<string, unknown> } | undefined;
    if (props?.Events) delete props.Events.Stream;
  });
  // In-memory DynamoDB Local: the same capacity accounting, about 3x faster to seed than on
  // disk. No TTL sweeper: it scans the TTL tables every 5 s, which on a 100,000-item table
  // keeps DynamoDB Local busy (seeding fell from ~1,800 to ~400 items/s at 40,000 items).
  cleanups.add(tpl.dispose);
  const started = await startProxiedRuntime({ template: tpl.path, extraArgs: ['--in-memory-db', '--no-ttl-sweep'] }).catch((e: Error) => {
    tpl.dispose();
    cleanups.delete(tpl.dispose);
    throw e;
  });
  const { rt, proxy, stop } = started;
  const ddb = new DynamoDBClient({
    endpoint: rt.outputs.DynamoDBEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 5,
  });
  const lambdaUrl = `${rt.outputs.LambdaEndpoint}/2015-03-31/functions/CleanupFunction/invocations`;
  const invoke = async () => {
    const res = await fetch(lambdaUrl, {
      method: 'POST',
      body: JSON.stringify({ source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} }),
      signal: AbortSignal.timeout(310_000),
    });
    const payload = (await res.json()) as Record<string, unknown>;
    if (res.status !== 200 || res.headers.get('x-amz-function-error'))
      throw new Error(`CleanupFunction failed: ${res.status} ${JSON.stringify(payload)}`);
    return payload as { examined?: number; expired?: number; skipped?: number };
  };
  try {
    const table = ((await ddb.send(new ListTablesCommand({}))).TableNames ?? []).find((n) => n.endsWith('OrdersTable'));
    if (!table) throw new Error('no OrdersTable');
    // Warm the function on the empty table (its cold start is not the figure) and note what
    // an idle cleanup reads.
    let t = proxy.now();
    await invoke();
    const idle = summarize(proxy.between(t));

    const now = Math.floor(Date.now() / 1000);
    const items: Record<string, AttributeValue>[] = [];
    // Stale and fresh PLACED orders spread evenly among the confirmed ones.
    const every = Math.floor(orders / (stale + fresh));
    let s = 0;
    let f = 0;
    for (let i = 0; i < orders; i++) {
      const kind = i % every === 0 && s < stale ? 'stale' : i % every === 1 && f < fresh ? 'placed' : 'confirmed';
      if (kind === 'stale') s++;
      if (kind === 'placed') f++;
      items.push(orderItem(i, kind, now));
    }
    log(`cleanup: seeding ${orders} orders (${s} stale, ${f} PLACED not yet stale) into ${table}, BatchWriteItem x${concurrency}`);
    const seedStart = Date.now();
    await seed(ddb, table, items, concurrency);
    const seedMs = Date.now() - seedStart;
    log(`  seeded in ${seedMs} ms (${Math.round(orders / (seedMs / 1000))} items/s)`);
    const staleBefore = await countStale(ddb, table, Math.floor(Date.now() / 1000), '<=');

    // Baseline: one full Scan (eventually consistent, as a naive cleanup would read).
    let scanRcu = 0;
    let scanned = 0;
    let matched = 0;
    const scanStart = Date.now();
    let start: Record<string, AttributeValue> | undefined;
    const scanNow = Math.floor(Date.now() / 1000);
    for (let page = 0; page < 100_000; page++) {
      const out = await ddb.send(
        new ScanCommand({
          TableName: table,
          ReturnConsumedCapacity: 'TOTAL',
          FilterExpression: '#s = :p AND expiresAt <= :now',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':p': S('PLACED'), ':now': N(scanNow) },
          ProjectionExpression: 'userId, orderId',
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      scanRcu += out.ConsumedCapacity?.CapacityUnits ?? 0;
      scanned += out.ScannedCount ?? 0;
      matched += out.Count ?? 0;
      start = out.LastEvaluatedKey;
      if (!start) break;
    }
    const scanMs = Date.now() - scanStart;
    log(`  baseline Scan: ${r1(scanRcu)} RCU over ${scanned} items (${matched} stale found) in ${scanMs} ms`);

    t = proxy.now();
    const t0 = Date.now();
    const result = await invoke();
    const ms = Date.now() - t0;
    const used = summarize(proxy.between(t));
    const staleAfter = await countStale(ddb, table, Math.floor(Date.now() / 1000), '<=');
    const placedLeft = await countStale(ddb, table, Math.floor(Date.now() / 1000), '>');
    const res = {
      orders,
      stale: s,
      placedNotStale: f,
      consumedRcu: used.rcu,
      consumedWcu: used.wcu,
      ms,
      calls: used.calls,
      operations: used.operations,
      result,
      staleBefore,
      staleAfter,
      placedNotStaleAfter: placedLeft,
      seedMs,
      idleRun: { rcu: idle.rcu, calls: idle.calls },
      baseline: { fullScanRcu: r2(scanRcu), scanned, ms: scanMs, staleFound: matched },
      rcuShareOfScanPct: scanRcu ? r2((used.rcu / scanRcu) * 100) : null,
      staleSharePct: r2((s / orders) * 100),
    };
    log(`  cleanup: ${JSON.stringify(res)}`);
    const bound = Math.max(5 * (s / orders) * scanRcu, 10);
    check(
      'cleanup consumed RCU (tracks stale, not table)',
      used.rcu,
      `<= ${r1(bound)} (5 x stale share of a full Scan's ${r1(scanRcu)} RCU, min 10)`,
      used.rcu <= bound && used.rcu > 0,
    );
    check(
      'cleanup expired every stale order',
      result.expired ?? 0,
      `= ${s}, none left`,
      result.expired === s && staleAfter === 0 && staleBefore === s,
    );
    check('cleanup left PLACED orders not yet stale', placedLeft, `= ${f}`, placedLeft === f);
    return res;
  } finally {
    ddb.destroy();
    await stop();
    tpl.dispose();
    cleanups.delete(tpl.dispose);
  }
}
