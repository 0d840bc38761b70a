/**
 * ddbPerRequest: DynamoDB calls and consumed capacity per API operation, counted by the
 * proxy in front of DynamoDB Local. Requests run one at a time after a warm-up pass; each
 * waits for DynamoDB quiet first, and the calls between its start and its response are its
 * own. Calls that follow the response (the pipeline behind POST /orders, the stream behind
 * a status change) are reported apart as `after`, within a settle window. The workflow is
 * parked by OrderHoldSeconds=3600, so `after` holds only the start of the pipeline.
 */
import { startProxiedRuntime } from '../lib/proxied-runtime';
import { summarize, type CountingDdbProxy, type Totals } from '../lib/ddb-proxy';
import { apiCall, check, log } from '../lib/common';
import { createTestUser, type TestUser } from '../../tests/support/runtime';

export interface DdbPerRequestRow extends Totals {
  route: string;
  status: number;
  /** DynamoDB calls that followed the response within the settle window (asynchronous work). */
  after?: Totals;
}

interface Step {
  route: string;
  method: string;
  path: () => string;
  body?: () => unknown;
  as?: 'admin' | 'anonymous';
  onBody?: (b: Record<string, any>) => void;
  /** Watch for asynchronous DynamoDB traffic after the response. */
  settle?: boolean;
}

export async function benchDdbPerRequest() {
  const { rt, proxy, stop } = await startProxiedRuntime({ parameterOverrides: { OrderHoldSeconds: '3600' } });
  try {
    const api = rt.outputs.APIEndpoint!.replace(/\/$/, '');
    const user = await createTestUser(rt.outputs);
    const admin = await createTestUser(rt.outputs, { admin: true });
    let todoId = '';
    let orderId = '';
    let version = 1;
    const steps: Step[] = [
      { route: 'GET /health', method: 'GET', path: () => '/health', as: 'anonymous' },
      { route: 'GET /products', method: 'GET', path: () => '/products', as: 'anonymous' },
      { route: 'POST /profiles', method: 'POST', path: () => '/profiles', body: () => ({ name: 'Bench User', plan: 'pro' }), settle: true },
      { route: 'GET /profiles/{userId}', method: 'GET', path: () => `/profiles/${user.sub}` },
      { route: 'GET /users/{userId}', method: 'GET', path: () => `/users/${user.sub}` },
      { route: 'PUT /users/{userId}', method: 'PUT', path: () => `/users/${user.sub}`, body: () => ({ bio: 'benchmarks' }), settle: true },
      { route: 'GET /users (admin)', method: 'GET', path: () => '/users', as: 'admin' },
      {
        route: 'POST /todos',
        method: 'POST',
        path: () => '/todos',
        body: () => ({ title: 'bench todo' }),
        onBody: (b) => (todoId = String(b.todoId)),
      },
      { route: 'GET /todos', method: 'GET', path: () => '/todos' },
      { route: 'GET /todos/{todoId}', method: 'GET', path: () => `/todos/${todoId}` },
      { route: 'PUT /todos/{todoId}', method: 'PUT', path: () => `/todos/${todoId}`, body: () => ({ title: 'bench todo, renamed' }) },
      { route: 'POST /todos/{todoId}/done', method: 'POST', path: () => `/todos/${todoId}/done` },
      { route: 'DELETE /todos/{todoId}', method: 'DELETE', path: () => `/todos/${todoId}` },
      {
        route: 'POST /orders',
        method: 'POST',
        path: () => '/orders',
        body: () => ({ items: [{ sku: 'SKU-0001', qty: 1 }] }),
        onBody: (b) => ((orderId = String(b.orderId)), (version = Number(b.version ?? 1))),
        settle: true,
      },
      {
        route: 'GET /orders/{orderId}',
        method: 'GET',
        path: () => `/orders/${orderId}`,
        onBody: (b) => (version = Number(b.version ?? version)),
      },
      { route: 'GET /orders', method: 'GET', path: () => '/orders' },
      {
        route: 'PUT /orders/{orderId}',
        method: 'PUT',
        path: () => `/orders/${orderId}`,
        body: () => ({ items: [{ sku: 'SKU-0001', qty: 2 }], version }),
        settle: true,
      },
      { route: 'DELETE /orders/{orderId}', method: 'DELETE', path: () => `/orders/${orderId}`, settle: true },
      {
        route: 'POST /uploads',
        method: 'POST',
        path: () => '/uploads',
        body: () => ({ fileName: 'bench.csv', contentType: 'text/csv', size: 10 }),
      },
    ];
    const who = (s: Step): TestUser | undefined => (s.as === 'anonymous' ? undefined : s.as === 'admin' ? admin : user);
    const runPass = async (p: CountingDdbProxy, measure: boolean): Promise<DdbPerRequestRow[]> => {
      const rows: DdbPerRequestRow[] = [];
      for (const s of steps) {
        await p.quiet(300, 10_000);
        const t0 = p.now();
        const r = await apiCall(api, s.method, s.path(), who(s), s.body?.());
        const t1 = p.now();
        s.onBody?.(r.body);
        let after: Totals | undefined;
        if (s.settle) {
          // The stream poller and the pipeline act within a second or two; quiet for 1.5 s ends it.
          await new Promise((ok) => setTimeout(ok, 1500));
          await p.quiet(1500, 15_000);
          after = summarize(p.between(t1));
        }
        if (!measure) continue;
        const own = summarize(p.between(t0, t1));
        rows.push({ route: s.route, status: r.status, ...own, ...(after ? { after } : {}) });
        log(
          `  ${s.route}: ${r.status}, ${own.calls} calls, ${own.rcu} RCU, ${own.wcu} WCU ${JSON.stringify(own.operations)}${after ? `; after: ${after.calls} calls ${JSON.stringify(after.operations)}` : ''}`,
        );
      }
      return rows;
    };
    log('ddbPerRequest: warm-up pass');
    await runPass(proxy, false);
    log('ddbPerRequest: measured pass');
    const rows = await runPass(proxy, true);
    const bad = rows.filter((r) => r.status >= 400);
    check(
      'ddbPerRequest routes answered 2xx',
      bad.length,
      `0 (${bad.map((b) => `${b.route} ${b.status}`).join(', ') || 'all 2xx'})`,
      bad.length === 0,
    );
    const byId = rows.find((r) => r.route === 'GET /orders/{orderId}');
    if (byId) check('GET /orders/{orderId} DynamoDB calls', byId.calls, '1 (one GetItem)', byId.calls === 1);
    return rows;
  } finally {
    await stop();
  }
}
