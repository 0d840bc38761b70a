import { PatternError, matchesPattern } from './event-patterns';

const ev = {
  source: 'myapp.orders',
  'detail-type': 'OrderCreated',
  detail: {
    orderId: 'ord-123',
    status: 'PLACED',
    total: 2500,
    email: 'Alice@Example.com',
    tags: ['gift', 'express'],
    lines: [{ sku: 'SKU-1', qty: 2 }, { sku: 'SKU-2', qty: 1 }],
    note: null,
    ip: '10.0.3.7',
    nested: { deep: { flag: true } },
  },
};
const m = (p: unknown) => matchesPattern(p, ev);

describe('matchesPattern', () => {
  it('exact values, and a list as alternatives', () => {
    expect(m({ source: ['myapp.orders'] })).toBe(true);
    expect(m({ source: ['myapp.users'] })).toBe(false);
    expect(m({ source: ['myapp.users', 'myapp.orders'], 'detail-type': ['OrderCreated'] })).toBe(true);
    expect(m({ source: ['myapp.orders'], 'detail-type': ['OrderStatusChanged'] })).toBe(false);
    expect(m({ detail: { total: [2500] } })).toBe(true);
    expect(m({ detail: { total: ['2500'] } })).toBe(false); // types must agree
  });
  it('prefix and suffix (also ignoring case)', () => {
    expect(m({ detail: { orderId: [{ prefix: 'ord-' }] } })).toBe(true);
    expect(m({ detail: { orderId: [{ prefix: 'usr-' }] } })).toBe(false);
    expect(m({ detail: { email: [{ suffix: '@example.com' }] } })).toBe(false);
    expect(m({ detail: { email: [{ suffix: { 'equals-ignore-case': '@example.com' } }] } })).toBe(true);
    expect(m({ detail: { total: [{ prefix: '25' }] } })).toBe(false); // numbers are not strings
  });
  it('anything-but: value, list, prefix, suffix', () => {
    expect(m({ detail: { status: [{ 'anything-but': 'CANCELED' }] } })).toBe(true);
    expect(m({ detail: { status: [{ 'anything-but': ['PLACED', 'CANCELED'] }] } })).toBe(false);
    expect(m({ detail: { orderId: [{ 'anything-but': { prefix: 'ord-' } }] } })).toBe(false);
    expect(m({ detail: { orderId: [{ 'anything-but': { prefix: 'usr-' } }] } })).toBe(true);
    expect(m({ detail: { orderId: [{ 'anything-but': { suffix: '123' } }] } })).toBe(false);
    expect(m({ detail: { missing: [{ 'anything-but': 'x' }] } })).toBe(false); // the field must exist
  });
  it('numeric ranges', () => {
    expect(m({ detail: { total: [{ numeric: ['>', 1000, '<=', 2500] }] } })).toBe(true);
    expect(m({ detail: { total: [{ numeric: ['<', 2500] }] } })).toBe(false);
    expect(m({ detail: { total: [{ numeric: ['=', 2500] }] } })).toBe(true);
    expect(m({ detail: { orderId: [{ numeric: ['>', 0] }] } })).toBe(false);
  });
  it('exists true / false, on leaves only', () => {
    expect(m({ detail: { orderId: [{ exists: true }] } })).toBe(true);
    expect(m({ detail: { missing: [{ exists: true }] } })).toBe(false);
    expect(m({ detail: { missing: [{ exists: false }] } })).toBe(true);
    expect(m({ detail: { orderId: [{ exists: false }] } })).toBe(false);
    expect(m({ detail: { note: [{ exists: true }] } })).toBe(true); // null is a present value
  });
  it('equals-ignore-case and wildcard', () => {
    expect(m({ detail: { email: [{ 'equals-ignore-case': 'alice@example.COM' }] } })).toBe(true);
    expect(m({ detail: { email: [{ 'equals-ignore-case': 'bob@example.com' }] } })).toBe(false);
    expect(m({ detail: { orderId: [{ wildcard: 'ord-*3' }] } })).toBe(true);
    expect(m({ detail: { orderId: [{ wildcard: 'ord-*4' }] } })).toBe(false);
    expect(m({ detail: { orderId: [{ wildcard: 'ord.123' }] } })).toBe(false); // . is literal
  });
  it('$or across fields', () => {
    expect(m({ $or: [{ source: ['nope'] }, { detail: { status: ['PLACED'] } }] })).toBe(true);
    expect(m({ $or: [{ source: ['nope'] }, { detail: { status: ['FAILED'] } }] })).toBe(false);
  });
  it('arrays in the event match if any element matches', () => {
    expect(m({ detail: { tags: ['express'] } })).toBe(true);
    expect(m({ detail: { tags: ['slow'] } })).toBe(false);
    expect(m({ detail: { lines: { sku: ['SKU-2'] } } })).toBe(true);
    expect(m({ detail: { lines: { sku: ['SKU-9'] } } })).toBe(false);
  });
  it('nested fields and null', () => {
    expect(m({ detail: { nested: { deep: { flag: [true] } } } })).toBe(true);
    expect(m({ detail: { nested: { deep: { flag: [false] } } } })).toBe(false);
    expect(m({ detail: { note: [null] } })).toBe(true);
    expect(m({ detail: { status: [null] } })).toBe(false);
  });
  it('cidr', () => {
    expect(m({ detail: { ip: [{ cidr: '10.0.0.0/16' }] } })).toBe(true);
    expect(m({ detail: { ip: [{ cidr: '10.1.0.0/16' }] } })).toBe(false);
  });
  it('refuses malformed patterns', () => {
    expect(() => m({ source: 'myapp.orders' })).toThrow(PatternError);
    expect(() => m({ detail: { total: [{ numeric: ['~', 1] }] } })).toThrow(PatternError);
  });
});
