import { AppError } from '../errors';
import { decodeCursor, encodeCursor, isExpired } from './pagination';

describe('cursors', () => {
  const expected = ['userId', 'orderId', 'createdAt'];
  it('round-trip a LastEvaluatedKey', () => {
    const key = { userId: 'u', orderId: 'o', createdAt: '2026-01-01T00:00:00.000Z' };
    const token = encodeCursor(key)!;
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(token, expected)).toEqual(key);
    expect(encodeCursor(undefined)).toBeUndefined();
  });

  it.each([
    ['not base64url', '***'],
    ['not JSON', Buffer.from('hello').toString('base64url')],
    ['an array', Buffer.from('[1]').toString('base64url')],
    ['missing attributes', encodeCursor({ userId: 'u' })!],
    ['extra attributes', encodeCursor({ userId: 'u', orderId: 'o', createdAt: 'c', x: 'y' })!],
    ['non-scalar values', encodeCursor({ userId: { S: 'u' }, orderId: 'o', createdAt: 'c' })!],
  ])('reject %s with 400', (_name, token) => {
    expect(() => decodeCursor(token, expected)).toThrow(AppError);
    expect(() => decodeCursor(token, expected)).toThrow(expect.objectContaining({ status: 400 }));
  });
});

describe('isExpired', () => {
  it('compares the TTL attribute with now', () => {
    expect(isExpired({ ttlEpoch: 99 }, 'ttlEpoch', 100)).toBe(true);
    expect(isExpired({ ttlEpoch: 100 }, 'ttlEpoch', 100)).toBe(true);
    expect(isExpired({ ttlEpoch: 101 }, 'ttlEpoch', 100)).toBe(false);
    expect(isExpired({}, 'ttlEpoch', 100)).toBe(false);
  });
});
