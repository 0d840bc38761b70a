/**
 * The REST API of SPEC 4 on the local runtime (template.yaml), driven over HTTP with tokens
 * from the runtime's Cognito endpoint. OrderHoldSeconds=60 keeps orders PLACED long enough
 * to update and cancel them (the workflow waits before it validates).
 */
import { request } from 'node:http';
import { createTestUser, startLocalRuntime, type LocalRuntimeHandle, type TestUser } from '../support/runtime';

jest.setTimeout(120_000);

let rt: LocalRuntimeHandle;
let api: string;
let alice: TestUser;
let bob: TestUser;
let admin: TestUser;

type Json = Record<string, any>;

async function call(method: string, path: string, user?: TestUser, body?: unknown): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${api}${path}`, {
    method,
    headers: { ...(user?.headers ?? {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Json) : {} };
}

beforeAll(async () => {
  rt = await startLocalRuntime({ parameterOverrides: { OrderHoldSeconds: '60' } });
  api = rt.outputs.APIEndpoint!.replace(/\/$/, '');
  [alice, bob, admin] = await Promise.all([
    createTestUser(rt.outputs),
    createTestUser(rt.outputs),
    createTestUser(rt.outputs, { admin: true }),
  ]);
});
afterAll(async () => {
  await rt?.stop();
});

describe('public routes and auth', () => {
  it('GET /health and GET /products need no token', async () => {
    const h = await call('GET', '/health');
    expect(h.status).toBe(200);
    expect(h.body).toMatchObject({ ok: true });
    const p = await call('GET', '/products');
    expect(p.status).toBe(200);
    const items = (p.body.items ?? p.body) as Json[];
    expect(items.length).toBeGreaterThan(0); // loaded by the Catalogue custom resource
    expect(items[0]).toHaveProperty('sku');
  });

  it('401 without a token, with garbage, and with a token signed by another key', async () => {
    expect((await call('GET', '/orders')).status).toBe(401);
    const forged = `${alice.idToken.split('.').slice(0, 2).join('.')}.${Buffer.from('x'.repeat(256)).toString('base64url')}`;
    for (const token of ['nonsense', forged]) {
      const res = await fetch(`${api}/orders`, { headers: { authorization: token } });
      expect(res.status).toBe(401);
      // The template's UNAUTHORIZED gateway response: the app's error shape, readable cross-origin.
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
      expect(await res.json()).toEqual({
        error: { code: 'UNAUTHORIZED', message: expect.any(String) },
        requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      });
    }
  });

  it('the access token is not accepted where an id token is expected (token_use)', async () => {
    const res = await fetch(`${api}/orders`, { headers: { authorization: alice.accessToken } });
    expect([401, 403]).toContain(res.status);
  });

  it('unknown routes (and methods) are the template’s MISSING_AUTHENTICATION_TOKEN response: 404 in the app’s error shape', async () => {
    for (const [method, path] of [
      ['GET', '/nope'],
      ['PATCH', '/orders'],
      ['GET', '/prod/nope'],
    ] as const) {
      const res = await fetch(`${api.replace(/\/prod$/, '')}${path}`, { method, headers: alice.headers });
      expect(res.status).toBe(404);
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
      expect(await res.json()).toEqual({
        error: { code: 'NOT_FOUND', message: 'No route for this method and path' },
        requestId: expect.any(String),
      });
    }
  });

  it('a function sees the headers and request context API Gateway sends', async () => {
    // GET /openapi.json's server URL is built from them (X-Forwarded-Proto, requestContext.domainName and .path).
    const doc = await call('GET', '/openapi.json');
    expect(doc.body.servers).toEqual([{ url: api }]);
  });

  it('a request path starting with // (what a client makes of /prod/%2e%2e//x) is a 4xx, not a 500', async () => {
    const { port } = new URL(api);
    const status = await new Promise<number>((resolve, reject) => {
      // node:http sends the path as written (fetch would normalize it first).
      request(
        { host: '127.0.0.1', port, path: '//a%2Fb/%00?limit=1', method: 'PUT', headers: { authorization: `Bearer ${alice.idToken}` } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      )
        .on('error', reject)
        .end();
    });
    expect(status).toBeGreaterThanOrEqual(400);
    expect(status).toBeLessThan(500);
  });
});

describe('orders', () => {
  const items = [{ sku: 'SKU-0001', qty: 1 }];

  it('creates an order (202 PLACED), idempotently on orderId; a different body is 409', async () => {
    const orderId = `ord-${Date.now()}`;
    const first = await call('POST', '/orders', alice, { orderId, items });
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ orderId, status: 'PLACED', userId: alice.sub, version: 1 });
    const again = await call('POST', '/orders', alice, { orderId, items });
    expect(again.status).toBe(202);
    expect(again.body.orderId).toBe(orderId);
    expect(again.body.createdAt).toBe(first.body.createdAt);
    const different = await call('POST', '/orders', alice, { orderId, items: [{ sku: 'SKU-0002', qty: 2 }] });
    expect(different.status).toBe(409);
    // Another user under the same key is refused too, never served alice's order.
    const other = await call('POST', '/orders', bob, { orderId, items });
    expect(other.status).toBe(409);
  });

  it('validates bodies with the failing fields (400) and refuses non-JSON (415)', async () => {
    const bad = await call('POST', '/orders', alice, { items: [{ sku: 'SKU-0001', qty: 0 }] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBeDefined();
    expect(JSON.stringify(bad.body.error.details)).toMatch(/qty/);
    const res = await fetch(`${api}/orders`, { method: 'POST', headers: { ...alice.headers, 'content-type': 'text/plain' }, body: 'hi' });
    expect(res.status).toBe(415);
  });

  it('get, update with versions, cancel, then refuses further transitions (409)', async () => {
    const created = await call('POST', '/orders', alice, { items });
    const id = created.body.orderId as string;
    const got = await call('GET', `/orders/${id}`, alice);
    expect(got.status).toBe(200);
    expect(got.body.history[0].status).toBe('PLACED');

    const upd = await call('PUT', `/orders/${id}`, alice, { items: [{ sku: 'SKU-0002', qty: 3 }], version: 1 });
    expect(upd.status).toBe(200);
    expect(upd.body.version).toBe(2);
    const stale = await call('PUT', `/orders/${id}`, alice, { items, version: 1 });
    expect(stale.status).toBe(409);

    const cancel = await call('DELETE', `/orders/${id}`, alice);
    expect(cancel.status).toBe(200);
    expect(cancel.body.status).toBe('CANCELED');
    expect((await call('DELETE', `/orders/${id}`, alice)).status).toBe(409);
    expect((await call('PUT', `/orders/${id}`, alice, { items, version: 3 })).status).toBe(409);
  });

  it('acknowledge is admin-only and only from CONFIRMED', async () => {
    const created = await call('POST', '/orders', alice, { items });
    const id = created.body.orderId as string;
    expect((await call('POST', `/orders/${id}/acknowledge`, alice)).status).toBe(403);
    expect((await call('POST', `/orders/${id}/acknowledge`, admin)).status).toBe(409); // still PLACED
  });

  it('lists only the caller’s orders, newest first, and isolates users on every order route', async () => {
    const mine = await call('POST', '/orders', bob, { items });
    const id = mine.body.orderId as string;
    const list = await call('GET', '/orders', bob);
    expect(list.status).toBe(200);
    const ids = (list.body.items as Json[]).map((o) => o.orderId);
    expect(ids[0]).toBe(id);
    expect((list.body.items as Json[]).every((o) => o.userId === bob.sub)).toBe(true);

    const aliceList = await call('GET', '/orders', alice);
    expect((aliceList.body.items as Json[]).some((o) => o.orderId === id)).toBe(false);
    expect((await call('GET', `/orders/${id}`, alice)).status).toBe(404);
    expect((await call('PUT', `/orders/${id}`, alice, { items, version: 1 })).status).toBe(404);
    expect((await call('DELETE', `/orders/${id}`, alice)).status).toBe(404);
    expect((await call('GET', `/orders/${id}`, admin)).status).toBe(200);
  });
});

describe('users and profiles', () => {
  it('GET/POST /users are admin-only', async () => {
    expect((await call('GET', '/users', alice)).status).toBe(403);
    const created = await call('POST', '/users', admin, { name: 'Dana', email: `dana-${Date.now()}@example.com`, plan: 'pro' });
    expect(created.status).toBe(201);
    const list = await call('GET', '/users?limit=50', admin);
    expect(list.status).toBe(200);
    expect((list.body.items as Json[]).some((u) => u.userId === created.body.userId)).toBe(true);
  });

  it('POST /users as seed 000 sends it, with no plan, creates a free user', async () => {
    const created = await call('POST', '/users', admin, { name: 'Alice', email: `alice-${Date.now()}@example.com` });
    expect(created.status).toBe(201);
    expect(created.body.plan).toBe('free');
    expect((await call('GET', `/users/${String(created.body.userId)}`, admin)).body.plan).toBe('free');
  });

  it('a profile is the caller’s own record; others cannot read or change it', async () => {
    const put = await call('POST', '/profiles', alice, { name: 'Alice', plan: 'free' });
    expect([200, 201]).toContain(put.status);
    expect(put.body).toMatchObject({ userId: alice.sub, email: alice.email, name: 'Alice' });
    expect((await call('GET', `/profiles/${alice.sub}`, alice)).status).toBe(200);
    // Another user's record is answered as absent (404), so ids cannot be probed.
    expect((await call('GET', `/profiles/${alice.sub}`, bob)).status).toBe(404);
    expect((await call('GET', `/profiles/${alice.sub}`, admin)).status).toBe(200);
    expect((await call('GET', `/users/${alice.sub}`, bob)).status).toBe(404);
    expect((await call('PUT', `/users/${alice.sub}`, bob, { name: 'Mallory' })).status).toBe(404);
    expect((await call('DELETE', `/users/${alice.sub}`, bob)).status).toBe(404);
    expect((await call('GET', `/profiles/${alice.sub}`, alice)).body.name).toBe('Alice');
    const own = await call('PUT', `/users/${alice.sub}`, alice, { bio: 'hello' });
    expect(own.status).toBe(200);
    expect(own.body.bio).toBe('hello');
  });
});

describe('todos', () => {
  it('CRUD on the caller’s own items, done, and isolation', async () => {
    const created = await call('POST', '/todos', alice, { title: 'write tests' });
    expect(created.status).toBe(201);
    const id = created.body.todoId as string;
    expect((await call('GET', `/todos/${id}`, alice)).body.title).toBe('write tests');
    expect((await call('PUT', `/todos/${id}`, alice, { title: 'write more tests' })).body.title).toBe('write more tests');
    expect((await call('POST', `/todos/${id}/done`, alice)).body.done).toBe(true);
    const list = await call('GET', '/todos', alice);
    expect((list.body.items as Json[]).map((t) => t.todoId)).toContain(id);

    expect((await call('GET', '/todos', bob)).body.items as Json[]).not.toContainEqual(expect.objectContaining({ todoId: id }));
    expect((await call('GET', `/todos/${id}`, bob)).status).toBe(404);
    expect((await call('PUT', `/todos/${id}`, bob, { title: 'x' })).status).toBe(404);
    expect((await call('POST', `/todos/${id}/done`, bob)).status).toBe(404);
    expect((await call('DELETE', `/todos/${id}`, bob)).status).toBe(404);

    expect([200, 204]).toContain((await call('DELETE', `/todos/${id}`, alice)).status);
    expect((await call('GET', `/todos/${id}`, alice)).status).toBe(404);
  });
});

describe('uploads', () => {
  it('a presigned PUT really uploads to the local S3 under the caller’s prefix', async () => {
    const content = 'hello, uploads';
    const r = await call('POST', '/uploads', alice, { fileName: 'note.txt', contentType: 'text/plain', size: content.length });
    expect(r.status).toBe(201);
    expect(r.body.key).toContain(alice.sub);
    expect(r.body.uploadUrl.startsWith(rt.outputs.S3Endpoint!)).toBe(true);
    const put = await fetch(r.body.uploadUrl, { method: 'PUT', headers: r.body.headers, body: content });
    expect(put.status).toBe(200);
    const bucket = new URL(r.body.uploadUrl).pathname.split('/')[1];
    const { S3Client, GetObjectCommand } = await import('@aws-sdk/client-s3');
    const s3 = new S3Client({
      endpoint: rt.outputs.S3Endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const obj = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: r.body.key }));
    expect(await obj.Body!.transformToString()).toBe(content);
    s3.destroy();
  });

  it('refuses a content type outside the allow-list and oversized files', async () => {
    expect((await call('POST', '/uploads', alice, { fileName: 'x.exe', contentType: 'application/x-msdownload', size: 10 })).status).toBe(
      400,
    );
    expect((await call('POST', '/uploads', alice, { fileName: 'x.txt', contentType: 'text/plain', size: 50 * 1024 * 1024 })).status).toBe(
      400,
    );
  });
});
