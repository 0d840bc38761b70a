/**
 * The repositories and the idempotent order creation against real DynamoDB Local, with the
 * tables created from template.yaml.
 */
import { join } from 'node:path';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { createTables, startDynamoDbLocal, type DynamoDbLocal } from '../../../../local/src/dynamodb';
import { freePort } from '../../../../local/src/ports';
import { loadTemplate, tableDefinitionsFromTemplate } from '../../../../local/src/template';
import { AppError } from '../errors';
import { documentClientOver as documentClient } from '../clients';
import { idempotentPlaceOrder } from '../idempotency';
import { placeOrder, type OrderDeps } from '../orders/service';
import { DynamoOrdersRepository } from './orders';
import { DynamoProductsRepository } from './products';

const TEMPLATE = process.env.TEMPLATE_FILE ?? join(__dirname, '..', '..', '..', '..', 'template.yaml');

let ddb: DynamoDbLocal;
let tables: Record<string, string>;
let deps: OrderDeps & { orders: DynamoOrdersRepository; products: DynamoProductsRepository };

const catalogue = [
  { sku: 'SKU-0001', name: 'Pack', price: 6900, currency: 'USD', stock: 10 },
  { sku: 'SKU-0002', name: 'Bottle', price: 2999, currency: 'USD', stock: 3 },
  { sku: 'SKU-0003', name: 'Lamp', price: 3495, currency: 'USD', stock: 1 },
];

beforeAll(async () => {
  // The tables exactly as template.yaml declares them (keys, GSIs, LSI), in a private in-memory DynamoDB Local.
  const defs = tableDefinitionsFromTemplate(loadTemplate(TEMPLATE));
  ddb = await startDynamoDbLocal({ port: await freePort(), inMemory: true });
  await createTables(ddb.client, defs);
  tables = Object.fromEntries(defs.map((d) => [d.logicalId, d.input.TableName!]));
  const doc = documentClient(ddb.client);
  deps = {
    orders: new DynamoOrdersRepository(doc, tables.OrdersTable!),
    products: new DynamoProductsRepository(doc, tables.ProductsTable!),
    staleOrderSeconds: 3600,
  };
  await deps.products.putAll(catalogue);
}, 60_000);

afterAll(async () => {
  await ddb?.stop();
});

const err = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e as AppError,
  );

