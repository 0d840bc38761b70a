/**
 * `npm start` / `npm run build` / `npm run invoke` / `create-user` / `aws-env`: the local
 * runtime's CLI. Failures print one line saying what and how to fix, and exit non-zero.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Builder, dirSize, functionIds, layerIds } from './build';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { createTables, startDynamoDbLocal, tableDefinitionsFromTemplate, type DynamoDbLocal } from './dynamodb';
import { exportLines, localAwsEnv, localUrls, stateDirStack } from './environment';
import { LambdaService } from './lambda';
import { LOCAL_CREDENTIALS } from './local-clients';
import { freePort } from './ports';
import { loadStackTemplate } from './registry';
import { profileRuntime } from './profile';
import { DEFAULT_PORTS, readOutputs, startRuntime, stackNameFrom } from './runtime';
import { parseParameterOverrides } from './template';

/** The repository root: the nearest folder up from here that holds template.yaml (or cwd). */
export function findRoot(): string {
  let dir = process.cwd();
  for (let i = 0; i < 20; i++) {
    if (existsSync(join(dir, 'template.yaml'))) return dir;
    const up = resolve(dir, '..');
    if (up === dir) break;
    dir = up;
  }
  return resolve(__dirname, '..', '..');
}

interface Args {
  cmd: string;
  positional: string[];
  flags: Record<string, string[]>;
}

export function parseArgs(argv: string[]): Args {
  const [cmd = 'help', ...rest] = argv;
  const flags: Record<string, string[]> = {};
  const positional: string[] = [];
  let current: string | undefined;
  for (const a of rest) {
    if (a.startsWith('--')) {
      const [k = '', v] = a.slice(2).split(/=(.*)/s);
      current = k;
      const list = (flags[k] ??= []);
      if (v !== undefined) list.push(v);
    } else if (a.startsWith('-') && a.length === 2) {
      current = { e: 'event', p: 'port' }[a[1]!] ?? a.slice(1);
      flags[current] ??= [];
    } else if (current && (flags[current]!.length === 0 || current === 'parameter-overrides')) {
      flags[current]!.push(a);
    } else {
      positional.push(a);
      current = undefined;
    }
  }
  return { cmd, positional, flags };
}

const one = (a: Args, k: string): string | undefined => a.flags[k]?.at(-1);
const templateOf = (a: Args, rootDir: string): string =>
  one(a, 'template') ? resolve(one(a, 'template')!) : join(rootDir, 'template.yaml');
const has = (a: Args, k: string): boolean => k in a.flags;

const colour = (n: number) => (s: string) => (process.stdout.isTTY ? `\x1b[${n}m${s}\x1b[0m` : s);
const dim = colour(2);
const bold = colour(1);

/**
 * What the runtime prints goes out once per turn of the event loop: under load every function
 * log line and REPORT line was its own write to stdout (a pipe when a tool reads it, and each
 * write a system call), a tenth of the runtime's CPU in a profile of the order pipeline.
 * Lines keep their order (a command's result goes through print() too, after the log lines it
 * follows); whatever is pending is written before the process exits.
 */
let pending: string[] = [];
function flushOutput(): void {
  if (pending.length === 0) return;
  const text = pending.join('');
  pending = [];
  process.stdout.write(text);
}
function print(text: string): void {
  if (pending.push(text) === 1) setImmediate(flushOutput);
}
process.on('exit', flushOutput);

function logLine(source: string, message: string): void {
  for (const line of message.split('\n')) print(`${dim(`[${source}]`)} ${line}\n`);
}

/** SAM CLI's values for --warm-containers. */
function warmContainers(v: string): 'EAGER' | 'LAZY' {
  if (v === 'EAGER' || v === 'LAZY') return v;
  throw new Error(`--warm-containers: '${v}' is not one of EAGER, LAZY`);
}

