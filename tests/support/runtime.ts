/**
 * Integration-test harness: starts the local runtime (`tsx local/src/cli.ts start`) as a
 * child process in its own process group on free ports and a temporary state dir, waits
 * for its ready line, reads outputs.json, and kills the whole group on stop().
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { localAwsEnv, localUrls, stateDirStack } from '../../local/src/environment';

export const REPO_ROOT = resolve(__dirname, '..', '..');

export interface LocalRuntimeHandle {
  outputs: Record<string, string>;
  stateDir: string;
  /** Everything the runtime printed so far (for assertions and failure messages). */
  output(): string;
  /** The runtime's process group (its pid): every process it started belongs to it (benchmarks read their CPU time). */
  processGroup(): number | undefined;
  stop: () => Promise<void>;
  /** Stops and starts again on the same state dir (no --fresh): data must survive. Options given replace the first start's. */
  restart: (changes?: Partial<StartLocalRuntimeOptions>) => Promise<void>;
  /** SIGKILL to the runtime's whole process group, as a crash or `kill -9` leaves it (nothing flushed); restart() starts it again. */
  kill: () => Promise<void>;
}

export interface StartLocalRuntimeOptions {
  parameterOverrides?: Record<string, string>;
  stateDir?: string;
  /** Default true for a temporary state dir. */
  fresh?: boolean;
  /** Another template (e.g. a fixture), relative to the repo root or absolute. */
  template?: string;
  timeoutMs?: number;
  /** Print the runtime's output as it comes (debugging). */
  echo?: boolean;
  extraArgs?: string[];
  /** Rebuild and reload functions on save (default false: `--no-watch`). */
  watch?: boolean;
  /** Extra environment for the runtime process. */
  env?: Record<string, string>;
}

interface Running {
  child: ChildProcess;
  out: string[];
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    /* already gone */
  }
}

function groupAlive(child: ChildProcess): boolean {
  try {
    process.kill(-child.pid!, 0);
    return true;
  } catch {
    return false;
  }
}

function launch(o: StartLocalRuntimeOptions, stateDir: string, fresh: boolean): Promise<Running> {
  const args = [
    join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
    join(REPO_ROOT, 'local', 'src', 'cli.ts'),
    'start',
    '--ports',
    'auto',
    '--state-dir',
    stateDir,
  ];
  if (!o.watch) args.push('--no-watch');
  if (fresh) args.push('--fresh');
  if (o.template) args.push('--template', resolve(REPO_ROOT, o.template));
  const overrides = Object.entries(o.parameterOverrides ?? {}).map(([k, v]) => `${k}=${v}`);
  if (overrides.length) args.push('--parameter-overrides', ...overrides);
  args.push(...(o.extraArgs ?? []));
  // detached: its own process group, so stop() reaches DynamoDB Local and every function process.
  const child = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, FORCE_COLOR: '0', ...(o.env ?? {}) },
  });
  const out: string[] = [];
  const timeoutMs = o.timeoutMs ?? 90_000;
  return new Promise((ok, fail) => {
    let settled = false;
    const finish = (err?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) {
        killGroup(child, 'SIGKILL');
        fail(err);
      } else ok({ child, out });
    };
    // Until ready, the output so far is searched for the ready line; after, only kept (a
    // search of all of it per chunk made a benchmark's parent spend a core on the runtime's log).
    const onData = (d: Buffer) => {
      const s = d.toString();
      out.push(s);
      if (o.echo) process.stdout.write(s);
      if (!settled && /^ready in \d+ ms/m.test(out.join(''))) finish();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code, sig) =>
      finish(new Error(`local runtime exited (${code ?? sig}) before it was ready:\n${out.join('').slice(-4000)}`)),
    );
    const timer = setTimeout(
      () => finish(new Error(`local runtime not ready within ${timeoutMs} ms:\n${out.join('').slice(-4000)}`)),
      timeoutMs,
    );
  });
}

async function stopRunning(r: Running): Promise<void> {
  const { child } = r;
  if (child.exitCode === null && child.signalCode === null) {
    await new Promise<void>((ok) => {
      const t = setTimeout(() => {
        killGroup(child, 'SIGKILL');
        ok();
      }, 10_000);
      child.once('exit', () => {
        clearTimeout(t);
        ok();
      });
      killGroup(child, 'SIGTERM');
    });
  }
  // The runtime stops its children on SIGTERM; anything left in the group goes now.
  killGroup(child, 'SIGKILL');
}

