import { badRequest } from '../errors';

/** DynamoDB LastEvaluatedKey ⇄ opaque base64url cursor. */
export type Cursor = Record<string, string | number>;

export function encodeCursor(key: Record<string, unknown> | undefined): string | undefined {
  if (!key) return undefined;
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/**
 * Decodes a cursor and checks it has exactly the expected attributes with scalar values, so
 * a forged or truncated token is a 400 and never reaches DynamoDB as a bad ExclusiveStartKey.
 */
export function decodeCursor(token: string | undefined, expected: readonly string[]): Cursor | undefined {
  if (token === undefined) return undefined;
  const invalid = () => badRequest('Malformed nextToken', [{ path: 'nextToken', message: 'Not a token issued by this API' }]);
  if (!/^[A-Za-z0-9_-]+$/.test(token)) throw invalid();
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid();
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length !== expected.length) throw invalid();
  const cursor: Cursor = {};
  for (const name of expected) {
    const v = (value as Record<string, unknown>)[name];
    if (typeof v !== 'string' && typeof v !== 'number') throw invalid();
    cursor[name] = v;
  }
  return cursor;
}

export interface Page<T> {
  items: T[];
  nextToken?: string;
}

export const nowEpoch = (now: Date = new Date()): number => Math.floor(now.getTime() / 1000);

/** True when the item's TTL attribute is in the past: DynamoDB deletes lazily, so reads hide it. */
export function isExpired(item: Record<string, unknown>, ttlAttribute: string, epoch: number = nowEpoch()): boolean {
  const ttl = item[ttlAttribute];
  return typeof ttl === 'number' && ttl <= epoch;
}
