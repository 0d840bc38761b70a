/**
 * The peer of the api section: serverless 3 with serverless-offline 13 serving the same built
 * handlers (the runtime's own build output in its state dir, the built layer on NODE_PATH)
 * over the same DynamoDB Local, with the environment the runtime gives those functions.
 *
 * Installed at bench time into node_modules/.cache/bench-peer (`npm install --prefix`), never
 * a project dependency; a second run reuses it. serverless 3 needs no account for `offline`.
 * The generated service (serverless.json, one symlink per function to its build folder) lives
 * in a temporary folder with no node_modules above it: a handler resolves its packages as in
 * Lambda, from the layer and the runtime's SDK on NODE_PATH, never from serverless's own.
 *
 * Authorization: serverless-offline runs a Lambda authorizer on every request (it has no
 * result cache), where API Gateway and the local runtime cache it per token for its TTL. The
 * peer runs with `--noAuth`: the authorizer stays declared, so the handler still receives the
 * token's claims (decoded, not verified) as `requestContext.authorizer.claims`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { localAwsEnv, localUrls } from '../../local/src/environment';
import { freePort } from '../../local/src/ports';
import { loadStackTemplate } from '../../local/src/registry';
import { stackNameFrom } from '../../local/src/runtime';
import { DEFAULT_STACK, textOf, type ResolvedTemplate } from '../../local/src/template';
import type { LocalRuntimeHandle } from '../../tests/support/runtime';
import { CONNECTIONS, REPO_ROOT, cleanups, log, scrub } from './common';

/** What `npm install` asks for: the majors issue 16 names. */
const PACKAGES = { serverless: '3', 'serverless-offline': '13' } as const;
export const PEER_CACHE = join(REPO_ROOT, 'node_modules', '.cache', 'bench-peer');

/**
 * How serverless-offline runs a handler: `worker` (its default: a worker thread per concurrent
 * call, kept warm) or `in-process` (`--useInProcess`: every call on its main thread).
 */
export type PeerMode = 'worker' | 'in-process';

export interface PeerRoute {
  /** The route as the bench names it (GET /health). */
  route: string;
  functionId: string;
  method: 'get';
  /** serverless's http path (no leading slash). */
  path: string;
  /** The route is behind the template's TOKEN authorizer. */
  authorized: boolean;
}

export interface PeerServer {
  /** Base URL with the stage, as the runtime's APIEndpoint. */
  url: string;
  pid: number;
  versions: { serverless: string; serverlessOffline: string };
  mode: PeerMode;
  stop(): Promise<void>;
}

