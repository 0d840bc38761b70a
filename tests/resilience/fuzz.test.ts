/**
 * Fuzzing with fast-check: bodies of POST /orders, POST /todos, PUT /todos/{id},
 * POST /uploads, POST /profiles, and odd paths, methods and queries. Every answer is below
 * 500 and every error is JSON; a refused PUT leaves the to-do as it was. Bounded by
 * FUZZ_RUNS (runs per property, default 800: about 5,200 cases over the properties). Every run
 * is checked: a property cut by its time limit fails rather than passing with fewer cases.
 */
import fc from 'fast-check';
import { createTestUser, type TestUser } from '../support/runtime';
import { call, type Json, type Res } from './support';
import { outputs } from './support';

const RUNS = Math.max(10, Math.min(5000, Number(process.env.FUZZ_RUNS ?? 800) || 800));
/** Well above a property's usual 5-15 s and below the suite's 180 s test timeout: a stuck runtime fails with fast-check's report. */
const TIME_LIMIT_MS = 150_000;
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);

let alice: TestUser;
/** Cases run over every property (fast-check stops a property at its time limit on a slow machine). */
let cases = 0;
afterAll(() => process.stdout.write(`fuzz: ${cases} cases run (seed ${SEED})\n`));
let todoId: string;

beforeAll(async () => {
  alice = await createTestUser(outputs());
  const t = await call('POST', '/todos', { user: alice, body: { title: 'fuzz target' } });
  expect(t.status).toBe(201);
  todoId = String(t.body!.todoId);
  process.stdout.write(`fuzz seed ${SEED}, ${RUNS} runs per property\n`);
});

function sane(r: Res, what: unknown): void {
  if (r.status >= 500 || (r.status >= 400 && r.body === undefined)) {
    throw new Error(`${r.status} for ${JSON.stringify(what).slice(0, 500)}: ${r.text.slice(0, 300)}`);
  }
  if (r.status >= 400) {
    const b = r.body as Json;
    if (!(b.error?.code || b.message))
      throw new Error(`error without code/message for ${JSON.stringify(what).slice(0, 300)}: ${r.text.slice(0, 300)}`);
  }
}

const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', ' ', '\u0000', '<script>', "' OR 1=1 --", '{{7*7}}', '${x}', '__proto__', 'constructor'),
);
const num = fc.oneof(fc.integer({ min: -10, max: 200 }), fc.double(), fc.constantFrom(0, -0, 1e308, Number.MAX_SAFE_INTEGER + 2, 0.5));
const anyVal = fc.oneof(text, num, fc.boolean(), fc.constant(null), fc.jsonValue({ maxDepth: 2 }));
const maybe = <T>(a: fc.Arbitrary<T>) => fc.oneof(a, anyVal);

const orderBody = fc.record(
  {
    orderId: maybe(fc.oneof(fc.uuid(), fc.string({ maxLength: 80 }))),
    items: maybe(
      fc.array(
        fc.record(
          { sku: maybe(fc.constantFrom('SKU-0001', 'SKU-0002', 'SKU-9999')), qty: maybe(fc.integer({ min: -2, max: 120 })), price: anyVal },
          { requiredKeys: ['sku', 'qty'] },
        ),
        { maxLength: 55 },
      ),
    ),
    paymentToken: maybe(fc.constantFrom('tok_ok', 'tok_decline', 'tok_flaky', 'x'.repeat(70))),
    extra: anyVal,
  },
  { requiredKeys: [] },
);
const todoBody = fc.record(
  {
    title: maybe(fc.string({ maxLength: 220 })),
    notes: maybe(fc.string({ maxLength: 50 })),
    dueDate: maybe(fc.constantFrom('2026-01-01', '2026-13-45', '2026-01-01T10:00:00Z', 'tomorrow')),
    done: anyVal,
    userId: anyVal,
  },
  { requiredKeys: [] },
);
const uploadBody = fc.record(
  {
    fileName: maybe(fc.oneof(fc.string({ maxLength: 210 }), fc.constantFrom('a.txt', '../x', '.hidden', 'a/b.txt'))),
    contentType: maybe(fc.constantFrom('text/plain', 'image/png', 'application/x-sh', 'TEXT/PLAIN')),
    size: maybe(fc.integer({ min: -1, max: 20 * 1024 * 1024 })),
  },
  { requiredKeys: [] },
);
const profileBody = fc.record(
  {
    name: maybe(fc.string({ maxLength: 120 })),
    plan: maybe(fc.constantFrom('free', 'pro', 'enterprise', 'gold')),
    bio: maybe(fc.string({ maxLength: 50 })),
    email: anyVal,
    userId: anyVal,
  },
  { requiredKeys: [] },
);

/** A body: usually a JSON object near the schema, sometimes any JSON, malformed text, or another content type. */
const payload = (structured: fc.Arbitrary<unknown>) =>
  fc.oneof(
    { weight: 6, arbitrary: structured.map((b) => ({ raw: JSON.stringify(b), contentType: 'application/json' })) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((b) => ({ raw: JSON.stringify(b), contentType: 'application/json' })) },
    { weight: 1, arbitrary: fc.string({ maxLength: 200 }).map((raw) => ({ raw, contentType: 'application/json' })) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          structured,
          fc.constantFrom(
            'text/plain',
            'application/x-www-form-urlencoded',
            'application/json; charset=utf-8',
            'application/JSON',
            'multipart/form-data',
          ),
        )
        .map(([b, contentType]) => ({ raw: JSON.stringify(b), contentType })),
    },
  );

