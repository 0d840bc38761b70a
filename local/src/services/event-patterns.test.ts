import fc from 'fast-check';
import {
  EVENT_PATTERN_SIZE_QUOTA,
  JsonNumber,
  PatternError,
  matchesPattern,
  parseEventPattern,
  parseJson,
  validatePattern,
} from './event-patterns';

const ev = {
  source: 'myapp.orders',
  'detail-type': 'OrderCreated',
  detail: {
    orderId: 'ord-123',
    status: 'PLACED',
    total: 2500,
    email: 'Alice@Example.com',
    tags: ['gift', 'express'],
    lines: [
      { sku: 'SKU-1', qty: 2 },
      { sku: 'SKU-2', qty: 1 },
    ],
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

describe('the API PutRule and TestEventPattern will call', () => {
  it('parseEventPattern refuses text that is not JSON, as InvalidEventPatternException', () => {
    const err = (() => {
      try {
        parseEventPattern('{"bad": \'quotation\'}');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(PatternError);
    expect((err as PatternError).name).toBe('InvalidEventPatternException');
    expect((err as PatternError).message).toMatch(/^Event pattern is not valid\. Reason: ./);
  });

  it('parseEventPattern applies the size quota, which an account can raise to 4096', () => {
    const text = JSON.stringify({ source: Array.from({ length: 150 }, (_, i) => `myapp.source-${i}`) });
    expect(text.length).toBeGreaterThan(EVENT_PATTERN_SIZE_QUOTA);
    expect(() => parseEventPattern(text)).toThrow(PatternError);
    expect(matchesPattern(parseEventPattern(text, 4096), { source: 'myapp.source-149' })).toBe(true);
  });

  it('validatePattern accepts what matching accepts, and refuses with the reason', () => {
    expect(() => validatePattern({ detail: { state: [{ 'anything-but': { prefix: 'init' } }] } })).not.toThrow();
    expect(() => validatePattern({ detail: { ip: [{ cidr: '10.0.0.0/33' }] } })).toThrow(
      'Event pattern is not valid. Reason: IPv4 mask bits must be < 32',
    );
  });

  it('plain parsed values (PutEvents, template rules) match the same way, numbers by their JSON text', () => {
    const pattern = { detail: { total: [2500], ip: [{ cidr: '2001:db8::/32' }], tags: [{ wildcard: 'gi*t' }] } };
    expect(matchesPattern(pattern, { detail: { total: 2500, ip: '2001:db8::7', tags: [['x'], ['gift']] } })).toBe(true);
    expect(matchesPattern(pattern, { detail: { total: 2500, ip: '2001:db9::7', tags: ['gift'] } })).toBe(false);
    expect(matchesPattern(pattern, { detail: { total: new JsonNumber('2500.0'), ip: '2001:db8::7', tags: ['gift'] } })).toBe(false);
  });

  it('numbers keep their text through parseJson and back to JSON', () => {
    const event = parseJson('{"a":3.0e2,"b":[1.50]}');
    expect(JSON.stringify(event)).toBe('{"a":300,"b":[1.5]}');
    expect(matchesPattern(parseJson('{"a":[3.0e2]}'), event)).toBe(true);
    expect(matchesPattern(parseJson('{"a":[300]}'), event)).toBe(false);
  });

  it('wildcard matching agrees with a regular expression on random patterns and values', () => {
    const patternArb = fc.array(fc.constantFrom('a', 'b', '*'), { maxLength: 8 }).map((cs) => cs.join('').replace(/\*+/g, '*'));
    fc.assert(
      fc.property(patternArb, fc.stringMatching(/^[ab]{0,10}$/), (wildcard, value) => {
        const oracle = new RegExp(`^${wildcard.replace(/\*/g, '.*')}$`);
        expect(matchesPattern({ v: [{ wildcard }] }, { v: value })).toBe(oracle.test(value));
      }),
    );
  });

  it('wildcard matching stays correct on long values (no exponential backtracking)', () => {
    const value = 'a'.repeat(200_000);
    expect(matchesPattern({ v: [{ wildcard: '*a*a*a*b' }] }, { v: value })).toBe(false);
    expect(matchesPattern({ v: [{ wildcard: '*a*a*a*a' }] }, { v: value })).toBe(true);
  });
});