const installed = (name: string): string | undefined => {
  const file = join(PEER_CACHE, 'node_modules', name, 'package.json');
  return existsSync(file) ? String((JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version) : undefined;
};

function run(cmd: string, args: string[], cwd: string): Promise<string> {
  return new Promise((ok, fail) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', fail);
    child.on('exit', (code) => (code === 0 ? ok(out) : fail(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${out.slice(-1500)}`))));
  });
}

/** serverless 3 and serverless-offline 13 in the bench's cache folder (installed once, asynchronously: the runtime's output keeps being read). */
export async function installPeer(): Promise<{ serverless: string; serverlessOffline: string }> {
  const have = () => ({ serverless: installed('serverless'), serverlessOffline: installed('serverless-offline') });
  const fits = (v: { serverless?: string; serverlessOffline?: string }) =>
    v.serverless?.split('.')[0] === PACKAGES.serverless && v.serverlessOffline?.split('.')[0] === PACKAGES['serverless-offline'];
  let v = have();
  if (!fits(v)) {
    mkdirSync(PEER_CACHE, { recursive: true });
    const specs = Object.entries(PACKAGES).map(([n, major]) => `${n}@${major}`);
    log(`peer: npm install --prefix ${PEER_CACHE.slice(REPO_ROOT.length + 1)} ${specs.join(' ')}`);
    // --ignore-scripts: their postinstall scripts only print notices.
    await run('npm', ['install', '--prefix', PEER_CACHE, '--no-audit', '--no-fund', '--ignore-scripts', ...specs], PEER_CACHE);
    v = have();
    if (!fits(v)) throw new Error(`peer: npm install left serverless ${v.serverless}, serverless-offline ${v.serverlessOffline}`);
  }
  return { serverless: v.serverless!, serverlessOffline: v.serverlessOffline! };
}

/** The template resolved as the runtime resolves it (same stack name, region and URLs). */
function runtimeTemplate(rt: LocalRuntimeHandle): { t: ResolvedTemplate; awsEnv: Record<string, string> } {
  const ports = JSON.parse(readFileSync(join(rt.stateDir, 'ports.json'), 'utf8')) as Record<string, number>;
  const urls = localUrls(ports);
  const region = rt.outputs.Region ?? DEFAULT_STACK.region;
  const t = loadStackTemplate(join(REPO_ROOT, 'template.yaml'), {
    ctx: { ...DEFAULT_STACK, region, stackName: stackNameFrom(REPO_ROOT), urls },
  });
  // A different resolution would point the peer at other tables: fail rather than measure that.
  for (const id of ['OrdersTable', 'UsersTable'])
    if (rt.outputs[`${id}Name`] && t.refs[id] !== rt.outputs[`${id}Name`])
      throw new Error(`peer: ${id} resolves to ${t.refs[id]}, the runtime has ${rt.outputs[`${id}Name`]}`);
  return { t, awsEnv: localAwsEnv(region, urls) };
}

/**
 * What the runtime gives a function process (local/src/lambda/index.ts `env`) that the
 * handler reads: the SDK environment, the template's variables, the layer and the SDK on
 * NODE_PATH, no tracing. serverless-offline adds its own AWS_LAMBDA_* and _HANDLER.
 */
function functionEnv(t: ResolvedTemplate, awsEnv: Record<string, string>, buildDir: string, id: string): Record<string, string> {
  const p = t.resources[id]!.Properties;
  const layers = (Array.isArray(p.Layers) ? p.Layers : [])
    .map((arn) => Object.entries(t.refs).find(([, r]) => r === arn)?.[0])
    .filter((lid): lid is string => !!lid)
    .map((lid) => {
      const built = join(buildDir, lid, 'nodejs', 'node_modules');
      const contentUri = t.resources[lid]?.Properties.ContentUri;
      return existsSync(built) || typeof contentUri !== 'string' ? built : resolve(REPO_ROOT, contentUri, 'nodejs', 'node_modules');
    });
  const env: Record<string, string> = {
    TZ: ':UTC',
    LANG: 'en_US.UTF-8',
    ...awsEnv,
    NODE_PATH: [...layers, join(REPO_ROOT, 'node_modules')].join(':'),
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  const vars = (p.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
  for (const [k, v] of Object.entries(vars))
    if (!(v === '' && k.startsWith('AWS_ENDPOINT_URL_'))) env[k] = typeof v === 'string' ? v : JSON.stringify(v);
  env.POWERTOOLS_TRACE_ENABLED = 'false';
  for (const [k, v] of Object.entries(env))
    if (v.includes('${')) throw new Error(`peer: ${id} ${k} holds "\${", which serverless would read as a variable`);
  return env;
}

/** serverless.json for these routes, each function a symlink to its build folder; returns the service folder. */
function writeService(rt: LocalRuntimeHandle, routes: PeerRoute[]): { dir: string; nodePath: string; dispose: () => void } {
  const buildDir = join(rt.stateDir, 'build');
  const { t, awsEnv } = runtimeTemplate(rt);
  const dir = mkdtempSync(join(tmpdir(), 'myapp-bench-peer-'));
  const dispose = () => rmSync(dir, { recursive: true, force: true });
  try {
    const api = Object.values(t.resources).find((r) => r.Type === 'AWS::Serverless::Api')?.Properties ?? {};
    const identity = ((api.Auth as any)?.Authorizers?.TokenAuthorizer?.Identity ?? {}) as { Header?: string; ReauthorizeEvery?: number };
    const authorizerId = 'AuthorizerFunction';
    const ids = [...new Set([...routes.map((r) => r.functionId), ...(routes.some((r) => r.authorized) ? [authorizerId] : [])])];
    const functions: Record<string, unknown> = {};
    let nodePath = '';
    for (const id of ids) {
      const handler = textOf(t.resources[id]?.Properties.Handler, 'handler.handler', `${id} Handler`);
      const file = join(buildDir, id, `${handler.slice(0, handler.lastIndexOf('.'))}.js`);
      if (!existsSync(file)) throw new Error(`peer: no built ${id} at ${file} (the runtime builds into <state dir>/build)`);
      symlinkSync(join(buildDir, id), join(dir, id), 'dir');
      const events = routes
        .filter((r) => r.functionId === id)
        .map((r) => ({
          http: {
            path: r.path,
            method: r.method,
            ...(r.authorized
              ? {
                  authorizer: {
                    name: authorizerId,
                    type: 'token',
                    identitySource: `method.request.header.${identity.Header ?? 'Authorization'}`,
                    resultTtlInSeconds: Number(identity.ReauthorizeEvery ?? 300),
                  },
                }
              : {}),
          },
        }));
      const environment = functionEnv(t, awsEnv, buildDir, id);
      nodePath ||= environment.NODE_PATH!;
      functions[id] = {
        handler: `${id}/${handler}`,
        memorySize: Number(t.resources[id]!.Properties.MemorySize ?? 512),
        timeout: Number(t.resources[id]!.Properties.Timeout ?? 10),
        environment,
        ...(events.length ? { events } : {}),
      };
    }
    const service = {
      service: 'myapp-bench-peer',
      frameworkVersion: PACKAGES.serverless,
      plugins: ['serverless-offline'],
      // The node that runs here (serverless-offline runs handlers in it, whatever the template says).
      provider: { name: 'aws', runtime: `nodejs${process.versions.node.split('.')[0]}.x`, region: awsEnv.AWS_REGION, stage: 'prod' },
      functions,
    };
    writeFileSync(join(dir, 'serverless.json'), `${JSON.stringify(service, null, 2)}\n`);
    return { dir, nodePath, dispose };
  } catch (e) {
    dispose();
    throw e;
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const kill = (sig: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, sig);
    } catch {
      /* gone */
    }
  };
  return new Promise<void>((ok) => {
    const t = setTimeout(() => (kill('SIGKILL'), ok()), 5000);
    child.once('exit', () => (clearTimeout(t), kill('SIGKILL'), ok()));
    kill('SIGTERM');
  });
}

/** Installs (once), writes the service and starts `serverless offline` for `routes`; resolves when it serves. */
export async function startPeer(rt: LocalRuntimeHandle, routes: PeerRoute[], mode: PeerMode): Promise<PeerServer> {
  const versions = await installPeer();
  const service = writeService(rt, routes);
  const [httpPort, lambdaPort] = [await freePort(), await freePort()];
  const args = [
    join(PEER_CACHE, 'node_modules', 'serverless', 'bin', 'serverless.js'),
    'offline',
    'start',
    '--noAuth',
    '--host',
    '127.0.0.1',
    '--httpPort',
    String(httpPort),
    '--lambdaPort',
    String(lambdaPort),
    // Warm reuse between rounds: no idle worker is ended while the other side is measured.
    '--terminateIdleLambdaTime',
    '3600',
    ...(mode === 'in-process' ? ['--useInProcess'] : []),
  ];
  const child = spawn(process.execPath, args, {
    cwd: service.dir,
    // Its own group, so stop() reaches every process it starts.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH ?? '',
      // serverless keeps its settings (~/.serverlessrc) in HOME: the scratch folder's, not the user's.
      HOME: service.dir,
      SLS_TELEMETRY_DISABLED: '1',
      SLS_NOTIFICATIONS_MODE: 'off',
      SLS_INTERACTIVE_SETUP_DISABLE: '1',
      FORCE_COLOR: '0',
      // As the runtime's function processes run (a handler's main thread here, with --useInProcess).
      NODE_OPTIONS: '--enable-source-maps',
      NODE_PATH: service.nodePath,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
  });
  // Read everything it prints (two lines per request), or it would block on a full pipe; keep the tail for errors.
  let tail = '';
  const keep = (d: Buffer) => (tail = (tail + d.toString()).slice(-8000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const stop = async () => {
    cleanups.delete(stop);
    await stopChild(child);
    service.dispose();
  };
  cleanups.add(stop);
  try {
    await new Promise<void>((ok, fail) => {
      const timer = setTimeout(() => fail(new Error(`serverless offline not ready in 60 s: ${tail.slice(-1500)}`)), 60_000);
      const watch = () => /Server ready/.test(tail) && (clearTimeout(timer), ok());
      child.stdout.on('data', watch);
      child.stderr.on('data', watch);
      child.once('exit', (code) => (clearTimeout(timer), fail(new Error(`serverless offline exited (${code}): ${tail.slice(-1500)}`))));
    });
  } catch (e) {
    await stop();
    throw e;
  }
  log(`peer: serverless ${versions.serverless}, serverless-offline ${versions.serverlessOffline} (${mode}) on port ${httpPort}`);
  return { url: `http://127.0.0.1:${httpPort}/prod`, pid: child.pid!, versions, mode, stop };
}

/** The modes the bench measures: BENCH_PEER_MODE (comma-separated), default both. */
export function peerModes(): PeerMode[] {
  const modes = (process.env.BENCH_PEER_MODE ?? 'worker,in-process').split(',').map((m) => m.trim());
  for (const m of modes) if (m !== 'worker' && m !== 'in-process') throw new Error(`BENCH_PEER_MODE: worker and/or in-process, not ${m}`);
  return [...new Set(modes)] as PeerMode[];
}

/** A path to warm, with the headers to send and this runtime's answer now (the peer must answer the same). */
export type WarmPaths = Record<string, { headers: Record<string, string>; answer: () => Promise<unknown> }>;

const sameJson = (text: string, body: unknown): boolean => {
  try {
    return JSON.stringify(JSON.parse(text)) === JSON.stringify(body);
  } catch {
    return false;
  }
};

/**
 * CONNECTIONS concurrent callers, 5 calls each, per path: every answer must be a 200, and
 * one the same as this runtime's just after it (the bench's order may still be moving
 * through the pipeline: up to 3 tries).
 */
async function warm(server: PeerServer, paths: WarmPaths): Promise<void> {
  const get = async (path: string, headers: Record<string, string>) => {
    const res = await fetch(`${server.url}${path}`, { headers, signal: AbortSignal.timeout(30_000) });
    return { status: res.status, text: await res.text() };
  };
  for (const [path, { headers, answer }] of Object.entries(paths)) {
    const answers = await Promise.all(
      Array.from({ length: CONNECTIONS }, async () => {
        const seen: { status: number; text: string }[] = [];
        for (let i = 0; i < 5; i++) seen.push(await get(path, headers));
        return seen;
      }),
    );
    const bad = [
      ...new Set(
        answers
          .flat()
          .filter((a) => a.status !== 200)
          .map((a) => a.status),
      ),
    ];
    if (bad.length) throw new Error(`GET ${path} answered ${bad.join(', ')} while warming`);
    for (let attempt = 1; ; attempt++) {
      const peer = await get(path, headers);
      const own = await answer();
      if (sameJson(peer.text, own)) break;
      if (attempt === 3)
        throw new Error(`GET ${path} answered ${peer.text.slice(0, 300)}, this runtime ${JSON.stringify(own).slice(0, 300)}`);
    }
  }
}

/** One side of a comparison, measured round by round (bench/sections/api.ts `inRounds`). */
export interface Contender {
  round(i: number): Promise<void>;
}

interface PeerRun<M> {
  mode: PeerMode;
  server?: PeerServer;
  error?: string;
  rounds: Record<string, M[]>;
}

/**
 * The peer in each mode of peerModes(), started and warmed (CONNECTIONS concurrent callers,
 * so its pool holds that many warm handlers, as the runtime's functions are warm), measured
 * round by round beside the runtime. A mode that fails to install, start or answer is
 * reported with its error, and the rest of the section runs. BENCH_PEER=0 leaves the peer out.
 */
export class PeerRounds<M> {
  private constructor(
    private runs: PeerRun<M>[],
    private skipped?: string,
  ) {}

  static async start<M>(rt: LocalRuntimeHandle, routes: PeerRoute[], warmPaths: WarmPaths): Promise<PeerRounds<M>> {
    if (process.env.BENCH_PEER === '0') return new PeerRounds<M>([], 'BENCH_PEER=0');
    const runs: PeerRun<M>[] = [];
    for (const mode of peerModes()) {
      const run: PeerRun<M> = { mode, rounds: Object.fromEntries(routes.map((r) => [r.route, []])) };
      runs.push(run);
      try {
        run.server = await startPeer(rt, routes, mode);
        await warm(run.server, warmPaths);
      } catch (e) {
        await run.server?.stop();
        delete run.server;
        run.error = scrub((e as Error).message.slice(0, 2000));
        log(`peer (${mode}) left out: ${run.error}`);
      }
    }
    return new PeerRounds(runs);
  }

  /** One contender per running peer for `route`; a failed round (a crash mid-run) ends that peer's rounds, not the section. */
  contenders(route: string, fn: (url: string, label: string, pid: number) => Promise<M>): Contender[] {
    return this.runs.map((run) => ({
      round: async (i: number) => {
        const server = run.server;
        if (!server) return;
        try {
          run.rounds[route]!.push(await fn(server.url, `peer: ${route} on serverless-offline, ${run.mode} (round ${i + 1})`, server.pid));
        } catch (e) {
          run.error = scrub(`${route}, round ${i + 1}: ${(e as Error).message}`.slice(0, 2000));
          log(`peer (${run.mode}) left out: ${run.error}`);
          delete run.server;
          await server.stop();
        }
      },
    }));
  }

  async stop(): Promise<void> {
    for (const run of this.runs) await run.server?.stop();
  }

  /** For latest.json: versions, the authorization used, and each mode's routes (summarised) or its error. */
  result<T>(summarise: (rounds: M[]) => T) {
    const versions = this.runs.find((r) => r.server)?.server?.versions;
    return {
      ...(this.skipped ? { skipped: this.skipped } : {}),
      ...(versions ? { serverless: versions.serverless, serverlessOffline: versions.serverlessOffline } : {}),
      auth: 'noAuth' as const,
      runs: this.runs
        .filter((r) => !r.error)
        .map((r) => ({ mode: r.mode, routes: Object.entries(r.rounds).map(([route, rounds]) => ({ route, ...summarise(rounds) })) })),
      errors: Object.fromEntries(this.runs.filter((r) => r.error).map((r) => [r.mode, r.error!])),
    };
  }
}
