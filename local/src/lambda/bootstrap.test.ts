/**
 * The bootstrap resolves bare requires as Lambda does: the task's own node_modules, then
 * NODE_PATH (layers), never a node_modules above the task root (here: the repo's, whose
 * workspace link points @myapp/shared at TypeScript source).
 */
import { fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function moduleAt(dir: string, name: string, value: string) {
  mkdirSync(join(dir, name), { recursive: true });
  writeFileSync(join(dir, name, 'index.js'), `module.exports = ${JSON.stringify(value)};`);
}

async function invoke(env: Record<string, string>): Promise<unknown> {
  const child = fork(join(__dirname, 'bootstrap.cjs'), [], {
    env: { PATH: process.env.PATH ?? '', ...env },
    execArgv: [],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  try {
    return await new Promise((ok, fail) => {
      child.on('message', (m: { type: string; ok: boolean; payload?: unknown; error?: unknown }) => {
        if (m.type === 'ready')
          child.send({ type: 'invoke', id: '1', requestId: '1', event: {}, deadline: Date.now() + 5000, functionArn: 'arn' });
        else if (m.ok) ok(m.payload);
        else fail(new Error(JSON.stringify(m.error)));
      });
      child.once('exit', (c) => fail(new Error(`exited ${c}`)));
    });
  } finally {
    child.kill();
  }
}

describe('bootstrap module resolution', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'bootstrap-'));
    // repo/node_modules/shared: the decoy above the build dir; repo/build/Layer/nodejs/node_modules/shared: the layer.
    moduleAt(join(root, 'repo', 'node_modules'), 'shared', 'repo source');
    moduleAt(join(root, 'repo', 'build', 'Layer', 'nodejs', 'node_modules'), 'shared', 'built layer');
    mkdirSync(join(root, 'repo', 'build', 'Fn'), { recursive: true });
    writeFileSync(join(root, 'repo', 'build', 'Fn', 'handler.js'), "exports.handler = async () => require('shared');");
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const env = () => ({
    LOCAL_HANDLER_FILE: join(root, 'repo', 'build', 'Fn', 'handler.js'),
    NODE_PATH: join(root, 'repo', 'build', 'Layer', 'nodejs', 'node_modules'),
  });

  it('finds the layer on NODE_PATH, not a node_modules above the task root', async () => {
    await expect(invoke({ ...env(), LOCAL_ISOLATE_ROOT: join(root, 'repo', 'build') })).resolves.toBe('built layer');
  });

  it('would find the repo copy without the isolation (what the isolation prevents)', async () => {
    await expect(invoke(env())).resolves.toBe('repo source');
  });
});