/** A run cut by the time limit fails (markInterruptAsFailure): a slow machine must not pass by checking fewer cases. */
const opts = (n = RUNS) => ({
  numRuns: n,
  seed: SEED,
  interruptAfterTimeLimit: TIME_LIMIT_MS,
  markInterruptAsFailure: true,
  endOnFailure: true,
});

describe('fuzzing request bodies', () => {
  for (const [method, path, arb] of [
    ['POST', () => '/orders', orderBody],
    ['POST', () => '/todos', todoBody],
    ['POST', () => '/uploads', uploadBody],
    ['POST', () => '/profiles', profileBody],
  ] as const) {
    it(`${method} ${path()}`, async () => {
      await fc.assert(
        fc.asyncProperty(payload(arb), async (p) => {
          cases++;
          sane(await call(method, path(), { user: alice, raw: p.raw, contentType: p.contentType }), p);
        }),
        opts(),
      );
    });
  }

  it('PUT /todos/{todoId}: no 5xx, and a refused update changes nothing', async () => {
    let current = (await call('GET', `/todos/${todoId}`, { user: alice })).body!;
    await fc.assert(
      fc.asyncProperty(payload(todoBody), async (p) => {
        cases++;
        const r = await call('PUT', `/todos/${todoId}`, { user: alice, raw: p.raw, contentType: p.contentType });
        sane(r, p);
        const after = (await call('GET', `/todos/${todoId}`, { user: alice })).body!;
        if (r.status >= 400) {
          if (JSON.stringify(after) !== JSON.stringify(current))
            throw new Error(`refused PUT (${r.status}) changed the to-do: ${JSON.stringify(p)}`);
        } else current = after;
      }),
      opts(),
    );
  });
});

describe('fuzzing paths, methods and queries', () => {
  // Bare "%" is left to the explicit malformed-escape test below, so the fuzzer explores the rest.
  const segChars = fc.constantFrom(..."abcXYZ019-_.~:@!$&'()*+,;= ".split(''));
  const segment = fc.oneof(
    fc.string({ unit: segChars, maxLength: 60 }),
    fc.string({ unit: 'grapheme', maxLength: 60 }).map(encodeURIComponent),
    fc.constantFrom('..', '%2e%2e', '%00', 'a%2Fb', '%20', '%C3%A9', 'null', 'undefined', '__proto__', 'x'.repeat(600)),
  );
  const route = fc.oneof(
    segment.map((s) => `/orders/${s}`),
    segment.map((s) => `/todos/${s}`),
    segment.map((s) => `/users/${s}`),
    segment.map((s) => `/profiles/${s}`),
    segment.map((s) => `/orders/${s}/acknowledge`),
    segment.map((s) => `/todos/${s}/done`),
    fc.array(segment, { minLength: 1, maxLength: 4 }).map((ss) => `/${ss.join('/')}`),
    fc.constantFrom('/orders', '/todos', '/users', '/products', '/health', '/orders/', '//orders', '/ORDERS'),
  );
  const query = fc.oneof(
    fc.constant(''),
    fc
      .record(
        {
          limit: fc.oneof(fc.integer({ min: -5, max: 5000 }).map(String), fc.string({ maxLength: 10 }).map(encodeURIComponent)),
          nextToken: fc.oneof(
            fc.string({ maxLength: 80 }).map(encodeURIComponent),
            fc.base64String({ maxLength: 80 }).map(encodeURIComponent),
            fc.constant('eyJ1c2VySWQiOiJ4In0'),
          ),
          include: fc.constantFrom('workflow', 'x', ''),
        },
        { requiredKeys: [] },
      )
      .map(
        (q) =>
          `?${Object.entries(q)
            .map(([k, v]) => `${k}=${v}`)
            .join('&')}`,
      ),
    fc.constantFrom('?', '?&&', '?limit', '?limit=1&limit=2', '?%ZZ=1', '?a[b]=c'),
  );
  const method = fc.constantFrom('GET', 'GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD');

  it('signed in: no 5xx, errors are JSON', async () => {
    await fc.assert(
      fc.asyncProperty(method, route, query, fc.boolean(), async (m, r, q, withBody) => {
        cases++;
        const res = await call(m, `${r}${q}`, {
          user: alice,
          ...(withBody && m !== 'GET' && m !== 'HEAD' ? { body: { title: 'x', items: [{ sku: 'SKU-0001', qty: 1 }] } } : {}),
        });
        if (m === 'HEAD' || m === 'OPTIONS') {
          if (res.status >= 500) throw new Error(`${res.status} for ${m} ${r}${q}`);
          return;
        }
        sane(res, `${m} ${r}${q}`);
      }),
      opts(),
    );
  });

  it('a malformed percent-escape in a path parameter is a JSON 4xx, not a 5xx', async () => {
    const outcomes: string[] = [];
    for (const [m, p] of [
      ['GET', '/todos/%'],
      ['GET', '/todos/a%ZZ'],
      ['PUT', '/todos/%E0%A4%A'],
      ['GET', '/orders/%'],
      ['GET', '/profiles/%FF'],
    ] as const) {
      const r = await call(m, p, { user: alice, ...(m === 'PUT' ? { body: { title: 'x' } } : {}) });
      outcomes.push(`${m} ${p} → ${r.status} ${r.text.slice(0, 80)}`);
    }
    expect(outcomes.filter((o) => !/ → 4\d\d /.test(o))).toEqual([]);
  });

  it('anonymous: no 5xx, errors are JSON', async () => {
    await fc.assert(
      fc.asyncProperty(
        method.filter((m) => m !== 'HEAD' && m !== 'OPTIONS'),
        route,
        query,
        async (m, r, q) => {
          cases++;
          sane(await call(m, `${r}${q}`), `${m} ${r}${q}`);
        },
      ),
      opts(Math.ceil(RUNS / 2)),
    );
  });
});