export async function startLocalRuntime(o: StartLocalRuntimeOptions = {}): Promise<LocalRuntimeHandle> {
  const ownDir = !o.stateDir;
  const stateDir = o.stateDir ?? mkdtempSync(join(tmpdir(), 'myapp-local-'));
  let running: Running | undefined = await launch(o, stateDir, o.fresh ?? true);
  let previousOut: string[] = [];
  const readOutputs = () => JSON.parse(readFileSync(join(stateDir, 'outputs.json'), 'utf8')) as Record<string, string>;
  const handle: LocalRuntimeHandle = {
    outputs: readOutputs(),
    stateDir,
    output: () => [...previousOut, ...(running?.out ?? [])].join(''),
    processGroup: () => running?.child.pid,
    async stop() {
      if (running) {
        previousOut = [...previousOut, ...running.out];
        await stopRunning(running);
        running = undefined;
      }
      if (ownDir) rmSync(stateDir, { recursive: true, force: true });
    },
    async kill() {
      if (!running) return;
      const { child, out } = running;
      previousOut = [...previousOut, ...out];
      running = undefined;
      if (child.exitCode !== null || child.signalCode !== null) return;
      await new Promise<void>((ok) => {
        child.once('exit', () => ok());
        killGroup(child, 'SIGKILL');
      });
      // The runtime is tsx's child: wait until no process of the group is left (its Cognito lock names a dead pid).
      for (let i = 0; i < 100 && groupAlive(child); i++) await new Promise((r) => setTimeout(r, 50));
    },
    async restart(changes = {}) {
      if (running) {
        previousOut = [...previousOut, ...running.out];
        await stopRunning(running);
        running = undefined;
      }
      running = await launch({ ...o, ...changes }, stateDir, false);
      handle.outputs = readOutputs();
    },
  };
  return handle;
}

export interface TestUser {
  email: string;
  password: string;
  sub: string;
  idToken: string;
  accessToken: string;
  refreshToken: string;
  /** `{ authorization: idToken }` for fetch. */
  headers: Record<string, string>;
}

/** A Cognito client for the runtime's local endpoint (dummy alphanumeric credentials). */
export function cognitoClient(outputs: Record<string, string>): CognitoIdentityProviderClient {
  return new CognitoIdentityProviderClient({
    endpoint: outputs.CognitoEndpoint,
    region: outputs.Region ?? 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

/**
 * Creates a confirmed user through the Cognito admin API (as an operator would) and signs
 * in with USER_PASSWORD_AUTH. `admin` adds the user to `adminGroup` (the template's
 * UserPoolAdminGroupName default, apiAdmins).
 */
export async function createTestUser(
  outputs: Record<string, string>,
  o: { email?: string; password?: string; admin?: boolean; adminGroup?: string } = {},
): Promise<TestUser> {
  const email = o.email ?? `user-${randomUUID().slice(0, 8)}@example.com`;
  const password = o.password ?? 'Passw0rd-Test';
  const c = cognitoClient(outputs);
  try {
    const UserPoolId = outputs.UserPoolId;
    await c.send(
      new AdminCreateUserCommand({
        UserPoolId,
        Username: email,
        MessageAction: 'SUPPRESS',
        UserAttributes: [
          { Name: 'email', Value: email },
          { Name: 'email_verified', Value: 'true' },
        ],
      }),
    );
    await c.send(new AdminSetUserPasswordCommand({ UserPoolId, Username: email, Password: password, Permanent: true }));
    if (o.admin) await c.send(new AdminAddUserToGroupCommand({ UserPoolId, Username: email, GroupName: o.adminGroup ?? 'apiAdmins' }));
    const r = await c.send(
      new InitiateAuthCommand({
        ClientId: outputs.UserPoolClientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: email, PASSWORD: password },
      }),
    );
    const a = r.AuthenticationResult!;
    const sub = String((JSON.parse(Buffer.from(a.IdToken!.split('.')[1]!, 'base64url').toString('utf8')) as { sub: string }).sub);
    return {
      email,
      password,
      sub,
      idToken: a.IdToken!,
      accessToken: a.AccessToken!,
      refreshToken: a.RefreshToken!,
      headers: { authorization: a.IdToken! },
    };
  } finally {
    c.destroy();
  }
}

/** What `eval "$(npm run -s aws-env -- --state-dir <dir>)"` does to a shell, done to this process: AWS SDK clients made afterwards know nothing of local. */
export function useAwsEnvOf(stateDir: string): void {
  for (const k of Object.keys(process.env)) if (k.startsWith('AWS_')) delete process.env[k];
  const { region, ports } = stateDirStack(stateDir);
  Object.assign(process.env, localAwsEnv(region, localUrls(ports)));
}
