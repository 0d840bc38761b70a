/**
 * Lambda emulation: each function runs in its own child processes (warm reuse, a small
 * pool for concurrent invocations, Timeout enforced by killing the process), with the
 * template's environment plus the local endpoints, and the built layer on NODE_PATH.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import type { BuiltFunction, BuiltLayer } from '../build';
import { textOf, type ResolvedTemplate } from '../template';
import type { InvokeResult, Log } from '../contract';
import type { LogBus } from '../log-bus';
import { AsyncInvokeQueue, asyncInvokeConfig, type AsyncInvokeConfig } from './async-queue';
import { functionIdOf, functionLogGroup, isLocalFunction } from './functions';

export interface LambdaDeps {
  template: ResolvedTemplate;
  rootDir: string;
  region: string;
  accountId: string;
  /** Environment every function process gets (AWS_ENDPOINT_URL_*, credentials). */
  baseEnv: () => Record<string, string>;
  fn: (logicalId: string) => BuiltFunction | undefined;
  layer: (logicalId: string) => BuiltLayer | undefined;
  log: Log;
  /** Where every function log line is published (function, time, request id), besides the log. */
  logs?: LogBus;
  maxPerFunction?: number;
  /** Where the asynchronous-invocation queue is journalled; none = in memory. */
  stateDir?: string;
  /** Sends a failed asynchronous event to its OnFailure destination or DeadLetterQueue. */
  sendOnFailure?: (
    target: NonNullable<AsyncInvokeConfig['onFailure']>,
    body: unknown,
    error: { code: string; message: string },
  ) => Promise<void>;
  /** Wait before an async retry after a function error (Lambda: 1 then 2 minutes). */
  asyncRetryDelayMs?: (attempt: number) => number;
  /** Powertools Tracer on in the function processes (default off: nothing receives traces locally). */
  tracing?: boolean;
  /** A V8 CPU profile of each function process, written into this folder when the process exits. */
  cpuProfileDir?: string;
}

/** Lambda's AWS_LAMBDA_INITIALIZATION_TYPE for a process. */
type InitType = 'on-demand' | 'provisioned-concurrency';

/** How long an invocation waits for a free process before it is throttled. */
const ACQUIRE_TIMEOUT_MS = 60_000;

interface Worker {
  child: ChildProcess;
  version: number;
  busy: boolean;
  ready: Promise<void>;
  /** AWS_LAMBDA_LOG_STREAM_NAME of the process. */
  logStream: string;
  /**
   * The invocation it serves or last served, for its log lines: stdout and the result arrive
   * on different pipes, so a line may come in just after the result.
   */
  requestId?: string;
}

function num(v: unknown, d: number): number {
  const n = Number(v);
  return Number.isFinite(n) && v !== undefined && v !== null && v !== '' ? n : d;
}

/** EMF lines become a readable `metric Name=value Unit` line; other lines pass through. */
export function formatLogLine(line: string): string {
  if (!line.startsWith('{') || !line.includes('"_aws"')) return line;
  try {
    const o = JSON.parse(line) as Record<string, unknown> & {
      _aws?: { CloudWatchMetrics?: { Metrics?: { Name: string; Unit?: string }[] }[] };
    };
    const metrics = o._aws?.CloudWatchMetrics?.flatMap((d) => d.Metrics ?? []) ?? [];
    if (!metrics.length) return line;
    return metrics.map((m) => `metric ${m.Name}=${JSON.stringify(o[m.Name])} ${m.Unit ?? ''}`.trim()).join('; ');
  } catch {
    return line;
  }
}

export class LambdaService {
  private workers = new Map<string, Worker[]>();
  /** Invocations waiting for a process, first come first served; release hands one over. */
  private waiting = new Map<string, ((w: Worker | undefined) => void)[]>();
  private stopped = false;
  readonly asyncQueue: AsyncInvokeQueue;

  constructor(private d: LambdaDeps) {
    this.asyncQueue = new AsyncInvokeQueue({
      invoke: (id, event) => this.invoke(id, event),
      // A journalled event may name a function the template no longer has: run() drops it.
      concurrency: (id) => (this.has(id) ? this.cap(id) : 1),
      config: (id) => asyncInvokeConfig(this.props(id)),
      functionArn: (id) => `arn:aws:lambda:${d.region}:${d.accountId}:function:${d.template.refs[id] ?? id}`,
      sendOnFailure: async (target, body, error) => {
        if (!d.sendOnFailure) throw new Error('no on-failure sender configured');
        await d.sendOnFailure(target, body, error);
      },
      log: d.log,
      ...(d.stateDir ? { journal: join(d.stateDir, 'lambda', 'async-invocations.jsonl') } : {}),
      ...(d.asyncRetryDelayMs ? { retryDelayMs: d.asyncRetryDelayMs } : {}),
    });
  }

