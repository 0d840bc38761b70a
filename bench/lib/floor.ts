/**
 * Builds and starts the floor server (bench/floor/server.ts) the way a function runs: one
 * plain node process, bundled by esbuild with the AWS SDK external (resolved from the repo's
 * node_modules), pointed at the runtime's DynamoDB Local. Returns its URL, pid and a stop.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { build } from 'esbuild';
import { REPO_ROOT, cleanups, scratchDir } from './common';

export interface FloorServer {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

export async function startFloor(env: { dynamoDbEndpoint: string; ordersTable: string }): Promise<FloorServer> {
  const scratch = scratchDir('floor');
  const file = join(scratch.dir, 'server.js');
  await build({
    entryPoints: [join(REPO_ROOT, 'bench', 'floor', 'server.ts')],
    outfile: file,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'es2022',
    minify: true,
    external: ['@aws-sdk/*'],
    logLevel: 'error',
  });
  const child = spawn(process.execPath, [file], {
    env: {
      PATH: process.env.PATH ?? '',
      NODE_PATH: join(REPO_ROOT, 'node_modules'),
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_DYNAMODB: env.dynamoDbEndpoint,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ORDERS_TABLE: env.ordersTable,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stop = async () => {
    cleanups.delete(stop);
    if (child.exitCode === null && child.signalCode === null) {
      await new Promise<void>((ok) => {
        const t = setTimeout(() => (child.kill('SIGKILL'), ok()), 3000);
        child.once('exit', () => (clearTimeout(t), ok()));
        child.kill('SIGTERM');
      });
    }
    scratch.dispose();
  };
  cleanups.add(stop);
  const port = await new Promise<number>((ok, fail) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening (\d+)/.exec(out);
      if (m) ok(Number(m[1]));
    });
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => fail(new Error(`floor server exited (${code}): ${out.slice(-1000)}`)));
  }).catch(async (e: unknown) => {
    await stop();
    throw e;
  });
  return { url: `http://127.0.0.1:${port}`, pid: child.pid!, stop };
}
