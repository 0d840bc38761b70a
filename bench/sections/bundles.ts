/**
 * bundles: each function's bundle size and the time to require it in a fresh node (Lambda's
 * init phase), beside the floor measured the same way in the same run: an empty file,
 * `@aws-sdk/client-dynamodb` alone and `zod` alone. Three figures per function:
 * - initMs: the require with the template's environment, tracing on as deployed (the Tracer
 *   and X-Ray SDK load), NODE_OPTIONS=--enable-source-maps as the template sets it;
 * - initTracingOffMs: the same with POWERTOOLS_TRACE_ENABLED=false, as `npm start` runs it;
 * - initWithClientsMs: tracing on, the require plus making the SDK clients the loaded entries
 *   use (clients.ts makes them on first use, so the first invocation pays that, not init).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Builder, functionIds, layerIds } from '../../local/src/build';
import { loadTemplate } from '../../local/src/template';
import { REPO_ROOT, check, log, median, r1, scrub } from '../lib/common';

const RUNS = 5;

/**
 * After the handler's require: the clients its layer entries send with (the DynamoDB document
 * client where the SDK entry is loaded, EventBridge with the events entry, Step Functions with
 * workflow, S3 with the S3 entry), as its first invocation makes them.
 */
const MAKE_CLIENTS = `{const has=(e)=>Object.keys(require.cache).some((k)=>k.endsWith('/@myapp/shared/'+e+'.js'));
if(has('lambda')){const l=require('@myapp/shared/lambda');
if(has('aws-sdk'))l.documentClient();if(has('events'))l.eventBridgeClient();if(has('workflow'))l.stepFunctions();if(has('aws-sdk-s3'))l.s3Client();}}`;

/** Median ms to require `target` (a path or a package name) in a fresh node, RUNS times; `after` runs inside the timing. */
function importMs(target: string, env: Record<string, string>, cwd: string, after = ''): { ms: number; error?: string } {
  const code = `const t=process.hrtime.bigint();require(${JSON.stringify(target)});${after}process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const r = spawnSync(process.execPath, ['-e', code], { env, cwd, encoding: 'utf8', timeout: 30_000 });
    const ms = Number(r.stdout.trim().split('\n').pop());
    if (r.status !== 0 || !Number.isFinite(ms))
      return { ms: NaN, error: scrub((r.stderr || r.error?.message || 'failed').split('\n').slice(0, 3).join(' ')) };
    times.push(ms);
  }
  return { ms: r1(median(times)) };
}

const baseEnv = (): Record<string, string> => ({
  PATH: process.env.PATH ?? '',
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
});

export async function benchBundles() {
  const templatePath = process.env.BENCH_TEMPLATE ? resolve(REPO_ROOT, process.env.BENCH_TEMPLATE) : join(REPO_ROOT, 'template.yaml');
  const t = loadTemplate(templatePath, {});
  const buildDir = mkdtempSync(join(tmpdir(), 'myapp-bench-build-'));
  const builder = new Builder(t, dirname(templatePath), buildDir, (s, m) => log(`${s}: ${m}`));
  const out: {
    function: string;
    bytes: number;
    initMs: number;
    initTracingOffMs: number;
    initWithClientsMs: number;
    importError?: string;
  }[] = [];
  // The floor, same way, same run: fresh node + require of nothing / the SDK client / zod.
  const empty = join(buildDir, 'empty.js');
  writeFileSync(empty, '');
  const floorEnv = { ...baseEnv(), NODE_PATH: join(REPO_ROOT, 'node_modules') };
  const baselines: Record<string, number | string> = {};
  for (const [name, target] of [
    ['emptyFile', empty],
    ['clientDynamodb', '@aws-sdk/client-dynamodb'],
    ['zod', 'zod'],
  ] as const) {
    const r = importMs(target, floorEnv, REPO_ROOT);
    baselines[name] = r.error ? `error: ${r.error}` : r.ms;
    log(`baseline import ${name}: ${r.error ?? `${r.ms} ms`}`);
  }
  try {
    await Promise.all(layerIds(t).map((l) => builder.buildLayer(l)));
    for (const id of functionIds(t)) {
      const fn = await builder.buildFunction(id);
      const file = `${fn.handlerFile}.js`;
      const bytes = statSync(file).size;
      const p = t.resources[id]!.Properties;
      const layers = (Array.isArray(p.Layers) ? p.Layers : [])
        .map((arn) => Object.entries(t.refs).find(([, r]) => r === arn)?.[0])
        .map((lid) => (lid ? builder.layers.get(lid)?.nodeModules : undefined))
        .filter((x): x is string => !!x);
      const vars = (p.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
      const env: Record<string, string> = {
        ...baseEnv(),
        AWS_LAMBDA_FUNCTION_NAME: id,
        NODE_PATH: [...layers, join(REPO_ROOT, 'node_modules')].join(':'),
      };
      for (const [k, v] of Object.entries(vars)) env[k] = typeof v === 'string' ? v : JSON.stringify(v);
      const r = importMs(file, env, fn.dir);
      const off = importMs(file, { ...env, POWERTOOLS_TRACE_ENABLED: 'false' }, fn.dir);
      const clients = importMs(file, env, fn.dir, MAKE_CLIENTS);
      const error = r.error ?? off.error ?? clients.error;
      out.push({
        function: id,
        bytes,
        initMs: r.ms,
        initTracingOffMs: off.ms,
        initWithClientsMs: clients.ms,
        ...(error ? { importError: error } : {}),
      });
      check(`bundle ${id} bytes`, bytes, '< 250 KB (256000 B)', bytes < 250 * 1024);
      check(`bundle ${id} import ms`, r.ms, '< 100 ms', !r.error && r.ms < 100);
      log(
        `${id}: ${bytes} B, import ${r.ms} ms (tracing off ${off.ms} ms, with its SDK clients ${clients.ms} ms)${error ? ` (${error})` : ''}`,
      );
    }
  } finally {
    await builder.dispose();
    rmSync(buildDir, { recursive: true, force: true });
  }
  return { functions: out, importBaselinesMs: baselines };
}