async function start(a: Args): Promise<void> {
  const rootDir = findRoot();
  const profileDir = one(a, 'cpu-prof') ? resolve(one(a, 'cpu-prof')!) : undefined;
  const writeProfile = profileDir ? profileRuntime(profileDir) : undefined;
  const ports: Partial<Record<string, number>> = {};
  for (const name of Object.keys(DEFAULT_PORTS)) {
    const v = one(a, `${name}-port`) ?? (name === 'api' ? one(a, 'port') : undefined);
    if (v !== undefined) ports[name] = Number(v);
  }
  const rt = await startRuntime({
    rootDir,
    stateDir: one(a, 'state-dir') ?? '.local',
    fresh: has(a, 'fresh'),
    parameterOverrides: parseParameterOverrides(a.flags['parameter-overrides'] ?? []),
    ports,
    autoPorts: one(a, 'ports') === 'auto',
    region: one(a, 'region') ?? 'us-east-1',
    ...(Number(one(a, 'function-concurrency')) > 0 ? { functionConcurrency: Number(one(a, 'function-concurrency')) } : {}),
    ...(one(a, 'warm-containers') ? { warmContainers: warmContainers(one(a, 'warm-containers')!) } : {}),
    watch: !has(a, 'no-watch'),
    inMemoryDb: has(a, 'in-memory-db'),
    ttlSweep: !has(a, 'no-ttl-sweep'),
    verbose: has(a, 'verbose'),
    tracing: has(a, 'tracing'),
    ...(profileDir ? { cpuProfileDir: profileDir } : {}),
    ...(one(a, 'functions-dynamodb-endpoint') ? { functionsDynamoDBEndpoint: one(a, 'functions-dynamodb-endpoint')! } : {}),
    ...(one(a, 'template') ? { templatePath: resolve(one(a, 'template')!) } : {}),
    log: logLine,
  });
  for (const line of rt.summary) print(`${line}\n`);
  print(`outputs: ${join(rt.stateDir, 'outputs.json')}\n`);
  // The harness waits for this exact line.
  // Where start-up went, so a slow start can be read at a glance (each: ms from the start).
  print(
    `startup: ${Object.entries(rt.phases)
      .sort((a, b) => a[1] - b[1])
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')} (ms since start)\n`,
  );
  print(`${bold(`ready in ${rt.readyMs} ms`)}: API ${rt.outputs.APIEndpoint}\n`);
  let stopping = false;
  const stop = (sig: string) => {
    if (stopping) return;
    stopping = true;
    logLine('runtime', `${sig}: stopping`);
    const hard = setTimeout(() => process.exit(1), 8000);
    hard.unref();
    void rt
      .stop()
      .then(() => writeProfile?.())
      .then(() => process.exit(0));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

async function build(a: Args): Promise<void> {
  const rootDir = findRoot();
  const templatePath = templateOf(a, rootDir);
  const t = loadStackTemplate(templatePath, {
    parameterOverrides: parseParameterOverrides(a.flags['parameter-overrides'] ?? []),
    ctx: { stackName: stackNameFrom(dirname(templatePath), rootDir) },
  });
  const started = Date.now();
  const builder = new Builder(t, dirname(templatePath), resolve(rootDir, one(a, 'state-dir') ?? '.local', 'build'), logLine);
  try {
    await builder.buildAll();
    for (const [id, l] of builder.layers) print(`${id.padEnd(32)} ${(dirSize(l.dir) / 1024).toFixed(1).padStart(8)} KiB (layer)\n`);
    for (const id of functionIds(t)) {
      const f = builder.functions.get(id)!;
      print(`${id.padEnd(32)} ${(dirSize(f.dir) / 1024).toFixed(1).padStart(8)} KiB\n`);
    }
    const upToDate = builder.skipped ? ` (${builder.skipped} already up to date: inputs unchanged since the last build)` : '';
    print(`built ${builder.functions.size} functions and ${builder.layers.size} layer(s) in ${Date.now() - started} ms${upToDate}\n`);
  } finally {
    await builder.dispose();
  }
}

/** True when something answers on the URL (the running runtime's DynamoDB Local). */
async function answers(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(500) });
    return true;
  } catch {
    return false;
  }
}