  /** Runs the asynchronous events a previous stop left queued (call once the services are up). */
  resumeAsync(): void {
    const n = this.asyncQueue.restore();
    if (n > 0) this.d.log('lambda', `resuming ${n} asynchronous invocation(s) queued before the last stop`);
  }

  has(logicalId: string): boolean {
    return isLocalFunction(this.d.template, logicalId);
  }

  /** Logical id from a logical id, function name, ARN or qualified ARN (an alias invokes its function). */
  resolveName(nameOrArn: string): string | undefined {
    return functionIdOf(this.d.template, nameOrArn);
  }

  private props(id: string): Record<string, unknown> {
    return this.d.template.resources[id]!.Properties;
  }

  private cap(id: string): number {
    const reserved = num(this.props(id).ReservedConcurrentExecutions, Infinity);
    return Math.max(1, Math.min(this.d.maxPerFunction ?? 4, reserved));
  }

  private env(id: string, fn: BuiltFunction, logStream: string, initType: InitType): Record<string, string> {
    const p = this.props(id);
    const name = this.d.template.refs[id]!;
    const templateEnv = (p.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
    const layers = (Array.isArray(p.Layers) ? p.Layers : [])
      .map((arn) => Object.entries(this.d.template.refs).find(([, r]) => r === arn)?.[0])
      .map((lid) => (lid ? this.d.layer(lid)?.nodeModules : undefined))
      .filter((x): x is string => !!x);
    const memory = String(num(p.MemorySize, 128));
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      TZ: ':UTC',
      LANG: 'en_US.UTF-8',
      ...this.d.baseEnv(),
      AWS_LAMBDA_FUNCTION_NAME: name,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: memory,
      AWS_LAMBDA_LOG_GROUP_NAME: functionLogGroup(this.d.template, id),
      AWS_LAMBDA_LOG_STREAM_NAME: logStream,
      AWS_EXECUTION_ENV: `AWS_Lambda_${textOf(p.Runtime, 'nodejs22.x', `${name} Runtime`)}`,
      AWS_LAMBDA_INITIALIZATION_TYPE: initType,
      LAMBDA_TASK_ROOT: fn.dir,
      _HANDLER: textOf(p.Handler, '', `${name} Handler`),
      // Layers first as in /opt/nodejs/node_modules, then the repo's node_modules for the runtime's SDK.
      NODE_PATH: [...layers, join(this.d.rootDir, 'node_modules')].join(':'),
      NODE_OPTIONS: '--enable-source-maps',
      // The SDK warns that Node 20 support ends; Lambda runs nodejs22.x, where it never would.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      LOCAL_HANDLER_FILE: fn.handlerFile,
      // The build dir plays /var/task and /opt: no node_modules above it (see bootstrap.cjs).
      LOCAL_ISOLATE_ROOT: dirname(fn.dir),
      LOCAL_HANDLER_EXPORT: fn.handlerExport,
    };
    // An empty AWS_ENDPOINT_URL_* (declared for `sam local`) means the SDK's default: here, the local endpoint.
    for (const [k, v] of Object.entries(templateEnv))
      if (!(v === '' && k.startsWith('AWS_ENDPOINT_URL_'))) env[k] = typeof v === 'string' ? v : JSON.stringify(v);
    // No X-Ray daemon receives traces here: without --tracing the layer does not load the
    // Tracer at all (its async hooks cost every call), as SAM CLI's AWS_SAM_LOCAL turns it off.
    if (!this.d.tracing) env.POWERTOOLS_TRACE_ENABLED = 'false';
    return env;
  }

  /** A line of a function's output: to the console log and to the log bus. */
  private emit(id: string, w: Worker, line: string): void {
    this.d.log(id, formatLogLine(line));
    this.d.logs?.publish({
      logGroup: functionLogGroup(this.d.template, id),
      functionId: id,
      timestamp: Date.now(),
      logStream: w.logStream,
      message: line,
      ...(w.requestId ? { requestId: w.requestId } : {}),
    });
  }

