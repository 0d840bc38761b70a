/**
 * What every implementation of the repository interfaces must do, as one jest suite: the
 * in-memory repositories run it in the unit tests (in-memory-repositories.test.ts), the
 * DynamoDB ones against DynamoDB Local in the integration tests. A unit test that passes on
 * the in-memory repositories therefore says something about the real ones.
 *
 * Each test uses its own ids, so the repositories may be shared across tests and runs.
 */
import { randomUUID } from 'node:crypto';
import type { OrderRecord, OrdersRepository } from '../repositories/orders';
import type { ProductsRepository } from '../repositories/products';
import type { TodosRepository } from '../repositories/todos';
import type { UsersRepository } from '../repositories/users';
import type { Product } from '../schemas/products';

export interface ContractRepositories {
  orders: OrdersRepository;
  products: ProductsRepository;
  users: UsersRepository;
  todos: TodosRepository;
}

const rejection = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e as Record<string, unknown>,
  );
const id = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

function newOrder(userId: string, over: Partial<OrderRecord> = {}): OrderRecord {
  const at = over.createdAt ?? new Date().toISOString();
  return {
    userId,
    orderId: id('o'),
    status: 'PLACED',
    items: [{ sku: 'SKU-0001', qty: 1, price: 500 }],
    total: 500,
    currency: 'USD',
    createdAt: at,
    updatedAt: at,
    expiresAt: 2_000_000_000,
    version: 1,
    history: [{ status: 'PLACED', at }],
    ...over,
  };
}