async function invoke(a: Args): Promise<void> {
  const rootDir = findRoot();
  const id = a.positional[0];
  if (!id) throw new Error('usage: npm run invoke -- <LogicalId> [-e events/<file>.json]');
  const eventFile = one(a, 'event');
  const event: unknown = eventFile ? JSON.parse(readFileSync(resolve(eventFile), 'utf8')) : {};
  const stateDir = resolve(rootDir, one(a, 'state-dir') ?? '.local');
  // The running runtime's services when it answers (its ports.json); otherwise DynamoDB Local started here.
  const stack = stateDirStack(stateDir);
  const urls = localUrls(stack.ports);
  const running = existsSync(join(stateDir, 'outputs.json')) && (await answers(urls.dynamodb!));
  const cleanups: (() => Promise<void>)[] = [];
  const templatePath = templateOf(a, rootDir);
  let ownDb: DynamoDbLocal | undefined;
  try {
    if (!running) {
      const d = (ownDb = await startDynamoDbLocal({ port: await freePort(), dbPath: join(stateDir, 'dynamodb') }));
      cleanups.push(() => d.stop());
      urls.dynamodb = d.endpoint;
      logLine('invoke', `runtime not running: started DynamoDB Local on ${d.endpoint} for this invocation`);
    }
    const t = loadStackTemplate(templatePath, {
      parameterOverrides: parseParameterOverrides(a.flags['parameter-overrides'] ?? []),
      ctx: { region: stack.region, stackName: stackNameFrom(dirname(templatePath), rootDir), urls },
    });
    if (!t.resources[id] || t.resources[id].Type !== 'AWS::Serverless::Function')
      throw new Error(`${id} is not an AWS::Serverless::Function of template.yaml`);
    if (ownDb) await createTables(ownDb.client, tableDefinitionsFromTemplate(t));
    const builder = new Builder(t, dirname(templatePath), join(stateDir, 'build'), logLine);
    cleanups.push(() => builder.dispose());
    await Promise.all([...layerIds(t).map((l) => builder.buildLayer(l)), builder.buildFunction(id)]);
    const env = localAwsEnv(stack.region, urls);
    const lambda = new LambdaService({
      template: t,
      rootDir,
      region: stack.region,
      accountId: '123456789012',
      baseEnv: () => env,
      fn: (x) => builder.functions.get(x),
      layer: (x) => builder.layers.get(x),
      log: logLine,
    });
    cleanups.push(() => lambda.stop());
    const r = await lambda.invoke(id, event);
    print(`${JSON.stringify(r.ok ? r.payload : r.error, null, 2)}\n`); // after the function's log lines, which print() queued
    if (!r.ok) process.exitCode = 1;
  } finally {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  }
}

/** `eval "$(npm run -s aws-env)"`: the AWS CLI and every SDK in this shell talk to `npm start`. */
function awsEnv(a: Args): void {
  const stack = stateDirStack(resolve(findRoot(), one(a, 'state-dir') ?? '.local'));
  process.stdout.write(exportLines(localAwsEnv(stack.region, localUrls(stack.ports))));
}

type Rec = Record<string, unknown>;

/** The Cognito API, by operation name: the running endpoint's (SDK) or a store opened here. */
interface CognitoApi {
  call(op: 'AdminCreateUser' | 'AdminSetUserPassword' | 'CreateGroup' | 'AdminAddUserToGroup' | 'InitiateAuth', input: Rec): Promise<Rec>;
  poolId: string;
  clientId: string;
  close(): Promise<void>;
  /** Where the user went, for the first line printed. */
  where: string;
}

type CognitoCommand = new (input: Rec) => Parameters<CognitoIdentityProviderClient['send']>[0];
const COGNITO_COMMANDS = {
  AdminCreateUser: AdminCreateUserCommand,
  AdminSetUserPassword: AdminSetUserPasswordCommand,
  CreateGroup: CreateGroupCommand,
  AdminAddUserToGroup: AdminAddUserToGroupCommand,
  InitiateAuth: InitiateAuthCommand,
} as unknown as Record<string, CognitoCommand>;

/** The running runtime's Cognito endpoint, when it answers: users made there are in its store at once. */
async function runningCognito(stateDir: string, region: string, fallbackUrl: string): Promise<CognitoApi | undefined> {
  const outputs = readOutputs(stateDir);
  const url = outputs?.CognitoEndpoint ?? fallbackUrl;
  if (!outputs?.UserPoolId || !outputs.UserPoolClientId || !(await answers(url))) return undefined;
  const client = new CognitoIdentityProviderClient({ endpoint: url, region, credentials: LOCAL_CREDENTIALS });
  return {
    call: async (op, input) => (await client.send(new COGNITO_COMMANDS[op]!(input))) as unknown as Rec,
    poolId: outputs.UserPoolId,
    clientId: outputs.UserPoolClientId,
    close: async () => client.destroy(),
    where: `through the running Cognito endpoint ${url}`,
  };
}

