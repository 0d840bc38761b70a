/**
 * `npm run test:stack -- --stack <name> [--region r]`: runs the stack suite (tests/stack,
 * jest.stack.config.js) against a deployed stack, with the AWS credentials of the shell and
 * nothing else (the suite reads the stack's outputs from CloudFormation).
 * `npm run test:stack` (no --stack): starts `npm start` on a temporary state dir, takes the
 * environment `npm run aws-env` prints for it and runs the same suite through the local
 * CloudFormation endpoint, stack name from samconfig.toml, then stops it. `npm test` does this.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { stackNameFrom } from '../local/src/runtime';
import { REPO_ROOT, startLocalRuntime } from '../tests/support/runtime';

function flag(name: string): string | undefined {
  const args = process.argv.slice(2);
  const i = args.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i < 0) return undefined;
  const a = args[i]!;
  return a.includes('=') ? a.slice(a.indexOf('=') + 1) : args[i + 1];
}

function runSuite(env: NodeJS.ProcessEnv): number {
  const jest = join(REPO_ROOT, 'node_modules', 'jest', 'bin', 'jest.js');
  const quiet = { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' }; // Node 20 here; Lambda runs 22
  return (
    spawnSync(process.execPath, [jest, '-c', join(REPO_ROOT, 'jest.stack.config.js')], {
      cwd: REPO_ROOT,
      stdio: 'inherit',
      env: { ...quiet, ...env },
    }).status ?? 1
  );
}

/** The `export K='v'` lines of `npm run -s aws-env` for a state dir, as an environment. */
function awsEnvOf(stateDir: string): Record<string, string> {
  const out = execFileSync(
    process.execPath,
    [
      join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
      join(REPO_ROOT, 'local', 'src', 'cli.ts'),
      'aws-env',
      '--state-dir',
      stateDir,
    ],
    { cwd: REPO_ROOT, encoding: 'utf8' },
  );
  return Object.fromEntries([...out.matchAll(/^export ([A-Z0-9_]+)='(.*)'$/gm)].map((m) => [m[1]!, m[2]!]));
}

async function main(): Promise<number> {
  const stack = flag('stack');
  const region = flag('region');
  if (stack) {
    process.stdout.write(`stack suite against ${stack}${region ? ` in ${region}` : ''} (AWS credentials from this shell)\n`);
    return runSuite({ ...process.env, STACK_NAME: stack, ...(region ? { AWS_REGION: region, AWS_DEFAULT_REGION: region } : {}) });
  }
  process.stdout.write('no --stack: running the stack suite against npm start (a temporary state dir)\n');
  // A hold long enough to update and cancel an order while it is PLACED, as a deployed stack's default (10 s) is.
  const rt = await startLocalRuntime({ parameterOverrides: { OrderHoldSeconds: '6' }, timeoutMs: 240_000 });
  try {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_')));
    return runSuite({ ...clean, ...awsEnvOf(rt.stateDir), STACK_NAME: stackNameFrom(REPO_ROOT) });
  } finally {
    await rt.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (e: Error) => {
    process.stderr.write(`error: ${e.message}\n`);
    process.exit(1);
  },
);
