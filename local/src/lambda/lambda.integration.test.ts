/**
 * Builder + LambdaService on a throwaway template in a temp dir: esbuild from
 * Metadata.BuildProperties, warm processes, hot reload on a source change, and a failed
 * rebuild that leaves the previous code serving.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Builder } from '../build';
import { loadStackTemplate as loadTemplate } from '../registry';
import { LambdaService } from '.';
import { LogBus, type LogLine } from '../log-bus';

const REPO = resolve(__dirname, '..', '..', '..');
let dir: string;
let builder: Builder;
let lambda: LambdaService;
const logs: string[] = [];
const published: LogLine[] = [];
const bus = new LogBus();
bus.subscribe((l) => published.push(l));

const source = (v: string) =>
  `export const handler = async (e: { n: number }) => { console.log('handling', e.n); return { v: ${JSON.stringify(v)}, n: e.n, env: process.env.GREETING, pid: process.pid }; };\n`;

async function until<T>(fn: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (let i = 0; i < 200 && Date.now() < end; i++) {
    const v = await fn();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`condition not met in ${ms} ms; logs:\n${logs.join('\n')}`);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'local-lambda-'));
  mkdirSync(join(dir, 'fn'));
  writeFileSync(join(dir, 'fn', 'app.ts'), source('one'));
  // When the module was loaded, and how Lambda says it was initialised.
  writeFileSync(
    join(dir, 'fn', 'init.ts'),
    `const loadedAt = Date.now();\nexport const handler = async () => ({ loadedAt, init: process.env.AWS_LAMBDA_INITIALIZATION_TYPE, pid: process.pid });\n`,
  );
  writeFileSync(
    join(dir, 'template.yaml'),
    `Transform: AWS::Serverless-2016-10-31
Globals:
  Function: { Runtime: nodejs22.x, Environment: { Variables: { GREETING: hi } } }
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Metadata: { BuildMethod: esbuild, BuildProperties: { EntryPoints: [app.ts], Format: cjs, Target: es2022 } }
    Properties: { CodeUri: fn/, Handler: app.handler, Timeout: 5 }
  Provisioned:
    Type: AWS::Serverless::Function
    Metadata: { BuildMethod: esbuild, BuildProperties: { EntryPoints: [init.ts], Format: cjs, Target: es2022 } }
    Properties:
      CodeUri: fn/
      Handler: init.handler
      AutoPublishAlias: live
      ProvisionedConcurrencyConfig: { ProvisionedConcurrentExecutions: 2 }
  OnDemand:
    Type: AWS::Serverless::Function
    Metadata: { BuildMethod: esbuild, BuildProperties: { EntryPoints: [init.ts], Format: cjs, Target: es2022 } }
    Properties: { CodeUri: fn/, Handler: init.handler }
`,
  );
  const t = loadTemplate(join(dir, 'template.yaml'));
  builder = new Builder(t, dir, join(dir, '.build'), (s, m) => logs.push(`[${s}] ${m}`));
  await builder.buildAll();
  lambda = new LambdaService({
    template: t,
    rootDir: REPO,
    region: 'us-east-1',
    accountId: '123456789012',
    baseEnv: () => ({ AWS_REGION: 'us-east-1' }),
    fn: (id) => builder.functions.get(id),
    layer: (id) => builder.layers.get(id),
    log: (s, m) => logs.push(`[${s}] ${m}`),
    logs: bus,
  });
  builder.watch((ids) => lambda.recycle(ids));
});

afterAll(async () => {
  await lambda?.stop();
  await builder?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

it('invokes the built bundle with the template environment, by logical id, name or ARN', async () => {
  const r = await lambda.invoke('Fn', { n: 1 });
  expect(r).toMatchObject({ ok: true, payload: { v: 'one', n: 1, env: 'hi' } });
  expect((await lambda.invoke('myapp-Fn', { n: 2 })).ok).toBe(true);
  expect((await lambda.invoke('arn:aws:lambda:us-east-1:123456789012:function:myapp-Fn', { n: 3 })).ok).toBe(true);
  expect(await lambda.invoke('Nope', {})).toMatchObject({ ok: false, error: { errorType: 'ResourceNotFoundException' } });
});

it('publishes each line of the function to the log bus with its request id and log stream', async () => {
  published.length = 0;
  await lambda.invoke('Fn', { n: 42 });
  // stdout and the result come on different pipes: the line may arrive just after the result.
  const line = await until(async () => published.find((l) => /handling 42/.test(l.message)));
  expect(line).toMatchObject({
    functionId: 'Fn',
    logGroup: '/aws/lambda/myapp-Fn',
    requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    logStream: expect.stringMatching(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/),
  });
  expect(published.find((l) => l.message.startsWith('REPORT RequestId: '))?.requestId).toBe(line.requestId);
  expect(Math.abs(line.timestamp - Date.now())).toBeLessThan(60_000);
});

it('serves new code after a source change, and keeps the old code when the rebuild fails', async () => {
  const before = (await lambda.invoke('Fn', { n: 1 })).payload as { pid: number };
  writeFileSync(join(dir, 'fn', 'app.ts'), source('two'));
  const after = await until(async () => {
    const p = (await lambda.invoke('Fn', { n: 1 })).payload as { v: string; pid: number };
    return p.v === 'two' ? p : undefined;
  });
  expect(after.pid).not.toBe(before.pid); // a fresh process loaded the new bundle

  writeFileSync(join(dir, 'fn', 'app.ts'), 'export const handler = async ( => {;\n');
  await until(async () => (logs.some((l) => /build failed, previous code keeps serving/.test(l)) ? true : undefined));
  expect((await lambda.invoke('Fn', { n: 5 })).payload).toMatchObject({ v: 'two', n: 5 });
});

it('starts provisioned concurrency before any invocation, and one process per other function when eager', async () => {
  type Init = { loadedAt: number; init: string; pid: number };
  expect(await lambda.prewarm()).toBe(2); // Provisioned's two; Fn already runs, OnDemand waits for use
  const asked = Date.now();
  const both = (await Promise.all([lambda.invoke('Provisioned', {}), lambda.invoke('Provisioned', {})])).map((r) => r.payload as Init);
  for (const p of both) expect(p).toMatchObject({ init: 'provisioned-concurrency' });
  expect(Math.max(...both.map((p) => p.loadedAt))).toBeLessThanOrEqual(asked); // loaded before the call (ms clock)
  expect(new Set(both.map((p) => p.pid)).size).toBe(2);
  expect(await lambda.prewarm()).toBe(0); // nothing more to start

  expect(await lambda.prewarm(true)).toBe(1); // OnDemand, as `--warm-containers EAGER`
  const eagerAsked = Date.now();
  const lazy = (await lambda.invoke('OnDemand', {})).payload as Init;
  expect(lazy).toMatchObject({ init: 'on-demand' });
  expect(lazy.loadedAt).toBeLessThanOrEqual(eagerAsked);
});
