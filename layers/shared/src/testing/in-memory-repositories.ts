/**
 * In-memory implementations of the four repository interfaces, for unit tests that assert
 * behaviour (statuses, stock, versions) rather than DynamoDB request fields. They answer as
 * the DynamoDB ones do, errors included (same AppError statuses, codes and details, same
 * cursors): `repository-contract.ts` runs one suite against both, here in the unit tests and
 * against DynamoDB Local in the integration tests. Never bundled into the layer (no entry
 * imports this folder).
 */
import { randomUUID } from 'node:crypto';
import { badRequest, conflict, notFound } from '../errors';
import { EDITABLE_STATUS, RETENTION_SECONDS, TTL_STATUSES, assertTransition, notEditable } from '../orders/rules';
import type { OrderKey, OrderRecord, OrdersRepository, TransitionOptions, UpdateItemsInput } from '../repositories/orders';
import { decodeCursor, encodeCursor, isExpired, nowEpoch, type Page } from '../repositories/pagination';
import type { ProductsRepository, StockLine } from '../repositories/products';
import type { TodosRepository } from '../repositories/todos';
import type { ProfileInput, UserPatch, UsersRepository } from '../repositories/users';
import type { OrderStatus } from '../schemas/orders';
import type { Product } from '../schemas/products';
import type { CreateTodoRequest, Todo, UpdateTodoRequest } from '../schemas/todos';
import type { User } from '../schemas/users';

const copy = <T>(value: T): T => structuredClone(value);

/** The first `limit` of `rest` (already in order), with the cursor of the last one if more remain. */
function pageOf<T>(rest: T[], limit: number, keyOf: (item: T) => Record<string, unknown>): Page<T> {
  const page = rest.slice(0, limit);
  const nextToken = rest.length > limit ? encodeCursor(keyOf(page[page.length - 1]!)) : undefined;
  return { items: page.map(copy), ...(nextToken ? { nextToken } : {}) };
}

const foreignCursor = () => badRequest('Malformed nextToken', [{ path: 'nextToken', message: 'Not a token issued for this listing' }]);

export class InMemoryProductsRepository implements ProductsRepository {
  readonly items = new Map<string, Product>();

  constructor(products: readonly Product[] = []) {
    for (const p of products) this.items.set(p.sku, copy(p));
  }

  async list(): Promise<Product[]> {
    return [...this.items.values()].map(copy).sort((a, b) => a.sku.localeCompare(b.sku));
  }

  async getMany(skus: readonly string[]): Promise<Map<string, Product>> {
    return new Map(skus.filter((s) => this.items.has(s)).map((s) => [s, copy(this.items.get(s)!)]));
  }

  async reserve(lines: readonly StockLine[]): Promise<void> {
    const short = lines.filter((l) => (this.items.get(l.sku)?.stock ?? -1) < l.qty).map((l) => l.sku);
    if (short.length > 0) throw conflict(`Not enough stock for ${short.join(', ')}`, 'OUT_OF_STOCK', { skus: short });
    for (const l of lines) this.items.get(l.sku)!.stock -= l.qty;
  }

  async release(lines: readonly StockLine[]): Promise<void> {
    // DynamoDB cancels the whole transaction when a product is missing.
    if (lines.some((l) => !this.items.has(l.sku)))
      throw Object.assign(new Error('Transaction cancelled'), { name: 'TransactionCanceledException' });
    for (const l of lines) this.items.get(l.sku)!.stock += l.qty;
  }

  async putAll(products: readonly Product[]): Promise<void> {
    for (const p of products) this.items.set(p.sku, copy(p));
  }

  async addMissing(products: readonly Product[]): Promise<{ inserted: number; kept: number }> {
    const missing = products.filter((p) => !this.items.has(p.sku));
    for (const p of missing) this.items.set(p.sku, copy(p));
    return { inserted: missing.length, kept: products.length - missing.length };
  }
}

export class InMemoryOrdersRepository implements OrdersRepository {
  readonly items = new Map<string, OrderRecord>();

