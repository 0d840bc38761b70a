/**
 * The workflow steps over the in-memory repositories (which pass the same contract suite as the
 * DynamoDB ones): each test asserts what happened to the order and the stock.
 */
import type { OrderRecord } from '../repositories/orders';
import { inMemoryRepositories } from '../testing/in-memory-repositories';
import { FIXTURE_ORDER_KEY, fixtureProducts, placedOrder } from '../testing/order-fixtures';
import {
  buildNotification,
  confirmOrder,
  failureReason,
  markOrderFailed,
  processPayment,
  refundPayment,
  releaseInventory,
  reserveInventory,
  validateOrder,
  type PipelineDeps,
} from './tasks';

let deps: ReturnType<typeof inMemoryRepositories> & PipelineDeps;
const key = FIXTURE_ORDER_KEY;

const given = (over: Partial<OrderRecord> = {}): Promise<OrderRecord> => deps.orders.create(placedOrder(over));
const order = async () => (await deps.orders.get(key))!;
const stock = async () => [...(await deps.products.getMany(['SKU-1', 'SKU-2'])).values()].map((p) => p.stock);

beforeEach(() => {
  deps = inMemoryRepositories(fixtureProducts());
});

describe('validateOrder', () => {
  it('moves a sound PLACED order to VALIDATED, once', async () => {
    await given();
    await expect(validateOrder(deps, key)).resolves.toEqual({ ...key, active: true, status: 'VALIDATED', changed: true });
    await expect(validateOrder(deps, key)).resolves.toEqual({ ...key, active: true, status: 'VALIDATED', changed: false });
    expect((await order()).version).toBe(2);
  });

  it.each([
    ['no lines', { items: [], total: 0 }, 'Order has no lines'],
    ['a total that does not match', { total: 1 }, 'Order total 1 does not match its lines (1250)'],
    ['an unknown product', { items: [{ sku: 'SKU-9', qty: 1, price: 1 }], total: 1 }, 'Unknown products: SKU-9'],
  ])('fails an order with %s as OrderInvalid and leaves it PLACED', async (_what, over, message) => {
    await given(over);
    await expect(validateOrder(deps, key)).rejects.toMatchObject({ name: 'OrderInvalid', message });
    expect((await order()).status).toBe('PLACED');
  });

  it('retries against the fresh order when a write only bumped the version, and ends cleanly when a cancel won', async () => {
    await given();
    const transition = deps.orders.transition.bind(deps.orders);
    let race: (() => Promise<unknown>) | undefined = () => deps.orders.recordExecution(key, 'arn:exec');
    deps.orders.transition = async (...args) => {
      const before = race;
      race = undefined;
      await before?.();
      return transition(...args);
    };
    await expect(validateOrder(deps, key)).resolves.toMatchObject({ status: 'VALIDATED', changed: true });
    await given({ orderId: 'o-2' });
    race = () => deps.orders.transition({ userId: 'u-1', orderId: 'o-2' }, 'PLACED', 'CANCELED');
    await expect(validateOrder(deps, { userId: 'u-1', orderId: 'o-2' })).resolves.toMatchObject({
      status: 'CANCELED',
      active: false,
      changed: false,
    });
  });

  it('ends cleanly for an order canceled meanwhile, and names a missing one', async () => {
    await given({ status: 'CANCELED' });
    await expect(validateOrder(deps, key)).resolves.toMatchObject({ active: false, status: 'CANCELED', changed: false });
    await expect(validateOrder(deps, { userId: 'u-1', orderId: 'nope' })).rejects.toMatchObject({ name: 'OrderNotFound' });
  });
});

describe('reserveInventory', () => {
  it('takes the stock of every line and records the reservation, once', async () => {
    await given({ status: 'VALIDATED' });
    await expect(reserveInventory(deps, key)).resolves.toMatchObject({ status: 'RESERVED', changed: true });
    await expect(reserveInventory(deps, key)).resolves.toMatchObject({ status: 'RESERVED', changed: false });
    expect(await stock()).toEqual([3, 0]);
    expect((await order()).reservation).toEqual({ reserved: true });
  });

  it('fails OutOfStock naming the short products, taking nothing', async () => {
    await given({
      status: 'VALIDATED',
      items: [
        { sku: 'SKU-1', qty: 1, price: 500 },
        { sku: 'SKU-2', qty: 2, price: 250 },
      ],
      total: 1000,
    });
    await expect(reserveInventory(deps, key)).rejects.toMatchObject({ name: 'OutOfStock', message: 'Not enough stock for SKU-2' });
    expect(await stock()).toEqual([5, 1]);
    expect((await order()).status).toBe('VALIDATED');
  });
});

describe('processPayment', () => {
  it('charges once, recording the charge and the attempt on the order', async () => {
    await given({ status: 'RESERVED', paymentToken: 'tok_visa' });
    await expect(processPayment(deps, key)).resolves.toMatchObject({ status: 'CHARGED', changed: true });
    await expect(processPayment(deps, key)).resolves.toMatchObject({ status: 'CHARGED', changed: false });
    expect(await order()).toMatchObject({ payment: { chargeId: expect.stringMatching(/^ch_/), status: 'CHARGED' }, paymentAttempts: 1 });
  });

  it('declines tok_decline (final) and leaves the order RESERVED', async () => {
    await given({ status: 'RESERVED', paymentToken: 'tok_decline' });
    await expect(processPayment(deps, key)).rejects.toMatchObject({ name: 'PaymentDeclined' });
    expect(await order()).toMatchObject({ status: 'RESERVED', paymentAttempts: 1 });
    expect((await order()).payment).toBeUndefined();
  });

  it('fails tok_flaky on the first attempt only (retryable), then charges', async () => {
    await given({ status: 'RESERVED', paymentToken: 'tok_flaky' });
    await expect(processPayment(deps, key)).rejects.toMatchObject({ name: 'PaymentProviderUnavailable' });
    await expect(processPayment(deps, key)).resolves.toMatchObject({ status: 'CHARGED' });
    expect((await order()).paymentAttempts).toBe(2);
  });
});

