/**
 * A counting HTTP proxy in front of DynamoDB Local (bench only, loopback only).
 *
 * Every JSON-protocol request (`X-Amz-Target: DynamoDB_20120810.<Operation>`) of an
 * operation that accepts it gets `"ReturnConsumedCapacity":"TOTAL"` injected into its body
 * (DynamoDB Local does not verify SigV4 signatures, so the re-written body is accepted),
 * and the ConsumedCapacity of each response is recorded. The response goes back to the
 * caller unchanged (its x-amz-crc32 still matches), so the functions under test need no
 * change: the runtime points their AWS_ENDPOINT_URL_DYNAMODB at this proxy
 * (`--functions-dynamodb-endpoint`).
 */
import { createServer, request, Agent, type IncomingHttpHeaders, type Server } from 'node:http';
import { closeServer, listenLoopback } from '../../local/src/ports';

export interface DdbCall {
  /** ms since the proxy started, when the request arrived. */
  at: number;
  /** ms since the proxy started, when the response ended. */
  end: number;
  op: string;
  table?: string;
  index?: string;
  status: number;
  /** Capacity units from the response (0 when the response carried none, e.g. an error). */
  rcu: number;
  wcu: number;
}

const READS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan', 'TransactGetItems']);
const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);
/** Operations whose request accepts ReturnConsumedCapacity. */
const WITH_CAPACITY = new Set([...READS, ...WRITES, 'ExecuteStatement', 'BatchExecuteStatement', 'ExecuteTransaction']);

interface Capacity {
  TableName?: string;
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
}

/** Splits consumed capacity into read and write units (TOTAL gives CapacityUnits; the op says which). */
function units(op: string, cc: Capacity | Capacity[] | undefined): { rcu: number; wcu: number } {
  const list = Array.isArray(cc) ? cc : cc ? [cc] : [];
  let rcu = 0;
  let wcu = 0;
  for (const c of list) {
    if (c.ReadCapacityUnits !== undefined || c.WriteCapacityUnits !== undefined) {
      rcu += c.ReadCapacityUnits ?? 0;
      wcu += c.WriteCapacityUnits ?? 0;
    } else if (READS.has(op)) rcu += c.CapacityUnits ?? 0;
    else wcu += c.CapacityUnits ?? 0;
  }
  return { rcu, wcu };
}

export interface Totals {
  calls: number;
  rcu: number;
  wcu: number;
  operations: Record<string, number>;
}

export function summarize(calls: DdbCall[]): Totals {
  const operations: Record<string, number> = {};
  let rcu = 0;
  let wcu = 0;
  for (const c of calls) {
    operations[c.op] = (operations[c.op] ?? 0) + 1;
    rcu += c.rcu;
    wcu += c.wcu;
  }
  const round = (n: number) => Math.round(n * 100) / 100;
  return { calls: calls.length, rcu: round(rcu), wcu: round(wcu), operations };
}

export class CountingDdbProxy {
  readonly calls: DdbCall[] = [];
  private server?: Server;
  private readonly t0 = performance.now();
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });
  inflight = 0;
  /** When the last request arrived or the last response ended (ms since start). */
  lastActivity = 0;

  constructor(private upstreamPort: number) {}

  now(): number {
    return performance.now() - this.t0;
  }

  /** Calls that arrived in [from, to) (proxy clock). */
  between(from: number, to = Infinity): DdbCall[] {
    return this.calls.filter((c) => c.at >= from && c.at < to);
  }

  /** Resolves once no call is in flight and none arrived for quietMs (bounded by maxMs). */
  async quiet(quietMs: number, maxMs: number): Promise<boolean> {
    const end = Date.now() + maxMs;
    while (Date.now() < end) {
      if (this.inflight === 0 && this.now() - this.lastActivity >= quietMs) return true;
      await new Promise((r) => setTimeout(r, 50));
    }
    return false;
  }

  listen(port = 0): Promise<number> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const at = this.now();
        this.inflight++;
        this.lastActivity = at;
        const target = String(req.headers['x-amz-target'] ?? '');
        const op = target.includes('.') ? target.slice(target.indexOf('.') + 1) : target || `${req.method} ${req.url}`;
        let body = Buffer.concat(chunks);
        let table: string | undefined;
        let index: string | undefined;
        let injected = false;
        if (target.startsWith('DynamoDB_') && body.length) {
          try {
            const json = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
            table = typeof json.TableName === 'string' ? json.TableName : undefined;
            index = typeof json.IndexName === 'string' ? json.IndexName : undefined;
            if (WITH_CAPACITY.has(op) && json.ReturnConsumedCapacity === undefined) {
              json.ReturnConsumedCapacity = 'TOTAL';
              body = Buffer.from(JSON.stringify(json), 'utf8');
              injected = true;
            } else if (WITH_CAPACITY.has(op)) injected = true;
          } catch {
            /* not JSON: forwarded as is */
          }
        }
        const headers: IncomingHttpHeaders = { ...req.headers, 'content-length': String(body.length) };
        const up = request(
          { host: '127.0.0.1', port: this.upstreamPort, method: req.method, path: req.url, headers, agent: this.agent },
          (ur) => {
            const out: Buffer[] = [];
            ur.on('data', (c: Buffer) => out.push(c));
            ur.on('end', () => {
              const payload = Buffer.concat(out);
              let cap = { rcu: 0, wcu: 0 };
              if (injected && ur.statusCode === 200) {
                try {
                  cap = units(op, (JSON.parse(payload.toString('utf8')) as { ConsumedCapacity?: Capacity | Capacity[] }).ConsumedCapacity);
                } catch {
                  /* keep zero */
                }
              }
              const end = this.now();
              this.calls.push({
                at,
                end,
                op,
                ...(table ? { table } : {}),
                ...(index ? { index } : {}),
                status: ur.statusCode ?? 0,
                ...cap,
              });
              this.inflight--;
              this.lastActivity = end;
              res.writeHead(ur.statusCode ?? 502, ur.headers);
              res.end(payload);
            });
            ur.on('error', () => undefined);
          },
        );
        up.on('error', (e) => {
          this.inflight--;
          this.lastActivity = this.now();
          if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ __type: 'BenchProxyError', message: e.message }));
        });
        up.end(body);
      });
    });
    return listenLoopback(this.server, port);
  }

  stop(): Promise<void> {
    this.agent.destroy();
    return closeServer(this.server);
  }
}