  /** `products`: where releaseReservation puts stock back. */
  constructor(private readonly products: InMemoryProductsRepository = new InMemoryProductsRepository()) {}

  private stored(key: OrderKey): OrderRecord | undefined {
    return this.items.get(`${key.userId}/${key.orderId}`);
  }

  private live(order: OrderRecord | undefined, epoch = nowEpoch()): OrderRecord | undefined {
    return order && !isExpired(order as unknown as Record<string, unknown>, 'ttlEpoch', epoch) ? order : undefined;
  }

  private existing(key: OrderKey): OrderRecord {
    const order = this.stored(key);
    if (!order) throw notFound(`Order ${key.orderId} not found`);
    return order;
  }

  async create(order: OrderRecord): Promise<OrderRecord> {
    if (this.stored(order)) throw conflict(`Order ${order.orderId} already exists`, 'ORDER_EXISTS');
    const item: OrderRecord = copy(order);
    if (item.status === 'PLACED') item.placedStatus = 'PLACED';
    this.items.set(`${item.userId}/${item.orderId}`, item);
    return copy(item);
  }

  async get(key: OrderKey): Promise<OrderRecord | undefined> {
    const order = this.live(this.stored(key));
    return order && copy(order);
  }

  async getByOrderId(orderId: string): Promise<OrderRecord | undefined> {
    const order = [...this.items.values()].find((o) => o.orderId === orderId && this.live(o));
    return order && copy(order);
  }