describe('confirmOrder and buildNotification', () => {
  it('confirms a charged order, and notifies only once it is confirmed', async () => {
    await given({ status: 'CHARGED' });
    await expect(buildNotification(deps, key)).resolves.toBeUndefined();
    await expect(confirmOrder(deps, key)).resolves.toMatchObject({ status: 'CONFIRMED', changed: true });
    await expect(buildNotification(deps, key)).resolves.toEqual({
      kind: 'ORDER_CONFIRMED',
      ...key,
      total: 1250,
      currency: 'USD',
      lines: 2,
    });
  });
});

describe('steps that write first (payment, confirm)', () => {
  it('read nothing on the way through, and classify a refused write as a step does', async () => {
    await given({ status: 'RESERVED', paymentToken: 'tok_visa' });
    const get = jest.spyOn(deps.orders, 'get');
    await expect(processPayment(deps, key)).resolves.toMatchObject({ status: 'CHARGED', active: true, changed: true });
    await expect(confirmOrder(deps, key)).resolves.toMatchObject({ status: 'CONFIRMED', active: true, changed: true });
    expect(get).not.toHaveBeenCalled();
    // Run again (a retried execution): refused, read, reported done.
    await expect(processPayment(deps, key)).resolves.toMatchObject({ status: 'CONFIRMED', active: true, changed: false });
    await expect(confirmOrder(deps, key)).resolves.toMatchObject({ status: 'CONFIRMED', active: true, changed: false });
    expect(get).toHaveBeenCalledTimes(2);
    expect((await order()).paymentAttempts).toBe(1);
  });

  it('end cleanly for an order that left the pipeline, and fail OrderNotFound for a missing one', async () => {
    await given({ status: 'CANCELED' });
    await expect(processPayment(deps, key)).resolves.toMatchObject({ status: 'CANCELED', active: false, changed: false });
    await expect(confirmOrder(deps, key)).resolves.toMatchObject({ status: 'CANCELED', active: false, changed: false });
    const missing = { ...key, orderId: 'missing' };
    await expect(processPayment(deps, missing)).rejects.toMatchObject({ name: 'OrderNotFound' });
    await expect(confirmOrder(deps, missing)).rejects.toMatchObject({ name: 'OrderNotFound' });
  });

  it('end cleanly when the order fails elsewhere between the attempt and the charge', async () => {
    await given({ status: 'RESERVED', paymentToken: 'tok_visa' });
    const record = deps.orders.recordPaymentAttempt.bind(deps.orders);
    deps.orders.recordPaymentAttempt = async (k) => {
      const recorded = await record(k);
      await deps.orders.transition(k, 'RESERVED', 'FAILED');
      return recorded;
    };
    await expect(processPayment(deps, key)).resolves.toMatchObject({ status: 'FAILED', active: false, changed: false });
    expect((await order()).payment).toBeUndefined();
  });
});

describe('compensation', () => {
  it('releases the reserved stock once', async () => {
    await given({ status: 'VALIDATED' });
    await reserveInventory(deps, key);
    await expect(releaseInventory(deps, { ...key, error: { Error: 'PaymentDeclined' } })).resolves.toEqual({ released: true });
    await expect(releaseInventory(deps, key)).resolves.toEqual({ released: false });
    expect(await stock()).toEqual([5, 1]);
  });

  it('refunds a charge still in place, once', async () => {
    await given({ status: 'CHARGED', payment: { chargeId: 'ch_1', status: 'CHARGED' } });
    await expect(refundPayment(deps, key)).resolves.toEqual({ refunded: true, chargeId: 'ch_1' });
    await expect(refundPayment(deps, key)).resolves.toEqual({ refunded: false });
    expect((await order()).payment?.status).toBe('REFUNDED');
  });

  it('marks an order in the pipeline FAILED with a readable reason, and leaves a settled one alone', async () => {
    await given({ status: 'RESERVED' });
    const error = { Error: 'PaymentDeclined', Cause: JSON.stringify({ errorMessage: 'Payment declined for order o-1' }) };
    await expect(markOrderFailed(deps, { ...key, error })).resolves.toMatchObject({ status: 'FAILED', active: false, changed: true });
    expect(await order()).toMatchObject({ status: 'FAILED', failureReason: 'PaymentDeclined: Payment declined for order o-1' });
    await expect(markOrderFailed(deps, { ...key, error })).resolves.toMatchObject({ status: 'FAILED', changed: false });
  });

  it.each(['CONFIRMED', 'CANCELED'] as const)('does not fail a %s order', async (status) => {
    await given({ status });
    await expect(markOrderFailed(deps, key)).resolves.toMatchObject({ status, changed: false });
  });

  it('reads the reason from a Cause that is not JSON, and without one', () => {
    expect(failureReason({ Error: 'States.Timeout', Cause: 'took too long' })).toBe('States.Timeout: took too long');
    expect(failureReason({ Error: 'OutOfStock' })).toBe('OutOfStock');
    expect(failureReason(undefined)).toBe('Workflow failed');
  });
});