/** The store itself, when no runtime runs (it takes the store's writer lock, so a runtime starting meanwhile waits its turn). */
async function storeCognito(stateDir: string, t: ReturnType<typeof loadStackTemplate>, region: string, url: string): Promise<CognitoApi> {
  const { CognitoServer } = await import('./cognito');
  const cognito = new CognitoServer({ template: t, stateDir: join(stateDir, 'cognito'), region, baseUrl: url, log: logLine });
  const poolId = Object.keys(cognito.pools)[0];
  if (!poolId) throw new Error('template.yaml declares no AWS::Cognito::UserPool');
  return {
    call: (op, input) => cognito.call(op, input),
    poolId,
    clientId: Object.keys(cognito.pools[poolId]!.clients)[0]!,
    close: () => cognito.stop(),
    where: `in ${join(stateDir, 'cognito')} (no runtime answers)`,
  };
}

const errorCode = (e: unknown) => (e as { type?: string; name?: string }).type ?? (e as { name?: string }).name;

async function createUser(a: Args): Promise<void> {
  const rootDir = findRoot();
  const email = one(a, 'email');
  const password = one(a, 'password');
  if (!email || !password) throw new Error('usage: create-user --email you@example.com --password Passw0rd! [--admin]');
  const stateDir = resolve(rootDir, one(a, 'state-dir') ?? '.local');
  const stack = stateDirStack(stateDir);
  const urls = localUrls(stack.ports);
  const cognitoUrl = readOutputs(stateDir)?.CognitoEndpoint ?? urls.cognito!;
  const templatePath = templateOf(a, rootDir);
  const t = loadStackTemplate(templatePath, {
    ctx: { region: stack.region, stackName: stackNameFrom(dirname(templatePath), rootDir), urls: { ...urls, cognito: cognitoUrl } },
  });
  const api = (await runningCognito(stateDir, stack.region, cognitoUrl)) ?? (await storeCognito(stateDir, t, stack.region, cognitoUrl));
  try {
    const UserPoolId = api.poolId;
    await api
      .call('AdminCreateUser', {
        UserPoolId,
        Username: email,
        MessageAction: 'SUPPRESS',
        UserAttributes: [
          { Name: 'email', Value: email },
          { Name: 'email_verified', Value: 'true' },
        ],
      })
      .catch((e: unknown) => {
        if (errorCode(e) !== 'UsernameExistsException') throw e;
      });
    await api.call('AdminSetUserPassword', { UserPoolId, Username: email, Password: password, Permanent: true });
    if (has(a, 'admin')) {
      const GroupName = t.parameters.UserPoolAdminGroupName ?? 'apiAdmins';
      await api.call('CreateGroup', { UserPoolId, GroupName }).catch((e: unknown) => {
        if (errorCode(e) !== 'GroupExistsException') throw e;
      });
      await api.call('AdminAddUserToGroup', { UserPoolId, Username: email, GroupName });
    }
    const r = await api.call('InitiateAuth', {
      ClientId: api.clientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: email, PASSWORD: password },
    });
    process.stderr.write(`user ${email} ${api.where}\n`);
    print(`${JSON.stringify(r.AuthenticationResult, null, 2)}\n`);
  } finally {
    await api.close();
  }
}

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2));
  switch (a.cmd) {
    case 'start':
      return start(a);
    case 'build':
      return build(a);
    case 'invoke':
      return invoke(a);
    case 'create-user':
      return createUser(a);
    case 'aws-env':
      return awsEnv(a);
    default:
      process.stdout.write(
        'usage: cli.ts start [--fresh] [--state-dir DIR] [--parameter-overrides K=V ...] [--port N] [--<service>-port N] [--ports auto] [--region R] [--no-watch] [--verbose]\n' +
          '                [--in-memory-db] [--no-ttl-sweep] [--functions-dynamodb-endpoint URL] [--function-concurrency N] [--warm-containers EAGER|LAZY]   (functions reach DynamoDB there, e.g. a counting proxy)\n' +
          '                [--tracing] [--cpu-prof DIR]   (X-Ray tracing in the functions as deployed; a V8 CPU profile of every function process in DIR)\n' +
          '       cli.ts build | invoke <LogicalId> [-e event.json] | create-user --email E --password P [--admin] | aws-env [--state-dir DIR]\n',
      );
  }
}

if (require.main === module) {
  // The dev machine runs Node 20; the SDK's end-of-support notice is not news here (Lambda runs 22).
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  main().catch((e: Error) => {
    flushOutput();
    process.stderr.write(`error: ${e.message}\n`);
    if (process.env.LOCAL_DEBUG) process.stderr.write(`${e.stack}\n`);
    process.exit(1);
  });
}