  async listByUser(userId: string, opts: { limit: number; nextToken?: string }): Promise<Page<OrderRecord>> {
    const start = decodeCursor(opts.nextToken, ['userId', 'orderId', 'createdAt']);
    if (start && start.userId !== userId) throw foreignCursor();
    const epoch = nowEpoch();
    const mine = [...this.items.values()]
      .filter((o) => o.userId === userId && this.live(o, epoch))
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.orderId.localeCompare(a.orderId));
    const after = start ? mine.findIndex((o) => o.orderId === start.orderId) + 1 : 0;
    return pageOf(mine.slice(after), opts.limit, (o) => ({ userId: o.userId, orderId: o.orderId, createdAt: o.createdAt }));
  }

  async updateItems(key: OrderKey, input: UpdateItemsInput): Promise<OrderRecord> {
    const order = this.existing(key);
    if (order.status !== EDITABLE_STATUS) throw notEditable(order.status);
    if (order.version !== input.expectedVersion) {
      throw conflict(`Order was changed (version ${order.version}); reload and retry`, 'VERSION_CONFLICT', {
        currentVersion: order.version,
      });
    }
    Object.assign(order, {
      items: copy(input.items),
      total: input.total,
      currency: input.currency,
      updatedAt: (input.now ?? new Date()).toISOString(),
      version: order.version + 1,
    });
    if (input.paymentToken !== undefined) order.paymentToken = input.paymentToken;
    return copy(order);
  }

  async transition(key: OrderKey, from: OrderStatus, to: OrderStatus, opts: TransitionOptions = {}): Promise<OrderRecord> {
    assertTransition(from, to);
    const order = this.existing(key);
    if (order.status !== from || (opts.expectedVersion !== undefined && order.version !== opts.expectedVersion)) {
      const message =
        order.status !== from ? `Order is ${order.status}, not ${from}` : `Order was changed (version ${order.version}); reload and retry`;
      throw conflict(message, 'CONFLICT', { currentStatus: order.status, currentVersion: order.version });
    }
    const now = opts.now ?? new Date();
    const at = now.toISOString();
    for (const [name, value] of Object.entries(opts.set ?? {}))
      if (value !== undefined) (order as unknown as Record<string, unknown>)[name] = copy(value);
    Object.assign(order, { status: to, updatedAt: at, version: order.version + 1 });
    order.history = [...(order.history ?? []), { status: to, at, ...(opts.reason ? { reason: opts.reason } : {}) }];
    if (to === 'PLACED') order.placedStatus = 'PLACED';
    else delete order.placedStatus;
    if (TTL_STATUSES.includes(to)) order.ttlEpoch = nowEpoch(now) + RETENTION_SECONDS;
    else delete order.ttlEpoch;
    return copy(order);
  }

  async queryStale(nowEpochSeconds: number, pageToken?: string, limit = 100): Promise<Page<OrderKey>> {
    const start = decodeCursor(pageToken, ['userId', 'orderId', 'placedStatus', 'expiresAt']);
    const stale = [...this.items.values()]
      .filter((o) => o.placedStatus === 'PLACED' && o.expiresAt <= nowEpochSeconds)
      .sort((a, b) => a.expiresAt - b.expiresAt || `${a.userId}/${a.orderId}`.localeCompare(`${b.userId}/${b.orderId}`));
    const after = start ? stale.findIndex((o) => o.userId === start.userId && o.orderId === start.orderId) + 1 : 0;
    const page = pageOf(stale.slice(after), limit, (o) => ({
      userId: o.userId,
      orderId: o.orderId,
      placedStatus: 'PLACED',
      expiresAt: o.expiresAt,
    }));
    return { ...page, items: page.items.map((o) => ({ userId: o.userId, orderId: o.orderId })) };
  }

  async recordExecution(key: OrderKey, executionArn: string, now: Date = new Date()): Promise<OrderRecord> {
    const order = this.existing(key);
    Object.assign(order, { executionArn, updatedAt: now.toISOString(), version: order.version + 1 });
    return copy(order);
  }

  async recordPaymentAttempt(key: OrderKey): Promise<OrderRecord> {
    const order = this.existing(key);
    if (order.status !== 'RESERVED') {
      throw conflict(`Order is ${order.status}, not RESERVED`, 'CONFLICT', { currentStatus: order.status, currentVersion: order.version });
    }
    order.paymentAttempts = (order.paymentAttempts ?? 0) + 1;
    order.version += 1;
    return copy(order);
  }

  async releaseReservation(order: Pick<OrderRecord, 'userId' | 'orderId' | 'items'>, now: Date = new Date()): Promise<boolean> {
    const stored = this.stored(order);
    if (!stored?.reservation?.reserved) return false;
    try {
      await this.products.release(order.items.map((l) => ({ sku: l.sku, qty: l.qty })));
    } catch (err) {
      if ((err as Error).name === 'TransactionCanceledException') return false;
      throw err;
    }
    Object.assign(stored, { reservation: { reserved: false }, updatedAt: now.toISOString(), version: stored.version + 1 });
    return true;
  }

  async markRefunded(key: OrderKey, now: Date = new Date()): Promise<boolean> {
    const order = this.stored(key);
    if (order?.payment?.status !== 'CHARGED') return false;
    Object.assign(order, { payment: { ...order.payment, status: 'REFUNDED' }, updatedAt: now.toISOString(), version: order.version + 1 });
    return true;
  }
}

type StoredUser = User & { ttl?: number };

export class InMemoryUsersRepository implements UsersRepository {
  readonly items = new Map<string, StoredUser>();

  private live(userId: string): StoredUser | undefined {
    const user = this.items.get(userId);
    return user && !isExpired(user, 'ttl') ? user : undefined;
  }

  private view(user: StoredUser): User {
    const { ttl: _ttl, ...rest } = copy(user);
    return rest;
  }

  async get(userId: string): Promise<User | undefined> {
    const user = this.live(userId);
    return user && this.view(user);
  }

  async list(opts: { limit: number; nextToken?: string }): Promise<Page<User>> {
    const start = decodeCursor(opts.nextToken, ['userId']);
    const all = [...this.items.values()].filter((u) => this.live(u.userId)).sort((a, b) => a.userId.localeCompare(b.userId));
    const after = start ? all.findIndex((u) => u.userId > String(start.userId)) : 0;
    const page = pageOf(after < 0 ? [] : all.slice(after), opts.limit, (u) => ({ userId: u.userId }));
    return { ...page, items: page.items.map((u) => this.view(u)) };
  }

  async create(user: User): Promise<User> {
    if (this.live(user.userId)) throw conflict(`User ${user.userId} already exists`, 'USER_EXISTS');
    this.items.set(user.userId, copy(user));
    return copy(user);
  }