describe('order transitions', () => {
  it('are conditional on the expected status and version', async () => {
    const o = await placeOrder(deps, { userId: 'u-t', items: [{ sku: 'SKU-0001', qty: 1 }] });
    const key = { userId: o.userId, orderId: o.orderId };
    const v = await deps.orders.transition(key, 'PLACED', 'VALIDATED', { expectedVersion: 1 });
    expect(v).toMatchObject({ status: 'VALIDATED', version: 2 });
    expect(v.placedStatus).toBeUndefined();
    expect(v.history.map((h) => h.status)).toEqual(['PLACED', 'VALIDATED']);

    // Replaying the same transition finds the status moved on.
    expect(await err(deps.orders.transition(key, 'PLACED', 'VALIDATED'))).toMatchObject({
      status: 409,
      details: { currentStatus: 'VALIDATED' },
    });
    // Right status, stale version.
    expect(await err(deps.orders.transition(key, 'VALIDATED', 'RESERVED', { expectedVersion: 1 }))).toMatchObject({ status: 409 });
    // Outside the table: refused before any write.
    expect(await err(deps.orders.transition(key, 'VALIDATED', 'ACKNOWLEDGED'))).toMatchObject({ code: 'INVALID_TRANSITION' });
    expect(await err(deps.orders.transition({ userId: 'u-t', orderId: 'nope' }, 'PLACED', 'VALIDATED'))).toMatchObject({ status: 404 });

    const failed = await deps.orders.transition(key, 'VALIDATED', 'FAILED', {
      reason: 'card declined',
      set: { failureReason: 'card declined' },
    });
    expect(failed).toMatchObject({ status: 'FAILED', version: 3, failureReason: 'card declined' });
    expect(failed.ttlEpoch).toBeGreaterThan(Date.now() / 1000);
    const retried = await deps.orders.transition(key, 'FAILED', 'PLACED', { expectedVersion: 3, reason: 'retry' });
    expect(retried).toMatchObject({ status: 'PLACED', placedStatus: 'PLACED', version: 4 });
    expect(retried.ttlEpoch).toBeUndefined();
    expect(retried.history.at(-1)).toMatchObject({ status: 'PLACED', reason: 'retry' });
    const recorded = await deps.orders.recordExecution(key, 'arn:aws:states:us-east-1:1:execution:w:x');
    expect(recorded).toMatchObject({ status: 'PLACED', version: 5, executionArn: 'arn:aws:states:us-east-1:1:execution:w:x' });
  });

  it('let exactly one of two racing transitions win', async () => {
    const o = await placeOrder(deps, { userId: 'u-race', items: [{ sku: 'SKU-0001', qty: 1 }] });
    const key = { userId: o.userId, orderId: o.orderId };
    const results = await Promise.allSettled([
      deps.orders.transition(key, 'PLACED', 'CANCELED'),
      deps.orders.transition(key, 'PLACED', 'VALIDATED'),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const final = await deps.orders.get(key);
    expect(final?.version).toBe(2);
    expect(final?.history).toHaveLength(2);
  });
});

describe('optimistic item updates', () => {
  it('accept the current version once and refuse the stale one', async () => {
    const o = await placeOrder(deps, { userId: 'u-v', items: [{ sku: 'SKU-0001', qty: 1 }] });
    const key = { userId: o.userId, orderId: o.orderId };
    const input = { items: [{ sku: 'SKU-0002', qty: 2, price: 2999 }], total: 5998, currency: 'USD', expectedVersion: 1 };
    const results = await Promise.allSettled([deps.orders.updateItems(key, input), deps.orders.updateItems(key, input)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(rejected.reason).toMatchObject({ status: 409, code: 'VERSION_CONFLICT' });
    expect(await deps.orders.get(key)).toMatchObject({ version: 2, total: 5998 });
    await deps.orders.transition(key, 'PLACED', 'CANCELED');
    expect(await err(deps.orders.updateItems(key, { ...input, expectedVersion: 3 }))).toMatchObject({ code: 'INVALID_TRANSITION' });
  });
});

describe('listing', () => {
  it('pages a user orders newest first whatever their ids', async () => {
    const ids = ['zzz', 'aaa', 'mmm', 'bbb', 'yyy'];
    let t = Date.UTC(2026, 0, 1);
    for (const orderId of ids) {
      const at = new Date((t += 1000));
      await placeOrder({ ...deps, now: () => at }, { userId: 'u-list', orderId, items: [{ sku: 'SKU-0001', qty: 1 }] });
    }
    const seen: string[] = [];
    let nextToken: string | undefined;
    for (let page = 0; page < 10; page++) {
      const res = await deps.orders.listByUser('u-list', { limit: 2, ...(nextToken ? { nextToken } : {}) });
      seen.push(...res.items.map((o) => o.orderId));
      nextToken = res.nextToken;
      if (!nextToken) break;
    }
    expect(seen).toEqual([...ids].reverse());
  });
});

describe('stale orders', () => {
  it('come from the sparse index only while PLACED and past expiry, across pages', async () => {
    const past = new Date(Date.now() - 7200_000);
    const stale: string[] = [];
    for (let i = 0; i < 7; i++)
      stale.push((await placeOrder({ ...deps, now: () => past }, { userId: `u-s${i}`, items: [{ sku: 'SKU-0001', qty: 1 }] })).orderId);
    const fresh = await placeOrder(deps, { userId: 'u-s-fresh', items: [{ sku: 'SKU-0001', qty: 1 }] });
    const canceled = await placeOrder({ ...deps, now: () => past }, { userId: 'u-s-c', items: [{ sku: 'SKU-0001', qty: 1 }] });
    await deps.orders.transition({ userId: 'u-s-c', orderId: canceled.orderId }, 'PLACED', 'CANCELED');

    const found: string[] = [];
    let token: string | undefined;
    let pages = 0;
    for (; pages < 20; pages++) {
      const res = await deps.orders.queryStale(Math.floor(Date.now() / 1000), token, 3);
      found.push(...res.items.map((k) => k.orderId));
      token = res.nextToken;
      if (!token) break;
    }
    expect(pages).toBeGreaterThanOrEqual(2);
    // Other tests leave stale orders too (e.g. retried ones); ours must all be there.
    expect(found).toEqual(expect.arrayContaining(stale));
    expect(found).not.toContain(fresh.orderId);
    expect(found).not.toContain(canceled.orderId);
  });
});

describe('stock reservation', () => {
  const stock = async (sku: string) => (await deps.products.getMany([sku])).get(sku)?.stock;

  it('is all or nothing', async () => {
    const before = [await stock('SKU-0001'), await stock('SKU-0002')];
    const e = await err(
      deps.products.reserve([
        { sku: 'SKU-0001', qty: 2 },
        { sku: 'SKU-0002', qty: 4 },
      ]),
    );
    expect(e).toMatchObject({ status: 409, code: 'OUT_OF_STOCK', details: { skus: ['SKU-0002'] } });
    expect([await stock('SKU-0001'), await stock('SKU-0002')]).toEqual(before);

    await deps.products.reserve([
      { sku: 'SKU-0001', qty: 2 },
      { sku: 'SKU-0002', qty: 3 },
    ]);
    expect([await stock('SKU-0001'), await stock('SKU-0002')]).toEqual([before[0]! - 2, 0]);
    await deps.products.release([
      { sku: 'SKU-0001', qty: 2 },
      { sku: 'SKU-0002', qty: 3 },
    ]);
    expect([await stock('SKU-0001'), await stock('SKU-0002')]).toEqual(before);
  });

  it('never oversells under concurrency', async () => {
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => deps.products.reserve([{ sku: 'SKU-0003', qty: 1 }])));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(await stock('SKU-0003')).toBe(0);
  });
});

describe('idempotent order creation', () => {
  const place = () => idempotentPlaceOrder(deps, { tableName: tables.IdempotencyTable!, client: ddb.client, inProgressWaitMs: 10_000 });
  const countOrders = async (orderId: string) => {
    const out = await documentClient(ddb.client).send(
      new ScanCommand({
        TableName: tables.OrdersTable!,
        FilterExpression: 'orderId = :o',
        ExpressionAttributeValues: { ':o': orderId },
        ConsistentRead: true,
      }),
    );
    return out.Items?.length ?? 0;
  };

  it('makes exactly one order from 20 concurrent identical requests', async () => {
    const fn = place();
    const input = { userId: 'u-idem', orderId: 'idem-20', items: [{ sku: 'SKU-0001', qty: 1 }], paymentToken: 'tok_ok' };
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => fn({ ...input, items: [...input.items] })));
    const ok = results.filter((r): r is PromiseFulfilledResult<Awaited<ReturnType<typeof fn>>> => r.status === 'fulfilled');
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    // Any refusal must be the documented in-progress 409, never a duplicate or a 500.
    failed.forEach((f) => expect(f.reason).toMatchObject({ status: 409, code: 'IDEMPOTENCY_IN_PROGRESS' }));
    expect(ok.length).toBeGreaterThanOrEqual(1);
    const first = ok[0]!.value.order;
    ok.forEach((r) => expect(r.value.order).toEqual(first));
    // Exactly one call created it; every other success is a replay.
    expect(ok.filter((r) => !r.value.replayed)).toHaveLength(1);
    expect(await countOrders('idem-20')).toBe(1);

    // A later replay returns the stored order, not a second one.
    expect(await fn(input)).toEqual({ order: first, replayed: true });
    expect(await countOrders('idem-20')).toBe(1);
  });

  it('refuses the same orderId with another body or another user', async () => {
    const fn = place();
    await fn({ userId: 'u-idem2', orderId: 'idem-x', items: [{ sku: 'SKU-0001', qty: 1 }] });
    expect(await err(fn({ userId: 'u-idem2', orderId: 'idem-x', items: [{ sku: 'SKU-0001', qty: 2 }] }))).toMatchObject({
      status: 409,
      code: 'IDEMPOTENCY_CONFLICT',
    });
    expect(await err(fn({ userId: 'someone-else', orderId: 'idem-x', items: [{ sku: 'SKU-0001', qty: 1 }] }))).toMatchObject({
      status: 409,
      code: 'IDEMPOTENCY_CONFLICT',
    });
    expect(await countOrders('idem-x')).toBe(1);
  });

  it('frees the key when creation fails, so a corrected request can use it', async () => {
    const fn = place();
    const bad = await err(fn({ userId: 'u-idem3', orderId: 'idem-bad', items: [{ sku: 'SKU-0999', qty: 1 }] }));
    expect(bad).toMatchObject({ status: 400, details: [{ path: 'items.0.sku' }] });
    // Same key and same body again: still the 400 (not a cached result, not a conflict).
    expect(await err(fn({ userId: 'u-idem3', orderId: 'idem-bad', items: [{ sku: 'SKU-0999', qty: 1 }] }))).toMatchObject({ status: 400 });
  });
});