  private pipeLines(id: string, w: Worker, s: NodeJS.ReadableStream | null): void {
    let buf = '';
    s?.on('data', (d: Buffer) => {
      buf += d.toString();
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (line.trim()) this.emit(id, w, line);
      }
    });
  }

  private spawnWorker(id: string, fn: BuiltFunction, initType: InitType = 'on-demand'): Worker {
    const logStream = `${new Date().toISOString().slice(0, 10).replace(/-/g, '/')}/[$LATEST]${randomUUID().replace(/-/g, '')}`;
    // execArgv []: plain node, as in Lambda. By default fork() passes on the runtime's own
    // flags, i.e. tsx's loader, which every function process then paid for on each require.
    // (--cpu-prof is not allowed in NODE_OPTIONS, hence a flag here.)
    const child = fork(join(__dirname, 'bootstrap.cjs'), [], {
      env: this.env(id, fn, logStream, initType),
      execArgv: this.d.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${join(this.d.cpuProfileDir, id)}`] : [],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      cwd: fn.dir,
    });
    const ready = new Promise<void>((ok, fail) => {
      child.once('message', () => ok());
      child.once('error', fail);
      child.once('exit', (c) => fail(new Error(`process exited (${c}) before it was ready`)));
    });
    ready.catch(() => undefined);
    const w: Worker = { child, version: fn.version, busy: false, ready, logStream };
    this.pipeLines(id, w, child.stdout);
    this.pipeLines(id, w, child.stderr);
    child.once('exit', () => {
      const list = this.workers.get(id) ?? [];
      this.workers.set(
        id,
        list.filter((x) => x !== w),
      );
    });
    return w;
  }

  private usable(w: Worker, version: number | undefined): boolean {
    // A process killed on timeout is gone even before its 'exit' event arrives: never reuse it.
    return !w.child.killed && w.child.exitCode === null && w.child.signalCode === null && w.version === version;
  }

  private async acquire(id: string): Promise<Worker> {
    const deadline = Date.now() + ACQUIRE_TIMEOUT_MS;
    for (;;) {
      const fn = this.d.fn(id);
      if (!fn) throw new Error(`${id} is not built`);
      const list = (this.workers.get(id) ?? []).filter((w) => {
        if (w.child.killed || w.child.exitCode !== null || w.child.signalCode !== null) return false;
        if (w.version === fn.version || w.busy) return true;
        w.child.kill(); // stale code after a rebuild: the next invocation gets a fresh process
        return false;
      });
      this.workers.set(id, list);
      const idle = list.find((w) => !w.busy && w.version === fn.version);
      if (idle) {
        idle.busy = true;
        return idle;
      }
      if (list.length < this.cap(id)) {
        const w = this.spawnWorker(id, fn);
        w.busy = true;
        list.push(w);
        return w;
      }
      // Every process is busy: wait in line for one (as Lambda would throttle past the
      // function's concurrency, after a minute here).
      const wait = deadline - Date.now();
      if (wait <= 0 || this.stopped) throw Object.assign(new Error('Rate Exceeded.'), { name: 'TooManyRequestsException' });
      const handed = await new Promise<Worker | undefined>((ok) => {
        const q = this.waiting.get(id) ?? [];
        const entry = (w: Worker | undefined) => (clearTimeout(timer), ok(w));
        const timer = setTimeout(() => {
          const i = q.indexOf(entry);
          if (i >= 0) q.splice(i, 1);
          ok(undefined);
        }, wait);
        q.push(entry);
        this.waiting.set(id, q);
      });
      if (handed) return handed;
    }
  }

  private release(id: string, w: Worker): void {
    const next = this.waiting.get(id)?.shift();
    if (next && this.usable(w, this.d.fn(id)?.version)) return next(w); // stays busy: handed over
    w.busy = false;
    next?.(undefined); // the process cannot serve it: the waiter starts one
  }

  async invoke(nameOrId: string, event: unknown, opts: { async?: boolean } = {}): Promise<InvokeResult> {
    if (this.stopped) return { ok: false, error: { errorType: 'ServiceException', errorMessage: 'runtime is stopping' } };
    const id = this.resolveName(nameOrId);
    if (!id) return { ok: false, error: { errorType: 'ResourceNotFoundException', errorMessage: `Function not found: ${nameOrId}` } };
    if (opts.async) {
      const requestId = this.asyncQueue.enqueue(id, event);
      return { ok: true, payload: { requestId } };
    }
    const timeoutS = num(this.props(id).Timeout, 3);
    let acquired: Worker | undefined;
    try {
      const w = (acquired = await this.acquire(id));
      // Lambda gives init its own 10 s budget, separate from Timeout.
      let initTimer: NodeJS.Timeout | undefined;
      await Promise.race([
        w.ready,
        new Promise(
          (_, fail) => (initTimer = setTimeout(() => (w.child.kill('SIGKILL'), fail(new Error('Init phase exceeded 10 s'))), 10_000)),
        ),
      ]).finally(() => clearTimeout(initTimer));
    } catch (e) {
      if (acquired) this.release(id, acquired);
      return {
        ok: false,
        error: {
          errorType: (e as Error).name === 'TooManyRequestsException' ? 'TooManyRequestsException' : 'Runtime.InitError',
          errorMessage: (e as Error).message,
        },
      };
    }
    const result = await this.run(id, acquired, event, timeoutS);
    this.release(id, acquired);
    return result;
  }

  /** One invocation on a ready process: the result, a timeout (the process is killed) or its exit. */
  private async run(id: string, w: Worker, event: unknown, timeoutS: number): Promise<InvokeResult> {
    const requestId = randomUUID();
    const started = Date.now();
    const deadline = started + timeoutS * 1000;
    const arn = `arn:aws:lambda:${this.d.region}:${this.d.accountId}:function:${this.d.template.refs[id]}`;
    w.requestId = requestId;
    const result = await new Promise<InvokeResult>((resolve) => {
      const onMessage = (m: { type: string; id: string; ok: boolean; payload?: unknown; error?: InvokeResult['error'] }) => {
        if (m.type !== 'result' || m.id !== requestId) return;
        done(m.ok ? { ok: true, payload: m.payload } : { ok: false, error: m.error! });
      };
      const onExit = (code: number | null) =>
        done({
          ok: false,
          error: {
            errorType: 'Runtime.ExitError',
            errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: exit status ${code}`,
          },
        });
      const timer = setTimeout(() => {
        w.child.removeListener('exit', onExit);
        w.child.kill('SIGKILL');
        done({
          ok: false,
          error: {
            errorType: 'Sandbox.Timedout',
            errorMessage: `${new Date().toISOString()} ${requestId} Task timed out after ${timeoutS.toFixed(2)} seconds`,
          },
        });
      }, timeoutS * 1000);
      const done = (r: InvokeResult) => {
        clearTimeout(timer);
        w.child.removeListener('message', onMessage);
        w.child.removeListener('exit', onExit);
        resolve(r);
      };
      w.child.on('message', onMessage);
      w.child.once('exit', onExit);
      if (!w.child.connected) return onExit(w.child.exitCode);
      // send() reports a closed channel through its callback (the process died in between).
      w.child.send({ type: 'invoke', id: requestId, requestId, event, deadline, functionArn: arn }, (err) => {
        if (err) onExit(w.child.exitCode);
      });
    });
    this.emit(
      id,
      w,
      `REPORT RequestId: ${requestId} Duration: ${Date.now() - started} ms${result.ok ? '' : ` Error: ${result.error?.errorType}`}`,
    );
    return result;
  }

  /**
   * Processes started before any invocation, as Lambda keeps environments initialised: a
   * function's `ProvisionedConcurrencyConfig` count (up to its cap here), its processes with
   * AWS_LAMBDA_INITIALIZATION_TYPE `provisioned-concurrency` (Powertools counts no cold start
   * for them); with `eager` (`--warm-containers EAGER`, SAM CLI's flag) also one per other
   * function. Resolves when every one of them has loaded its handler (or failed to).
   */
  async prewarm(eager = false): Promise<number> {
    const started: Promise<void>[] = [];
    if (this.stopped) return 0; // stopped before the start finished (Ctrl-C during start)
    for (const id of Object.keys(this.d.template.resources).filter((r) => this.has(r))) {
      const fn = this.d.fn(id);
      if (!fn) continue;
      const provisioned = num(
        (this.props(id).ProvisionedConcurrencyConfig as { ProvisionedConcurrentExecutions?: unknown } | undefined)
          ?.ProvisionedConcurrentExecutions,
        0,
      );
      const count = Math.min(this.cap(id), provisioned > 0 ? provisioned : eager ? 1 : 0);
      const list = this.workers.get(id) ?? [];
      this.workers.set(id, list);
      for (let i = list.length; i < count; i++) {
        const w = this.spawnWorker(id, fn, provisioned > 0 ? 'provisioned-concurrency' : 'on-demand');
        list.push(w);
        started.push(w.ready.catch(() => undefined));
      }
    }
    await Promise.all(started);
    return started.length;
  }

  /** Drops idle processes of the given functions so the next invocation loads new code. */
  recycle(ids: string[]): void {
    for (const id of ids) for (const w of this.workers.get(id) ?? []) if (!w.busy) w.child.kill();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.asyncQueue.stop();
    for (const q of this.waiting.values()) for (const next of q.splice(0)) next(undefined);
    const all = [...this.workers.values()].flat();
    await Promise.all(
      all.map(
        (w) =>
          new Promise<void>((ok) => {
            if (w.child.exitCode !== null || w.child.signalCode !== null) return ok();
            const t = setTimeout(() => (w.child.kill('SIGKILL'), ok()), 1000);
            w.child.once('exit', () => (clearTimeout(t), ok()));
            w.child.kill('SIGTERM');
          }),
      ),
    );
  }
}
