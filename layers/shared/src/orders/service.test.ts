import type { OrderRecord } from '../repositories/orders';
import { CATALOGUE } from '../catalogue';
import { InMemoryOrdersRepository, InMemoryProductsRepository } from '../testing/in-memory-repositories';
import { findOrderForCaller, placeOrder, priceLines } from './service';

const products = new InMemoryProductsRepository([
  { sku: 'SKU-0001', name: 'A', price: 1999, currency: 'USD', stock: 1 },
  { sku: 'SKU-0002', name: 'B', price: 350, currency: 'USD', stock: 0 },
  { sku: 'SKU-0003', name: 'C', price: 100, currency: 'EUR', stock: 5 },
]);

describe('priceLines', () => {
  it('prices from the catalogue in integer cents', async () => {
    const priced = await priceLines(products, [
      { sku: 'SKU-0001', qty: 3 },
      { sku: 'SKU-0002', qty: 2 },
    ]);
    expect(priced).toEqual({
      items: [
        { sku: 'SKU-0001', qty: 3, price: 1999 },
        { sku: 'SKU-0002', qty: 2, price: 350 },
      ],
      total: 3 * 1999 + 2 * 350,
      currency: 'USD',
    });
  });

  it('names every unknown sku', async () => {
    await expect(
      priceLines(products, [
        { sku: 'SKU-0404', qty: 1 },
        { sku: 'SKU-0001', qty: 1 },
        { sku: 'SKU-0405', qty: 1 },
      ]),
    ).rejects.toMatchObject({
      status: 400,
      details: [{ path: 'items.0.sku' }, { path: 'items.2.sku' }],
    });
  });

  it('refuses duplicate skus and mixed currencies', async () => {
    await expect(
      priceLines(products, [
        { sku: 'SKU-0001', qty: 1 },
        { sku: 'SKU-0001', qty: 1 },
      ]),
    ).rejects.toMatchObject({ details: [{ path: 'items.1.sku' }] });
    await expect(
      priceLines(products, [
        { sku: 'SKU-0001', qty: 1 },
        { sku: 'SKU-0003', qty: 1 },
      ]),
    ).rejects.toMatchObject({ details: [{ path: 'items.1.sku' }] });
  });
});

describe('placeOrder', () => {
  it('writes a PLACED order expiring after the stale period', async () => {
    const orders = new InMemoryOrdersRepository();
    const now = new Date('2026-03-01T10:00:00.000Z');
    const o = await placeOrder(
      { orders, products, staleOrderSeconds: 600, now: () => now },
      { userId: 'u', items: [{ sku: 'SKU-0001', qty: 1 }] },
    );
    expect(o).toMatchObject({ status: 'PLACED', placedStatus: 'PLACED', version: 1, total: 1999, createdAt: now.toISOString() });
    expect(o.expiresAt).toBe(now.getTime() / 1000 + 600);
    expect(o.history).toEqual([{ status: 'PLACED', at: now.toISOString() }]);
    expect(await orders.get(o)).toEqual(o);
    await expect(
      placeOrder({ orders, products, staleOrderSeconds: 600 }, { userId: 'u', orderId: o.orderId, items: [{ sku: 'SKU-0001', qty: 1 }] }),
    ).rejects.toMatchObject({ status: 409, code: 'ORDER_EXISTS' });
  });

  it('is written with the ARN of its workflow execution, which is named after the order', async () => {
    const orders = new InMemoryOrdersRepository();
    const stateMachineArn = 'arn:aws:states:us-east-1:123456789012:stateMachine:myapp-OrderWorkflow';
    const o = await placeOrder(
      { orders, products, staleOrderSeconds: 600, stateMachineArn },
      { userId: 'u', orderId: 'o-7', items: [{ sku: 'SKU-0001', qty: 1 }] },
    );
    expect(o.executionArn).toBe('arn:aws:states:us-east-1:123456789012:execution:myapp-OrderWorkflow:o-7');
    expect((await orders.get(o))?.executionArn).toBe(o.executionArn);
  });
});

describe('findOrderForCaller', () => {
  const orders = new InMemoryOrdersRepository();
  const stored = (userId: string, orderId: string) =>
    ({
      userId,
      orderId,
      status: 'PLACED',
      items: [],
      total: 0,
      currency: 'USD',
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
      expiresAt: 0,
      version: 1,
      history: [],
    }) as OrderRecord;
  beforeAll(async () => {
    await orders.create(stored('me', 'o1'));
    await orders.create(stored('them', 'o2'));
  });

  it('returns own orders, hides others as 404, and lets admins in where allowed', async () => {
    await expect(findOrderForCaller(orders, { sub: 'me', isAdmin: false }, 'o1', { allowAdmin: true })).resolves.toMatchObject({
      userId: 'me',
      orderId: 'o1',
    });
    await expect(findOrderForCaller(orders, { sub: 'me', isAdmin: false }, 'o2', { allowAdmin: true })).rejects.toMatchObject({
      status: 404,
    });
    await expect(findOrderForCaller(orders, { sub: 'me', isAdmin: true }, 'o2', { allowAdmin: true })).resolves.toMatchObject({
      userId: 'them',
      orderId: 'o2',
    });
    await expect(findOrderForCaller(orders, { sub: 'me', isAdmin: true }, 'o2', { allowAdmin: false })).rejects.toMatchObject({
      status: 404,
    });
  });
});

describe('CATALOGUE', () => {
  it('is a valid, unique, priced and stocked product list', () => {
    expect(CATALOGUE.length).toBeGreaterThanOrEqual(10);
    expect(new Set(CATALOGUE.map((p) => p.sku)).size).toBe(CATALOGUE.length);
    CATALOGUE.forEach((p) => {
      expect(Number.isInteger(p.price) && p.price > 0).toBe(true);
      expect(p.currency).toBe('USD');
    });
  });
});