/** Registers the contract suites; `repos` is read when the tests run (after beforeAll). */
export function describeRepositoryContract(name: string, repos: () => ContractRepositories): void {
  describe(`${name}: orders`, () => {
    it('creates once (409 ORDER_EXISTS after) and reads by key and by orderId', async () => {
      const o = await repos().orders.create(newOrder(id('u')));
      expect(o.placedStatus).toBe('PLACED');
      expect(await rejection(repos().orders.create(newOrder(o.userId, { orderId: o.orderId })))).toMatchObject({
        status: 409,
        code: 'ORDER_EXISTS',
      });
      expect(await repos().orders.get(o)).toMatchObject({ orderId: o.orderId, status: 'PLACED', version: 1 });
      expect(await repos().orders.getByOrderId(o.orderId)).toMatchObject({ userId: o.userId });
      expect(await repos().orders.get({ userId: 'someone-else', orderId: o.orderId })).toBeUndefined();
    });

    it('transitions on the expected status and version, with history, placedStatus and TTL', async () => {
      const o = await repos().orders.create(newOrder(id('u')));
      const v = await repos().orders.transition(o, 'PLACED', 'VALIDATED', { expectedVersion: 1, reason: 'checked' });
      expect(v).toMatchObject({ status: 'VALIDATED', version: 2 });
      expect(v.placedStatus).toBeUndefined();
      expect(v.history.map((h) => [h.status, h.reason])).toEqual([
        ['PLACED', undefined],
        ['VALIDATED', 'checked'],
      ]);
      expect(await rejection(repos().orders.transition(o, 'PLACED', 'VALIDATED'))).toMatchObject({
        status: 409,
        details: { currentStatus: 'VALIDATED', currentVersion: 2 },
      });
      expect(await rejection(repos().orders.transition(o, 'VALIDATED', 'RESERVED', { expectedVersion: 1 }))).toMatchObject({ status: 409 });
      expect(await rejection(repos().orders.transition(o, 'VALIDATED', 'ACKNOWLEDGED'))).toMatchObject({
        status: 409,
        code: 'INVALID_TRANSITION',
      });
      expect(await rejection(repos().orders.transition({ userId: o.userId, orderId: 'missing' }, 'PLACED', 'VALIDATED'))).toMatchObject({
        status: 404,
      });
      const failed = await repos().orders.transition(o, 'VALIDATED', 'FAILED', { set: { failureReason: 'declined' } });
      expect(failed).toMatchObject({ status: 'FAILED', failureReason: 'declined', version: 3 });
      expect(failed.ttlEpoch).toBeGreaterThan(Date.now() / 1000);
      const placed = await repos().orders.transition(o, 'FAILED', 'PLACED', { expectedVersion: 3 });
      expect(placed).toMatchObject({ placedStatus: 'PLACED', version: 4 });
      expect(placed.ttlEpoch).toBeUndefined();
    });

    it('changes lines only while PLACED and at the expected version', async () => {
      const o = await repos().orders.create(newOrder(id('u')));
      const lines = { items: [{ sku: 'SKU-0002', qty: 2, price: 100 }], total: 200, currency: 'USD' };
      expect(await rejection(repos().orders.updateItems(o, { ...lines, expectedVersion: 7 }))).toMatchObject({
        status: 409,
        code: 'VERSION_CONFLICT',
        details: { currentVersion: 1 },
      });
      expect(await repos().orders.updateItems(o, { ...lines, expectedVersion: 1, paymentToken: 'tok_x' })).toMatchObject({
        total: 200,
        version: 2,
        paymentToken: 'tok_x',
      });
      await repos().orders.transition(o, 'PLACED', 'CANCELED');
      expect(await rejection(repos().orders.updateItems(o, { ...lines, expectedVersion: 3 }))).toMatchObject({
        status: 409,
        code: 'INVALID_TRANSITION',
        message: 'Order is CANCELED; only PLACED orders can be changed',
      });
      expect(
        await rejection(repos().orders.updateItems({ userId: o.userId, orderId: 'missing' }, { ...lines, expectedVersion: 1 })),
      ).toMatchObject({ status: 404 });
    });

    it("lists a user's orders newest first, page by page, and refuses another listing's cursor", async () => {
      const userId = id('u');
      const times = ['2026-01-01T00:00:01.000Z', '2026-01-01T00:00:03.000Z', '2026-01-01T00:00:02.000Z'];
      for (const createdAt of times) await repos().orders.create(newOrder(userId, { createdAt }));
      const first = await repos().orders.listByUser(userId, { limit: 2 });
      expect(first.items.map((o) => o.createdAt)).toEqual([times[1], times[2]]);
      expect(first.nextToken).toEqual(expect.any(String));
      const second = await repos().orders.listByUser(userId, { limit: 2, nextToken: first.nextToken! });
      expect(second.items.map((o) => o.createdAt)).toEqual([times[0]]);
      expect(await rejection(repos().orders.listByUser(id('u'), { limit: 2, nextToken: first.nextToken! }))).toMatchObject({ status: 400 });
    });

    it('finds stale PLACED orders by expiry, and not once they moved on', async () => {
      const userId = id('u');
      const stale = await repos().orders.create(newOrder(userId, { expiresAt: 1000 }));
      const moved = await repos().orders.create(newOrder(userId, { expiresAt: 1000 }));
      await repos().orders.create(newOrder(userId, { expiresAt: 3000 }));
      await repos().orders.transition(moved, 'PLACED', 'VALIDATED');
      const found: string[] = [];
      let token: string | undefined;
      do {
        const page = await repos().orders.queryStale(2000, token, 50);
        found.push(...page.items.map((k) => k.orderId));
        token = page.nextToken;
      } while (token);
      expect(found).toContain(stale.orderId);
      expect(found).not.toContain(moved.orderId);
      expect(found.filter((f) => f === stale.orderId)).toHaveLength(1);
    });

    it('records the execution and counts payment attempts only while RESERVED', async () => {
      const o = await repos().orders.create(newOrder(id('u')));
      expect(await repos().orders.recordExecution(o, 'arn:exec')).toMatchObject({ executionArn: 'arn:exec', version: 2 });
      expect(await rejection(repos().orders.recordPaymentAttempt(o))).toMatchObject({ status: 409, details: { currentStatus: 'PLACED' } });
      await repos().orders.transition(o, 'PLACED', 'VALIDATED');
      await repos().orders.transition(o, 'VALIDATED', 'RESERVED');
      expect(await repos().orders.recordPaymentAttempt(o)).toMatchObject({ status: 'RESERVED', paymentAttempts: 1, version: 5 });
      expect(await repos().orders.recordPaymentAttempt(o)).toMatchObject({
        status: 'RESERVED',
        paymentAttempts: 2,
        version: 6,
        total: o.total,
      });
      expect(await repos().orders.get(o)).toMatchObject({ paymentAttempts: 2, version: 6 });
      expect(await rejection(repos().orders.recordPaymentAttempt({ userId: o.userId, orderId: 'missing' }))).toMatchObject({ status: 404 });
    });

    it('releases a reservation once, putting the stock back', async () => {
      const sku = `SKU-${Math.floor(Math.random() * 1e8)}`;
      await repos().products.putAll([{ sku, name: 'R', price: 100, currency: 'USD', stock: 5 }]);
      const o = await repos().orders.create(newOrder(id('u'), { items: [{ sku, qty: 2, price: 100 }], total: 200 }));
      expect(await repos().orders.releaseReservation(o)).toBe(false);
      await repos().products.reserve([{ sku, qty: 2 }]);
      await repos().orders.transition(o, 'PLACED', 'VALIDATED');
      await repos().orders.transition(o, 'VALIDATED', 'RESERVED', { set: { reservation: { reserved: true } } });
      expect((await repos().products.getMany([sku])).get(sku)?.stock).toBe(3);
      expect(await repos().orders.releaseReservation(o)).toBe(true);
      expect(await repos().orders.releaseReservation(o)).toBe(false);
      expect((await repos().products.getMany([sku])).get(sku)?.stock).toBe(5);
      expect(await repos().orders.get(o)).toMatchObject({ reservation: { reserved: false } });
    });

    it('refunds a charge once', async () => {
      const o = await repos().orders.create(newOrder(id('u')));
      expect(await repos().orders.markRefunded(o)).toBe(false);
      await repos().orders.transition(o, 'PLACED', 'FAILED', { set: { payment: { chargeId: 'ch_1', status: 'CHARGED' } } });
      expect(await repos().orders.markRefunded(o)).toBe(true);
      expect(await repos().orders.markRefunded(o)).toBe(false);
      expect((await repos().orders.get(o))?.payment).toEqual({ chargeId: 'ch_1', status: 'REFUNDED' });
    });
  });

  describe(`${name}: products`, () => {
    const product = (sku: string, stock: number): Product => ({ sku, name: sku, price: 100, currency: 'USD', stock });
    const skus = () => [0, 1].map(() => `SKU-${Math.floor(Math.random() * 1e8)}`);

    const stocks = async (...of: string[]) => {
      const found = await repos().products.getMany(of);
      return of.map((sku) => found.get(sku)?.stock);
    };

    it('reserves all lines or none, naming the short ones', async () => {
      const [a, b] = skus() as [string, string];
      await repos().products.putAll([product(a, 2), product(b, 1)]);
      expect(
        await rejection(
          repos().products.reserve([
            { sku: a, qty: 1 },
            { sku: b, qty: 2 },
          ]),
        ),
      ).toMatchObject({ status: 409, code: 'OUT_OF_STOCK', details: { skus: [b] } });
      expect(await stocks(a, b)).toEqual([2, 1]);
      await repos().products.reserve([
        { sku: a, qty: 2 },
        { sku: b, qty: 1 },
      ]);
      await repos().products.release([{ sku: a, qty: 1 }]);
      expect(await stocks(a, b)).toEqual([1, 0]);
    });

    it('adds only missing products, keeping the stock of the others', async () => {
      const [a, b] = skus() as [string, string];
      await repos().products.putAll([product(a, 1)]);
      expect(await repos().products.addMissing([product(a, 50), product(b, 50)])).toEqual({ inserted: 1, kept: 1 });
      expect((await repos().products.getMany([a])).get(a)?.stock).toBe(1);
      const listed = (await repos().products.list()).map((p) => p.sku);
      expect(listed).toEqual(expect.arrayContaining([a, b]));
      expect(listed).toEqual([...listed].sort());
    });
  });

  describe(`${name}: users`, () => {
    const at = '2026-01-01T00:00:00.000Z';
    it('creates once, updates, upserts a profile and deletes', async () => {
      const userId = id('user');
      await repos().users.create({ userId, name: 'A', email: 'a@example.com', plan: 'free', createdAt: at, updatedAt: at });
      expect(
        await rejection(repos().users.create({ userId, name: 'B', email: 'b@example.com', plan: 'pro', createdAt: at, updatedAt: at })),
      ).toMatchObject({ status: 409, code: 'USER_EXISTS' });
      expect(await repos().users.update(userId, { plan: 'pro' })).toMatchObject({ name: 'A', plan: 'pro' });
      expect(await repos().users.update(id('user'), { plan: 'pro' })).toBeUndefined();
      const again = await repos().users.upsertProfile(userId, 'a@example.com', { name: 'Ada', bio: 'hi' });
      expect(again).toMatchObject({ created: false, user: { name: 'Ada', plan: 'pro', bio: 'hi', createdAt: at } });
      const fresh = await repos().users.upsertProfile(id('user'), 'n@example.com', { name: 'New' });
      expect(fresh).toMatchObject({ created: true, user: { name: 'New', plan: 'free', email: 'n@example.com' } });
      expect(await repos().users.delete(userId)).toBe(true);
      expect(await repos().users.delete(userId)).toBe(false);
      expect(await repos().users.get(userId)).toBeUndefined();
    });

    it('lists every user across pages', async () => {
      const ids = [id('user'), id('user'), id('user')];
      for (const userId of ids)
        await repos().users.create({ userId, name: 'L', email: 'l@example.com', plan: 'free', createdAt: at, updatedAt: at });
      const seen: string[] = [];
      let nextToken: string | undefined;
      do {
        const page = await repos().users.list({ limit: 2, ...(nextToken ? { nextToken } : {}) });
        expect(page.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.items.map((u) => u.userId));
        nextToken = page.nextToken;
      } while (nextToken);
      expect(seen).toEqual(expect.arrayContaining(ids));
      expect(new Set(seen).size).toBe(seen.length);
    });
  });

  describe(`${name}: todos`, () => {
    it("keeps each user's to-dos apart, marks done once and deletes", async () => {
      const userId = id('u');
      const t = await repos().todos.create(userId, { title: 'Write' });
      expect(await repos().todos.get(id('u'), t.todoId)).toBeUndefined();
      expect(await repos().todos.update(userId, t.todoId, { notes: 'n' })).toMatchObject({ notes: 'n', done: false });
      const done = await repos().todos.markDone(userId, t.todoId, new Date('2026-01-02T00:00:00.000Z'));
      expect(done).toMatchObject({ done: true, completedAt: '2026-01-02T00:00:00.000Z' });
      expect((await repos().todos.markDone(userId, t.todoId, new Date('2026-01-03T00:00:00.000Z')))?.completedAt).toBe(
        '2026-01-02T00:00:00.000Z',
      );
      const reopened = await repos().todos.update(userId, t.todoId, { done: false });
      expect(reopened?.completedAt).toBeUndefined();
      expect(await repos().todos.markDone(id('u'), t.todoId)).toBeUndefined();
      expect(await repos().todos.delete(userId, t.todoId)).toBe(true);
      expect(await repos().todos.delete(userId, t.todoId)).toBe(false);
    });

    it("pages through a user's to-dos and refuses another user's cursor", async () => {
      const userId = id('u');
      for (const title of ['a', 'b', 'c']) await repos().todos.create(userId, { title });
      const first = await repos().todos.list(userId, { limit: 2 });
      expect(first.items).toHaveLength(2);
      const second = await repos().todos.list(userId, { limit: 2, nextToken: first.nextToken! });
      expect([...first.items, ...second.items].map((t) => t.title).sort()).toEqual(['a', 'b', 'c']);
      expect(await rejection(repos().todos.list(id('u'), { limit: 2, nextToken: first.nextToken! }))).toMatchObject({ status: 400 });
    });
  });
}
