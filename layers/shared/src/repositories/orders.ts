import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import {
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { badRequest, conflict, notFound } from '../errors';
import { EDITABLE_STATUS, RETENTION_SECONDS, TTL_STATUSES, assertTransition, notEditable } from '../orders/rules';
import type { HistoryEntry, Order, OrderLine, OrderStatus, PublicOrder } from '../schemas/orders';
import { decodeCursor, encodeCursor, isExpired, nowEpoch, type Page } from './pagination';
import { restockItem } from './products';

export const ORDERS_BY_ORDER_ID_INDEX = 'ByOrderId';
export const ORDERS_PLACED_BY_EXPIRY_INDEX = 'PlacedByExpiry';
/** LSI (userId + createdAt): a user's orders newest first, whatever ids clients choose. */
export const ORDERS_BY_CREATED_AT_INDEX = 'ByCreatedAt';
export const ORDERS_TTL_ATTRIBUTE = 'ttlEpoch';

export interface OrderKey {
  userId: string;
  orderId: string;
}

/** The stored item: the public order plus storage-only attributes. */
export interface OrderRecord extends Order {
  placedStatus?: 'PLACED';
  ttlEpoch?: number;
}

export interface TransitionOptions {
  /** Also require this version (optimistic check); the status condition always applies. */
  expectedVersion?: number;
  reason?: string;
  /** Extra attributes to set in the same write (e.g. executionArn, failureReason). */
  set?: Partial<Omit<OrderRecord, 'userId' | 'orderId' | 'status' | 'version' | 'history' | 'placedStatus' | 'ttlEpoch'>>;
  now?: Date;
}

export interface UpdateItemsInput {
  items: OrderLine[];
  total: number;
  currency: string;
  paymentToken?: string;
  expectedVersion: number;
  now?: Date;
}

export interface OrdersRepository {
  create(order: OrderRecord): Promise<OrderRecord>;
  get(key: OrderKey): Promise<OrderRecord | undefined>;
  getByOrderId(orderId: string): Promise<OrderRecord | undefined>;
  listByUser(userId: string, opts: { limit: number; nextToken?: string }): Promise<Page<OrderRecord>>;
  updateItems(key: OrderKey, input: UpdateItemsInput): Promise<OrderRecord>;
  transition(key: OrderKey, from: OrderStatus, to: OrderStatus, opts?: TransitionOptions): Promise<OrderRecord>;
  queryStale(nowEpochSeconds: number, pageToken?: string, limit?: number): Promise<Page<OrderKey>>;
  /** Records the workflow execution of the order (no status change; version + 1). */
  recordExecution(key: OrderKey, executionArn: string, now?: Date): Promise<OrderRecord>;
  /**
   * Counts a charge attempt on a RESERVED order before the provider is called, so a retried
   * payment step knows it is a second try. Returns the order as written (`paymentAttempts`:
   * the attempts so far, this one included), so the step needs no read before it; 409 when
   * the order is no longer RESERVED, 404 when it does not exist.
   */
  recordPaymentAttempt(key: OrderKey): Promise<OrderRecord>;
  /**
   * Gives the order's reserved stock back, once: clearing the reservation flag and putting
   * every line back in stock is one transaction. false when the order holds no reservation
   * (never reserved, or already released by an earlier run).
   */
  releaseReservation(order: Pick<OrderRecord, 'userId' | 'orderId' | 'items'>, now?: Date): Promise<boolean>;
  /** Marks a CHARGED payment REFUNDED, once; false when there is no charge still in place. */
  markRefunded(key: OrderKey, now?: Date): Promise<boolean>;
}

/** The API view: no storage-only attributes, and the payment token is never echoed back. */
export function toPublicOrder(record: OrderRecord): PublicOrder {
  const { placedStatus: _p, ttlEpoch: _t, paymentToken: _k, ...order } = record;
  return order;
}

function conditionFailed(err: unknown): err is ConditionalCheckFailedException {
  return err instanceof ConditionalCheckFailedException || (err as { name?: string } | null)?.name === 'ConditionalCheckFailedException';
}

/**
 * The item DynamoDB returned with a failed condition (ReturnValuesOnConditionCheckFailure).
 * The document client does not unmarshall errors, so it arrives in wire format.
 */
function oldItem(err: ConditionalCheckFailedException): Record<string, unknown> | undefined {
  const item = err.Item;
  return item && Object.keys(item).length > 0 ? unmarshall(item) : undefined;
}

const isTransactionCanceled = (err: unknown): boolean => (err as { name?: string } | null)?.name === 'TransactionCanceledException';

export class DynamoOrdersRepository implements OrdersRepository {
  /** `productsTable`: where releaseReservation puts stock back (the one write spanning both tables), read when first needed. */
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly productsTable?: string | (() => string),
  ) {}

  async create(order: OrderRecord): Promise<OrderRecord> {
    const item: OrderRecord = { ...order };
    if (item.status === 'PLACED') item.placedStatus = 'PLACED';
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression: 'attribute_not_exists(orderId)',
        }),
      );
    } catch (err) {
      if (conditionFailed(err)) throw conflict(`Order ${order.orderId} already exists`, 'ORDER_EXISTS');
      throw err;
    }
    return item;
  }

  async get(key: OrderKey): Promise<OrderRecord | undefined> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: { userId: key.userId, orderId: key.orderId }, ConsistentRead: true }),
    );
    const item = out.Item as OrderRecord | undefined;
    return item && !isExpired(item as unknown as Record<string, unknown>, ORDERS_TTL_ATTRIBUTE) ? item : undefined;
  }

  async getByOrderId(orderId: string): Promise<OrderRecord | undefined> {
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: ORDERS_BY_ORDER_ID_INDEX,
        KeyConditionExpression: 'orderId = :id',
        ExpressionAttributeValues: { ':id': orderId },
      }),
    );
    const epoch = nowEpoch();
    const items = (out.Items ?? []).filter((i) => !isExpired(i, ORDERS_TTL_ATTRIBUTE, epoch)) as OrderRecord[];
    return items[0];
  }

  async listByUser(userId: string, opts: { limit: number; nextToken?: string }): Promise<Page<OrderRecord>> {
    const start = decodeCursor(opts.nextToken, ['userId', 'orderId', 'createdAt']);
    // A cursor from another user's listing would page through the wrong partition.
    if (start && start.userId !== userId) {
      throw badRequest('Malformed nextToken', [{ path: 'nextToken', message: 'Not a token issued for this listing' }]);
    }
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: ORDERS_BY_CREATED_AT_INDEX,
        KeyConditionExpression: 'userId = :u',
        FilterExpression: 'attribute_not_exists(#ttl) OR #ttl > :now',
        ExpressionAttributeNames: { '#ttl': ORDERS_TTL_ATTRIBUTE },
        ExpressionAttributeValues: { ':u': userId, ':now': nowEpoch() },
        ScanIndexForward: false,
        Limit: opts.limit,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    const nextToken = encodeCursor(out.LastEvaluatedKey);
    return { items: (out.Items ?? []) as OrderRecord[], ...(nextToken ? { nextToken } : {}) };
  }

  async updateItems(key: OrderKey, input: UpdateItemsInput): Promise<OrderRecord> {
    const now = (input.now ?? new Date()).toISOString();
    // Names are aliased: several (e.g. `total`) are DynamoDB reserved words.
    const names: Record<string, string> = { '#status': 'status', '#items': 'items', '#total': 'total', '#currency': 'currency' };
    const values: Record<string, unknown> = {
      ':items': input.items,
      ':total': input.total,
      ':currency': input.currency,
      ':now': now,
      ':one': 1,
      ':editable': EDITABLE_STATUS,
      ':v': input.expectedVersion,
    };
    let update = 'SET #items = :items, #total = :total, #currency = :currency, updatedAt = :now, version = version + :one';
    if (input.paymentToken !== undefined) {
      update += ', paymentToken = :token';
      values[':token'] = input.paymentToken;
    }
    return this.conditionalUpdate(
      key,
      {
        UpdateExpression: update,
        ConditionExpression: 'attribute_exists(orderId) AND #status = :editable AND version = :v',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
      (old) => {
        if (old.status !== EDITABLE_STATUS) return notEditable(String(old.status));
        return conflict(`Order was changed (version ${String(old.version)}); reload and retry`, 'VERSION_CONFLICT', {
          currentVersion: old.version,
        });
      },
    );
  }

  async transition(key: OrderKey, from: OrderStatus, to: OrderStatus, opts: TransitionOptions = {}): Promise<OrderRecord> {
    assertTransition(from, to);
    const nowDate = opts.now ?? new Date();
    const now = nowDate.toISOString();
    const entry: HistoryEntry = { status: to, at: now, ...(opts.reason ? { reason: opts.reason } : {}) };
    const names: Record<string, string> = { '#status': 'status' };
    const values: Record<string, unknown> = {
      ':from': from,
      ':to': to,
      ':now': now,
      ':one': 1,
      ':entry': [entry],
      ':empty': [],
    };
    const sets = [
      '#status = :to',
      'updatedAt = :now',
      'version = version + :one',
      'history = list_append(if_not_exists(history, :empty), :entry)',
    ];
    const removes: string[] = [];
    // placedStatus exists only while PLACED: that is what keeps the PlacedByExpiry GSI sparse.
    if (to === 'PLACED') {
      sets.push('placedStatus = :placed');
      values[':placed'] = 'PLACED';
    } else {
      removes.push('placedStatus');
    }
    if (TTL_STATUSES.includes(to)) {
      sets.push('#ttl = :ttl');
      names['#ttl'] = ORDERS_TTL_ATTRIBUTE;
      values[':ttl'] = nowEpoch(nowDate) + RETENTION_SECONDS;
    } else {
      removes.push('#ttl');
      names['#ttl'] = ORDERS_TTL_ATTRIBUTE;
    }
    Object.entries(opts.set ?? {}).forEach(([name, value], i) => {
      if (value === undefined) return;
      names[`#s${i}`] = name;
      values[`:s${i}`] = value;
      sets.push(`#s${i} = :s${i}`);
    });
    let condition = 'attribute_exists(orderId) AND #status = :from';
    if (opts.expectedVersion !== undefined) {
      condition += ' AND version = :v';
      values[':v'] = opts.expectedVersion;
    }
    return this.conditionalUpdate(
      key,
      {
        UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
        ConditionExpression: condition,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
      (old) =>
        conflict(
          old.status !== from
            ? `Order is ${String(old.status)}, not ${from}`
            : `Order was changed (version ${String(old.version)}); reload and retry`,
          'CONFLICT',
          { currentStatus: old.status, currentVersion: old.version },
        ),
    );
  }

  /**
   * One conditional UpdateItem returning the new item. A failed condition is decoded from the
   * old item DynamoDB returns with it: none means the order does not exist (404), otherwise
   * `onConflict` says why the expected state did not hold.
   */
  private async conditionalUpdate(
    key: OrderKey,
    update: {
      UpdateExpression: string;
      ConditionExpression: string;
      ExpressionAttributeNames: Record<string, string>;
      ExpressionAttributeValues: Record<string, unknown>;
    },
    onConflict: (old: Record<string, unknown>) => Error,
  ): Promise<OrderRecord> {
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { userId: key.userId, orderId: key.orderId },
          ...update,
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return out.Attributes as OrderRecord;
    } catch (err) {
      if (!conditionFailed(err)) throw err;
      const old = oldItem(err);
      if (!old) throw notFound(`Order ${key.orderId} not found`);
      throw onConflict(old);
    }
  }

  async queryStale(nowEpochSeconds: number, pageToken?: string, limit = 100): Promise<Page<OrderKey>> {
    const start = decodeCursor(pageToken, ['userId', 'orderId', 'placedStatus', 'expiresAt']);
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: ORDERS_PLACED_BY_EXPIRY_INDEX,
        KeyConditionExpression: 'placedStatus = :placed AND expiresAt <= :now',
        ExpressionAttributeValues: { ':placed': 'PLACED', ':now': nowEpochSeconds },
        Limit: limit,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    const items = (out.Items ?? []).map((i) => ({ userId: String(i.userId), orderId: String(i.orderId) }));
    const nextToken = encodeCursor(out.LastEvaluatedKey);
    return { items, ...(nextToken ? { nextToken } : {}) };
  }

  recordPaymentAttempt(key: OrderKey): Promise<OrderRecord> {
    return this.conditionalUpdate(
      key,
      {
        UpdateExpression: 'SET paymentAttempts = if_not_exists(paymentAttempts, :zero) + :one, version = version + :one',
        ConditionExpression: 'attribute_exists(orderId) AND #status = :reserved',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':zero': 0, ':one': 1, ':reserved': 'RESERVED' },
      },
      (old) =>
        conflict(`Order is ${String(old.status)}, not RESERVED`, 'CONFLICT', { currentStatus: old.status, currentVersion: old.version }),
    );
  }

  async releaseReservation(order: Pick<OrderRecord, 'userId' | 'orderId' | 'items'>, now: Date = new Date()): Promise<boolean> {
    if (!this.productsTable) throw new Error('DynamoOrdersRepository: releaseReservation needs the products table');
    const productsTable = typeof this.productsTable === 'function' ? this.productsTable() : this.productsTable;
    try {
      await this.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.tableName,
                Key: { userId: order.userId, orderId: order.orderId },
                UpdateExpression: 'SET reservation = :off, updatedAt = :now, version = version + :one',
                ConditionExpression: 'reservation.reserved = :true',
                ExpressionAttributeValues: { ':off': { reserved: false }, ':now': now.toISOString(), ':one': 1, ':true': true },
              },
            },
            ...order.items.map((l) => restockItem(productsTable, l)),
          ],
        }),
      );
      return true;
    } catch (err) {
      if (isTransactionCanceled(err) || conditionFailed(err)) return false;
      throw err;
    }
  }

  async markRefunded(key: OrderKey, now: Date = new Date()): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { userId: key.userId, orderId: key.orderId },
          UpdateExpression: 'SET payment.#st = :refunded, updatedAt = :now, version = version + :one',
          ConditionExpression: 'payment.#st = :charged',
          ExpressionAttributeNames: { '#st': 'status' },
          ExpressionAttributeValues: { ':refunded': 'REFUNDED', ':charged': 'CHARGED', ':now': now.toISOString(), ':one': 1 },
        }),
      );
      return true;
    } catch (err) {
      if (conditionFailed(err)) return false;
      throw err;
    }
  }

  async recordExecution(key: OrderKey, executionArn: string, now: Date = new Date()): Promise<OrderRecord> {
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { userId: key.userId, orderId: key.orderId },
          UpdateExpression: 'SET executionArn = :arn, updatedAt = :now, version = version + :one',
          ConditionExpression: 'attribute_exists(orderId)',
          ExpressionAttributeValues: { ':arn': executionArn, ':now': now.toISOString(), ':one': 1 },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return out.Attributes as OrderRecord;
    } catch (err) {
      if (conditionFailed(err)) throw notFound(`Order ${key.orderId} not found`);
      throw err;
    }
  }
}
