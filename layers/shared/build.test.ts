/**
 * The BUILT layer (build.js output), loaded the way Lambda loads it: plain node, the layer on
 * NODE_PATH, run from outside the repository so the workspace link cannot stand in for it.
 * Each entry is its own CommonJS file; these tests pin what that must not break: one module
 * instance per process (AppError identity across entries) and entries that load only what
 * they need.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const LAYER_DIR = __dirname;
const REPO_ROOT = resolve(__dirname, '..', '..');

let dir: string;
let nodeModules: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'shared-layer-'));
  nodeModules = join(dir, 'nodejs', 'node_modules');
  execFileSync(process.execPath, [join(LAYER_DIR, 'build.js'), join(nodeModules, '@myapp', 'shared')], { cwd: LAYER_DIR, stdio: 'pipe' });
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs a CommonJS script in a fresh node with the layer (then the repo's SDK) on NODE_PATH; returns its JSON output. */
function run(script: string): unknown {
  const file = join(dir, `check-${Math.random().toString(36).slice(2)}.js`);
  writeFileSync(file, `'use strict';\n(async () => {\n${script}\n})().catch((e) => { console.error(e); process.exit(1); });\n`);
  const res = spawnSync(process.execPath, [file], {
    cwd: dir,
    env: {
      PATH: process.env.PATH ?? '',
      NODE_PATH: [nodeModules, join(REPO_ROOT, 'node_modules')].join(':'),
      AWS_REGION: 'us-east-1',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
    encoding: 'utf8',
  });
  // Nothing on stderr: no resolution fallbacks, no (experimental) warnings.
  if (res.status !== 0 || res.stderr !== '') throw new Error(`node exited ${String(res.status)}: ${res.stderr}`);
  return JSON.parse(res.stdout);
}

const loaded = `
const layer = (k) => k.includes('/@myapp/shared/') && !k.includes('/layers/shared/');
const loaded = () => Object.keys(require.cache).filter(layer).map((k) => k.split('/@myapp/shared/')[1]).sort();
const sdk = () => [...new Set(Object.keys(require.cache).map((k) => /node_modules\\/(@aws-sdk\\/[^/]+)\\//.exec(k)?.[1]).filter(Boolean))].sort();
`;

describe('built layer', () => {
  it('has one file per entry and a package.json exporting each as a subpath', () => {
    const files = readdirSync(join(nodeModules, '@myapp', 'shared')).filter((f) => f.endsWith('.js'));
    const pkg = JSON.parse(readFileSync(join(nodeModules, '@myapp', 'shared', 'package.json'), 'utf8')) as {
      exports: Record<string, string>;
    };
    const exportsMap = pkg.exports;
    expect(
      Object.values(exportsMap)
        .map((f) => f.replace('./', ''))
        .sort(),
    ).toEqual(files.sort());
    expect(exportsMap['.']).toBe('./index.js');
    expect(exportsMap['./http']).toBe('./http.js');
  });

  it('@myapp/shared/http loads no AWS SDK, no other entry and not the whole of zod', () => {
    const out = run(`${loaded}
      require('@myapp/shared/http');
      const zod = Object.keys(require.cache).filter((k) => k.includes('/zod/'));
      console.log(JSON.stringify({ entries: loaded(), sdk: sdk(), zod }));`);
    expect(out).toEqual({ entries: ['http.js'], sdk: [], zod: [] });
  });

  it('each entry loads only the entries it uses, and never an AWS SDK package from node_modules (the SDK entry bundles it)', () => {
    const out = run(`${loaded}
      const result = {};
      for (const e of ['lambda', 'api', 'orders', 'repositories', 'pipeline', 'events', 'workflow', 'schemas']) {
        for (const k of Object.keys(require.cache)) delete require.cache[k];
        require('@myapp/shared/' + e);
        result[e] = { entries: loaded(), sdk: sdk() };
      }
      console.log(JSON.stringify(result));`);
    // Tracing is on here, as deployed (no POWERTOOLS_TRACE_ENABLED=false): lambda loads the Tracer's entry.
    expect(out).toEqual({
      lambda: { entries: ['http.js', 'lambda.js', 'tracing.js'], sdk: [] },
      api: { entries: ['api.js', 'http.js', 'lambda.js', 'tracing.js'], sdk: [] },
      orders: { entries: ['http.js', 'orders.js'], sdk: [] },
      repositories: { entries: ['aws-sdk.js', 'http.js', 'lambda.js', 'orders.js', 'repositories.js', 'tracing.js'], sdk: [] },
      pipeline: {
        entries: ['aws-sdk.js', 'http.js', 'lambda.js', 'orders.js', 'pipeline.js', 'repositories.js', 'tracing.js'],
        sdk: [],
      },
      events: { entries: ['aws-sdk.js', 'events.js', 'http.js', 'lambda.js', 'schemas.js', 'tracing.js'], sdk: [] },
      // Step Functions' client is made on first use (OrdersFunction rarely needs it): the SDK entry loads then.
      workflow: { entries: ['http.js', 'lambda.js', 'orders.js', 'schemas.js', 'tracing.js', 'workflow.js'], sdk: [] },
      schemas: { entries: ['schemas.js'], sdk: [] },
    });
  });

  it('the SDK entries make working clients with the names clients.ts, executions.ts and Powertools` idempotency store read', () => {
    // Those three read the SDK through require(), which esbuild cannot check (ESM imports fail the build instead).
    const powertools = readFileSync(
      join(REPO_ROOT, 'node_modules', '@aws-lambda-powertools', 'idempotency', 'lib', 'cjs', 'persistence', 'DynamoDBPersistenceLayer.js'),
      'utf8',
    );
    const used = (prefix: string) => [...new Set([...powertools.matchAll(new RegExp(`${prefix}\\.(\\w+)`, 'g'))].map((m) => m[1]!))];
    const want = {
      '@aws-sdk/client-dynamodb': ['DynamoDBClient', ...used('client_dynamodb_1')],
      '@aws-sdk/util-dynamodb': used('util_dynamodb_1'),
      '@aws-sdk/lib-dynamodb': ['DynamoDBDocumentClient'],
      '@aws-sdk/client-eventbridge': ['EventBridgeClient'],
      '@aws-sdk/client-sfn': ['SFNClient', 'StartExecutionCommand', 'DescribeExecutionCommand', 'GetExecutionHistoryCommand'],
      '@aws-sdk/client-s3': ['S3Client'],
    };
    expect(want['@aws-sdk/client-dynamodb'].length).toBeGreaterThan(3); // the regex found Powertools' imports
    const out = run(`${loaded}
      const want = ${JSON.stringify(want)};
      const bundled = { ...require('@myapp/shared/aws-sdk').AWS_SDK, ...require('@myapp/shared/aws-sdk-s3').AWS_SDK };
      const missing = Object.entries(want).flatMap(([pkg, names]) => names.filter((n) => typeof bundled[pkg]?.[n] !== 'function').map((n) => pkg + ' ' + n));
      const lambda = require('@myapp/shared/lambda');
      const clients = [lambda.documentClient(), lambda.eventBridgeClient(), lambda.stepFunctions().client, lambda.s3Client()];
      const regions = await Promise.all(clients.map((c) => c.config.region()));
      console.log(JSON.stringify({ missing, regions, fromNodeModules: sdk() }));`);
    expect(out).toEqual({ missing: [], regions: ['us-east-1', 'us-east-1', 'us-east-1', 'us-east-1'], fromNodeModules: [] });
  });

  it('with POWERTOOLS_TRACE_ENABLED=false (the local runtime) the Tracer is never loaded: no X-Ray SDK, no async hooks', () => {
    const out = run(`${loaded}
      process.env.POWERTOOLS_TRACE_ENABLED = 'false';
      const { lambdaHandler, tracer, dynamoDbClient } = require('@myapp/shared/lambda');
      const handler = lambdaHandler(async () => 'ok');
      const client = dynamoDbClient();
      const xray = Object.keys(require.cache).filter((k) => k.includes('aws-xray-sdk-core') || k.includes('cls-hooked'));
      handler({}, { functionName: 'f', awsRequestId: 'r-1' }).then((result) => {
        console.log(JSON.stringify({ entries: loaded(), tracer: tracer === undefined, xray, result, traced: client.middlewareStack.identify().some((m) => /xray|X-Ray/i.test(m)) }));
      });`);
    expect(out).toEqual({ entries: ['aws-sdk.js', 'http.js', 'lambda.js'], tracer: true, xray: [], result: 'ok', traced: false });
  });

  it('an API function loads zod only if its routes validate input, and then when its handler is built', () => {
    const out = run(`${loaded}
      const zodLoaded = () => Object.keys(require.cache).some((k) => k.endsWith('/schemas.js'));
      const { apiHandler } = require('@myapp/shared/api');
      apiHandler('HealthFunction', { 'GET /health': async () => ({}) });
      const health = zodLoaded();
      apiHandler('TodosFunction', Object.fromEntries(['GET /todos', 'POST /todos', 'GET /todos/{todoId}', 'PUT /todos/{todoId}', 'DELETE /todos/{todoId}', 'POST /todos/{todoId}/done'].map((k) => [k, async () => ({})])));
      console.log(JSON.stringify({ health, todos: zodLoaded() }));`);
    expect(out).toEqual({ health: false, todos: true });
  });

  it('shares one module instance across entries: a repository conflict is the AppError errorResponse maps', async () => {
    const out = run(`${loaded}
      const http = require('@myapp/shared/http');
      const repos = require('@myapp/shared/repositories');
      const orders = require('@myapp/shared/orders');
      const schemas = require('@myapp/shared/schemas');
      const root = require('@myapp/shared');
      // A failed condition, as DynamoDB returns it (old item in wire format).
      const failed = Object.assign(new Error('The conditional request failed'), {
        name: 'ConditionalCheckFailedException', Item: { status: { S: 'CONFIRMED' }, version: { N: '3' } },
      });
      const doc = { send: async () => { throw failed; } };
      const repo = new repos.DynamoOrdersRepository(doc, 'Orders');
      let thrown;
      try { await repo.transition({ userId: 'u-1', orderId: 'o-1' }, 'PLACED', 'VALIDATED'); } catch (e) { thrown = e; }
      const answer = (fn) => { try { fn(); } catch (e) { return http.errorResponse(e, 'r-1'); } };
      const conflict = answer(() => { throw thrown; });
      const rule = answer(() => orders.assertTransition('CONFIRMED', 'PLACED'));
      const cursor = answer(() => repos.decodeCursor('%%%', ['userId']));
      const zod = answer(() => schemas.PaginationQuery.parse({ limit: 'many' }));
      console.log(JSON.stringify({
        sameClass: thrown instanceof http.AppError && root.AppError === http.AppError && root.DynamoOrdersRepository === repos.DynamoOrdersRepository,
        conflict: [conflict.statusCode, JSON.parse(conflict.body).error.code],
        rule: [rule.statusCode, JSON.parse(rule.body).error.code],
        cursor: [cursor.statusCode, JSON.parse(cursor.body).error.code],
        zod: [zod.statusCode, JSON.parse(zod.body).error.code],
        entries: loaded(),
      }));`);
    expect(out).toMatchObject({
      sameClass: true,
      conflict: [409, 'CONFLICT'],
      rule: [409, expect.any(String)],
      cursor: [400, 'VALIDATION_ERROR'],
      zod: [400, 'VALIDATION_ERROR'],
    });
    // Every entry file evaluated once, each in one place.
    const entries = (out as { entries: string[] }).entries;
    expect(new Set(entries).size).toBe(entries.length);
  });
});
