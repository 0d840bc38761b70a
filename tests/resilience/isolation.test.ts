/**
 * Isolation: a second user's requests on the first user's order, to-do, user record and
 * profile get 403/404 and never the data; afterwards the first user's data is unchanged.
 */
import { createTestUser, type TestUser } from '../support/runtime';
import { call, outputs } from './support';

let alice: TestUser;
let bob: TestUser;
let orderId: string;
let todoId: string;
const marker = `secret-${Date.now()}`;

beforeAll(async () => {
  [alice, bob] = await Promise.all([createTestUser(outputs()), createTestUser(outputs())]);
  const o = await call('POST', '/orders', { user: alice, body: { items: [{ sku: 'SKU-0001', qty: 1 }], paymentToken: `tok_${marker}` } });
  expect(o.status).toBe(202);
  orderId = String(o.body!.orderId);
  const t = await call('POST', '/todos', { user: alice, body: { title: marker, notes: marker } });
  expect(t.status).toBe(201);
  todoId = String(t.body!.todoId);
  const p = await call('POST', '/profiles', { user: alice, body: { name: marker, plan: 'free' } });
  expect([200, 201]).toContain(p.status);
});

function refused(r: { status: number; text: string }, what: string) {
  // What was tried is part of each value compared, so a failure names it: "PUT order -> 200".
  expect(`${what} -> ${r.status}`).toMatch(/ -> 40[34]$/);
  expect({ what, showsAlicesData: r.text.includes(marker), showsAlicesEmail: r.text.includes(alice.email) }).toEqual({
    what,
    showsAlicesData: false,
    showsAlicesEmail: false,
  });
}

describe('isolation between users', () => {
  it('orders', async () => {
    refused(await call('GET', `/orders/${orderId}`, { user: bob }), 'GET order');
    refused(await call('GET', `/orders/${orderId}?include=workflow`, { user: bob }), 'GET order include');
    refused(
      await call('PUT', `/orders/${orderId}`, { user: bob, body: { items: [{ sku: 'SKU-0002', qty: 5 }], version: 1 } }),
      'PUT order',
    );
    refused(await call('DELETE', `/orders/${orderId}`, { user: bob }), 'DELETE order');
    refused(await call('POST', `/orders/${orderId}/acknowledge`, { user: bob }), 'acknowledge');
    refused(await call('POST', `/orders/${orderId}/retry`, { user: bob }), 'retry');
    const list = await call('GET', '/orders', { user: bob });
    expect(list.status).toBe(200);
    expect(list.text).not.toContain(orderId);
    // Same orderId from bob must not hand him alice's order.
    const dup = await call('POST', '/orders', { user: bob, body: { orderId, items: [{ sku: 'SKU-0001', qty: 1 }] } });
    expect(dup.status).toBeLessThan(500);
    expect(dup.text).not.toContain(marker);
    expect(dup.text).not.toContain(alice.sub);
  });

  it('to-dos', async () => {
    refused(await call('GET', `/todos/${todoId}`, { user: bob }), 'GET todo');
    refused(await call('PUT', `/todos/${todoId}`, { user: bob, body: { title: 'mallory' } }), 'PUT todo');
    refused(await call('POST', `/todos/${todoId}/done`, { user: bob }), 'done');
    refused(await call('DELETE', `/todos/${todoId}`, { user: bob }), 'DELETE todo');
    const list = await call('GET', '/todos', { user: bob });
    expect(list.status).toBe(200);
    expect(list.text).not.toContain(todoId);
    expect(list.text).not.toContain(marker);
  });

  it('user record and profile', async () => {
    refused(await call('GET', `/users/${alice.sub}`, { user: bob }), 'GET user');
    refused(await call('PUT', `/users/${alice.sub}`, { user: bob, body: { name: 'Mallory' } }), 'PUT user');
    refused(await call('DELETE', `/users/${alice.sub}`, { user: bob }), 'DELETE user');
    refused(await call('GET', `/profiles/${alice.sub}`, { user: bob }), 'GET profile');
    refused(await call('GET', '/users', { user: bob }), 'GET users (admin only)');
    // POST /profiles only ever writes the caller's own record, whatever the body says.
    const p = await call('POST', '/profiles', { user: bob, body: { name: 'Bob', plan: 'free', userId: alice.sub } });
    expect(p.status).toBeLessThan(500);
    if (p.status < 300) expect(p.body!.userId).toBe(bob.sub);
  });

  it('uploads land under the caller’s own prefix, even with a path in the file name', async () => {
    for (const fileName of ['a.txt', `../${alice.sub}/a.txt`, `../../uploads/${alice.sub}/x.txt`]) {
      const r = await call('POST', '/uploads', { user: bob, body: { fileName, contentType: 'text/plain', size: 10 } });
      expect(r.status).toBeLessThan(500);
      if (r.status === 201) {
        const key = String(r.body!.key);
        expect(key.startsWith(`uploads/${bob.sub}/`)).toBe(true);
        expect(key.split('/')).not.toContain('..');
      }
    }
  });

  it('alice’s data is unchanged afterwards', async () => {
    const o = await call('GET', `/orders/${orderId}`, { user: alice });
    expect(o.status).toBe(200);
    // The order is written once, with its execution's ARN (the workflow holds it PLACED); nothing else may have written.
    expect(o.body!.status).toBe('PLACED');
    expect(o.body!.version).toBe(1);
    expect(o.body!.executionArn).toMatch(new RegExp(`:execution:[^:]+:${orderId}$`));
    expect((o.body!.history as { status: string }[]).map((h) => h.status)).toEqual(['PLACED']);
    expect(o.body!.items).toEqual([expect.objectContaining({ sku: 'SKU-0001', qty: 1 })]);
    const t = await call('GET', `/todos/${todoId}`, { user: alice });
    expect(t.status).toBe(200);
    expect(t.body).toMatchObject({ title: marker, done: false });
    const u = await call('GET', `/users/${alice.sub}`, { user: alice });
    expect(u.status).toBe(200);
    expect(u.body!.name).toBe(marker);
  });
});
