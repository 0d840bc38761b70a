import { AppError } from '../errors';
import { ORDER_STATUSES, type OrderStatus } from '../schemas/orders';
import {
  CANCEL_WINDOW_MS,
  HAPPY_PATH,
  IN_PIPELINE_STATUSES,
  ORDER_TRANSITIONS,
  WORKFLOW_PATH,
  assertCancellable,
  assertEditable,
  assertTransition,
  canTransition,
  hasReached,
  isCancellable,
  isEditable,
  isInPipeline,
} from './rules';

/** SPEC 6, written out independently of the table under test. */
const ALLOWED: Array<[OrderStatus, OrderStatus]> = [
  ['PLACED', 'VALIDATED'],
  ['VALIDATED', 'RESERVED'],
  ['RESERVED', 'CHARGED'],
  ['CHARGED', 'CONFIRMED'],
  ['CONFIRMED', 'ACKNOWLEDGED'],
  ['PLACED', 'CANCELED'],
  ['PLACED', 'EXPIRED'],
  ['PLACED', 'FAILED'],
  ['VALIDATED', 'FAILED'],
  ['RESERVED', 'FAILED'],
  ['CHARGED', 'FAILED'],
  ['FAILED', 'PLACED'],
];
const key = (f: string, t: string) => `${f}->${t}`;
const allowed = new Set(ALLOWED.map(([f, t]) => key(f, t)));
const all = ORDER_STATUSES.flatMap((f) => ORDER_STATUSES.map((t) => [f, t] as [OrderStatus, OrderStatus]));

describe('ORDER_TRANSITIONS', () => {
  it.each(ALLOWED)('allows %s -> %s', (from, to) => {
    expect(() => assertTransition(from, to)).not.toThrow();
  });

  it.each(all.filter(([f, t]) => !allowed.has(key(f, t))))('refuses %s -> %s with 409 INVALID_TRANSITION', (from, to) => {
    expect(() => assertTransition(from, to)).toThrow(expect.objectContaining({ status: 409, code: 'INVALID_TRANSITION' }));
  });

  it('holds exactly the transitions of SPEC 6 plus the retry path', () => {
    const table = Object.entries(ORDER_TRANSITIONS).flatMap(([f, ts]) => ts.map((t) => key(f, t)));
    expect(new Set(table)).toEqual(allowed);
  });
});

describe('assertCancellable', () => {
  const created = new Date('2026-01-01T12:00:00.000Z');
  const at = (ms: number) => new Date(created.getTime() + ms);
  const order = (status: OrderStatus) => ({ status, createdAt: created.toISOString() });

  it('allows cancel of a PLACED order just inside the 10-minute window', () => {
    expect(() => assertCancellable(order('PLACED'), at(0))).not.toThrow();
    expect(() => assertCancellable(order('PLACED'), at(CANCEL_WINDOW_MS - 1))).not.toThrow();
  });
  it('refuses at exactly 10 minutes and after', () => {
    for (const ms of [CANCEL_WINDOW_MS, CANCEL_WINDOW_MS + 1, 3600_000]) {
      expect(() => assertCancellable(order('PLACED'), at(ms))).toThrow(
        expect.objectContaining({ status: 409, code: 'CANCEL_WINDOW_CLOSED' }),
      );
    }
  });
  it.each(ORDER_STATUSES.filter((s) => s !== 'PLACED'))('refuses cancel of a %s order', (status) => {
    let caught: unknown;
    try {
      assertCancellable(order(status), at(1000));
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(AppError);
    expect((caught as AppError).status).toBe(409);
  });
});

describe('the happy path and the pipeline', () => {
  it('walks the allowed transitions from PLACED to ACKNOWLEDGED', () => {
    expect(HAPPY_PATH).toEqual(['PLACED', 'VALIDATED', 'RESERVED', 'CHARGED', 'CONFIRMED', 'ACKNOWLEDGED']);
    HAPPY_PATH.slice(1).forEach((to, i) => expect(canTransition(HAPPY_PATH[i]!, to)).toBe(true));
    expect(WORKFLOW_PATH).toEqual(HAPPY_PATH.slice(0, -1));
  });

  it('hasReached compares positions on the happy path; off-path statuses reach nothing', () => {
    expect(hasReached('CHARGED', 'RESERVED')).toBe(true);
    expect(hasReached('CHARGED', 'CHARGED')).toBe(true);
    expect(hasReached('RESERVED', 'CHARGED')).toBe(false);
    expect(hasReached('ACKNOWLEDGED', 'CONFIRMED')).toBe(true);
    for (const off of ['CANCELED', 'EXPIRED', 'FAILED'] as const) {
      expect(HAPPY_PATH.some((step) => hasReached(off, step))).toBe(false);
    }
  });

  it('the statuses in the pipeline are exactly those that may fail, and settled ones are not', () => {
    expect([...IN_PIPELINE_STATUSES].sort()).toEqual(['CHARGED', 'PLACED', 'RESERVED', 'VALIDATED']);
    for (const s of ORDER_STATUSES) expect(isInPipeline(s)).toBe(allowed.has(key(s, 'FAILED')));
  });
});

describe('editing', () => {
  it.each(ORDER_STATUSES)('a %s order is editable only if PLACED', (status) => {
    expect(isEditable(status)).toBe(status === 'PLACED');
    if (status === 'PLACED') expect(() => assertEditable({ status })).not.toThrow();
    else
      expect(() => assertEditable({ status })).toThrow(
        expect.objectContaining({
          status: 409,
          code: 'INVALID_TRANSITION',
          message: `Order is ${status}; only PLACED orders can be changed`,
        }),
      );
  });
});

describe('isCancellable', () => {
  const created = '2026-01-01T12:00:00.000Z';
  const at = (ms: number) => new Date(Date.parse(created) + ms);
  it('agrees with assertCancellable at the window edge and for other statuses', () => {
    expect(isCancellable({ status: 'PLACED', createdAt: created }, at(CANCEL_WINDOW_MS - 1))).toBe(true);
    expect(isCancellable({ status: 'PLACED', createdAt: created }, at(CANCEL_WINDOW_MS))).toBe(false);
    expect(isCancellable({ status: 'VALIDATED', createdAt: created }, at(0))).toBe(false);
  });
});
