import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  PutCommand,
  ScanCommand,
  TransactWriteCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { conflict } from '../errors';
import type { Product } from '../schemas/products';

export interface StockLine {
  sku: string;
  qty: number;
}

export interface ProductsRepository {
  list(): Promise<Product[]>;
  getMany(skus: readonly string[]): Promise<Map<string, Product>>;
  /** Decrements stock for every line in one transaction: all lines or none. */
  reserve(lines: readonly StockLine[]): Promise<void>;
  /** Gives reserved stock back (compensation), also in one transaction. */
  release(lines: readonly StockLine[]): Promise<void>;
  putAll(products: readonly Product[]): Promise<void>;
  /** Adds the products whose sku is absent; one already there keeps its stock and price. */
  addMissing(products: readonly Product[]): Promise<{ inserted: number; kept: number }>;
}

const BATCH_GET_MAX = 100;
const BATCH_WRITE_MAX = 25;
/** Bounded retries of unprocessed keys (throttling), with a short backoff. */
const MAX_BATCH_ATTEMPTS = 5;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function chunks<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

function isTransactionCanceled(err: unknown): err is TransactionCanceledException {
  return err instanceof TransactionCanceledException || (err as { name?: string } | null)?.name === 'TransactionCanceledException';
}

/**
 * The transaction item that puts a line's quantity back in stock: a release, and the
 * workflow's compensation, which writes it in one transaction with the order.
 */
export function restockItem(tableName: string, line: StockLine) {
  return {
    Update: {
      TableName: tableName,
      Key: { sku: line.sku },
      UpdateExpression: 'SET stock = stock + :q',
      ConditionExpression: 'attribute_exists(sku)',
      ExpressionAttributeValues: { ':q': line.qty },
    },
  };
}

export class DynamoProductsRepository implements ProductsRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async list(): Promise<Product[]> {
    const products: Product[] = [];
    let start: Record<string, unknown> | undefined;
    // The catalogue is small, but a Scan page stops at 1 MB: follow every page.
    for (let page = 0; page < 1000; page++) {
      const out = await this.doc.send(new ScanCommand({ TableName: this.tableName, ...(start ? { ExclusiveStartKey: start } : {}) }));
      products.push(...((out.Items ?? []) as Product[]));
      start = out.LastEvaluatedKey;
      if (!start) break;
    }
    return products.sort((a, b) => a.sku.localeCompare(b.sku));
  }

  async getMany(skus: readonly string[]): Promise<Map<string, Product>> {
    const found = new Map<string, Product>();
    const unique = [...new Set(skus)];
    for (const chunk of chunks(unique, BATCH_GET_MAX)) {
      let keys: Record<string, unknown>[] = chunk.map((sku) => ({ sku }));
      for (let attempt = 0; keys.length > 0; attempt++) {
        if (attempt >= MAX_BATCH_ATTEMPTS) throw new Error('BatchGet left unprocessed keys after retries');
        if (attempt > 0) await sleep(50 * 2 ** attempt);
        const out = await this.doc.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys, ConsistentRead: true } } }));
        for (const item of out.Responses?.[this.tableName] ?? []) found.set(String(item.sku), item as Product);
        keys = (out.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as Record<string, unknown>[];
      }
    }
    return found;
  }

  async reserve(lines: readonly StockLine[]): Promise<void> {
    if (lines.length === 0) return;
    try {
      await this.doc.send(
        new TransactWriteCommand({
          TransactItems: lines.map((line) => ({
            Update: {
              TableName: this.tableName,
              Key: { sku: line.sku },
              UpdateExpression: 'SET stock = stock - :q',
              ConditionExpression: 'attribute_exists(sku) AND stock >= :q',
              ExpressionAttributeValues: { ':q': line.qty },
            },
          })),
        }),
      );
    } catch (err) {
      if (!isTransactionCanceled(err)) throw err;
      const reasons = err.CancellationReasons ?? [];
      const short = lines.filter((_, i) => reasons[i]?.Code === 'ConditionalCheckFailed').map((l) => l.sku);
      // Other reasons (TransactionConflict, throttling) are transient: let the caller retry.
      if (short.length === 0) throw err;
      throw conflict(`Not enough stock for ${short.join(', ')}`, 'OUT_OF_STOCK', { skus: short });
    }
  }

  async release(lines: readonly StockLine[]): Promise<void> {
    if (lines.length === 0) return;
    await this.doc.send(new TransactWriteCommand({ TransactItems: lines.map((line) => restockItem(this.tableName, line)) }));
  }

  async addMissing(products: readonly Product[]): Promise<{ inserted: number; kept: number }> {
    let inserted = 0;
    for (const product of products) {
      try {
        await this.doc.send(new PutCommand({ TableName: this.tableName, Item: product, ConditionExpression: 'attribute_not_exists(sku)' }));
        inserted++;
      } catch (err) {
        if ((err as { name?: string } | null)?.name !== 'ConditionalCheckFailedException') throw err;
      }
    }
    return { inserted, kept: products.length - inserted };
  }

  async putAll(products: readonly Product[]): Promise<void> {
    for (const chunk of chunks(products, BATCH_WRITE_MAX)) {
      let requests: Record<string, unknown>[] = chunk.map((p) => ({ PutRequest: { Item: p } }));
      for (let attempt = 0; requests.length > 0; attempt++) {
        if (attempt >= MAX_BATCH_ATTEMPTS) throw new Error('BatchWrite left unprocessed items after retries');
        if (attempt > 0) await sleep(50 * 2 ** attempt);
        const out = await this.doc.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: requests } }));
        requests = out.UnprocessedItems?.[this.tableName] ?? [];
      }
    }
  }
}