  async update(userId: string, patch: UserPatch, now: Date = new Date()): Promise<User | undefined> {
    const user = this.live(userId);
    if (!user) return undefined;
    for (const field of ['name', 'plan', 'bio'] as const) if (patch[field] !== undefined) Object.assign(user, { [field]: patch[field] });
    user.updatedAt = now.toISOString();
    return this.view(user);
  }

  async delete(userId: string): Promise<boolean> {
    return this.live(userId) !== undefined && this.items.delete(userId);
  }

  async upsertProfile(
    userId: string,
    email: string,
    input: ProfileInput,
    now: Date = new Date(),
  ): Promise<{ user: User; created: boolean }> {
    const at = now.toISOString();
    const old = this.live(userId);
    const user: StoredUser = old ?? { userId, email, name: input.name, plan: 'free', createdAt: at, updatedAt: at };
    Object.assign(user, {
      name: input.name,
      email,
      updatedAt: at,
      ...(input.plan !== undefined ? { plan: input.plan } : {}),
      ...(input.bio !== undefined ? { bio: input.bio } : {}),
    });
    delete user.ttl;
    this.items.set(userId, user);
    return { user: this.view(user), created: old === undefined };
  }
}

export class InMemoryTodosRepository implements TodosRepository {
  readonly items = new Map<string, Todo>();

  async list(userId: string, opts: { limit: number; nextToken?: string }): Promise<Page<Todo>> {
    const start = decodeCursor(opts.nextToken, ['userId', 'todoId']);
    if (start && start.userId !== userId) throw foreignCursor();
    const mine = [...this.items.values()].filter((t) => t.userId === userId).sort((a, b) => a.todoId.localeCompare(b.todoId));
    const after = start ? mine.filter((t) => t.todoId <= String(start.todoId)).length : 0;
    return pageOf(mine.slice(after), opts.limit, (t) => ({ userId: t.userId, todoId: t.todoId }));
  }

  async get(userId: string, todoId: string): Promise<Todo | undefined> {
    const todo = this.items.get(`${userId}/${todoId}`);
    return todo && copy(todo);
  }

  async create(userId: string, input: CreateTodoRequest, now: Date = new Date()): Promise<Todo> {
    const at = now.toISOString();
    const todo: Todo = { userId, todoId: randomUUID(), title: input.title, done: false, createdAt: at, updatedAt: at };
    if (input.dueDate !== undefined) todo.dueDate = input.dueDate;
    if (input.notes !== undefined) todo.notes = input.notes;
    this.items.set(`${userId}/${todo.todoId}`, todo);
    return copy(todo);
  }

  async update(userId: string, todoId: string, patch: UpdateTodoRequest, now: Date = new Date()): Promise<Todo | undefined> {
    const todo = this.items.get(`${userId}/${todoId}`);
    if (!todo) return undefined;
    const at = now.toISOString();
    for (const field of ['title', 'dueDate', 'notes', 'done'] as const)
      if (patch[field] !== undefined) Object.assign(todo, { [field]: patch[field] });
    if (patch.done === true) todo.completedAt ??= at;
    else if (patch.done === false) delete todo.completedAt;
    todo.updatedAt = at;
    return copy(todo);
  }

  async markDone(userId: string, todoId: string, now: Date = new Date()): Promise<Todo | undefined> {
    const todo = this.items.get(`${userId}/${todoId}`);
    if (todo && !todo.done) Object.assign(todo, { done: true, completedAt: now.toISOString(), updatedAt: now.toISOString() });
    return todo && copy(todo);
  }

  async delete(userId: string, todoId: string): Promise<boolean> {
    return this.items.delete(`${userId}/${todoId}`);
  }
}

/** The four repositories over one in-memory store (orders put stock back into these products). */
export function inMemoryRepositories(products: readonly Product[] = []) {
  const productsRepo = new InMemoryProductsRepository(products);
  return {
    orders: new InMemoryOrdersRepository(productsRepo),
    products: productsRepo,
    users: new InMemoryUsersRepository(),
    todos: new InMemoryTodosRepository(),
  };
}
