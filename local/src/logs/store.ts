/**
 * The local CloudWatch Logs store: log groups, their streams and events, kept under
 * `<state>/logs/` (one JSON-lines file per group, appended as lines arrive, read back at
 * start). Bounded: a group keeps its newest MAX_EVENTS events and at most MAX_BYTES of
 * messages, and none older than its RetentionInDays; the oldest go first, as expiry would.
 */
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export const MAX_EVENTS = 5000;
export const MAX_BYTES = 4 * 1024 * 1024;

export interface StoredEvent {
  /** Order of arrival across the store (paging tokens and event ids use it). */
  seq: number;
  logStream: string;
  timestamp: number;
  ingestionTime: number;
  message: string;
}

export interface LogStream {
  name: string;
  creationTime: number;
  firstEventTimestamp?: number;
  lastEventTimestamp?: number;
  lastIngestionTime?: number;
}

export interface LogGroup {
  name: string;
  creationTime: number;
  retentionInDays?: number;
  streams: Map<string, LogStream>;
  /** Oldest first. */
  events: StoredEvent[];
  bytes: number;
  fd?: number;
}

/** A file name for a group name (`/aws/lambda/x` has slashes). */
const fileOf = (dir: string, group: string) => join(dir, `${encodeURIComponent(group)}.jsonl`);

export class LogStore {
  readonly groups = new Map<string, LogGroup>();
  private seq = 0;

  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.jsonl'))) this.load(decodeURIComponent(f.slice(0, -'.jsonl'.length)));
  }

  /** A group: created (now) if new; a declared retention replaces the previous one. */
  group(name: string, retentionInDays?: number): LogGroup {
    let g = this.groups.get(name);
    if (!g) {
      g = { name, creationTime: Date.now(), streams: new Map(), events: [], bytes: 0 };
      this.groups.set(name, g);
      this.write(g, { group: name, creationTime: g.creationTime });
    }
    if (retentionInDays !== undefined && retentionInDays !== g.retentionInDays) {
      g.retentionInDays = retentionInDays;
      this.trim(g);
    }
    return g;
  }

  append(groupName: string, logStream: string, timestamp: number, message: string): void {
    const g = this.group(groupName);
    const e: StoredEvent = { seq: ++this.seq, logStream, timestamp, ingestionTime: Date.now(), message };
    this.add(g, e);
    this.write(g, { s: logStream, t: timestamp, i: e.ingestionTime, m: message });
    if (g.events.length > MAX_EVENTS || g.bytes > MAX_BYTES) this.trim(g);
  }

  close(): void {
    for (const g of this.groups.values()) {
      if (g.fd !== undefined) closeSync(g.fd);
      g.fd = undefined;
    }
  }

  private add(g: LogGroup, e: StoredEvent): void {
    let s = g.streams.get(e.logStream);
    if (!s) g.streams.set(e.logStream, (s = { name: e.logStream, creationTime: e.ingestionTime }));
    s.firstEventTimestamp = Math.min(s.firstEventTimestamp ?? e.timestamp, e.timestamp);
    s.lastEventTimestamp = Math.max(s.lastEventTimestamp ?? e.timestamp, e.timestamp);
    s.lastIngestionTime = e.ingestionTime;
    g.events.push(e);
    g.bytes += Buffer.byteLength(e.message);
  }

  private write(g: LogGroup, record: object): void {
    g.fd ??= openSync(fileOf(this.dir, g.name), 'a');
    writeSync(g.fd, `${JSON.stringify(record)}\n`);
  }

  private load(name: string): void {
    const g: LogGroup = { name, creationTime: Date.now(), streams: new Map(), events: [], bytes: 0 };
    for (const line of readFileSync(fileOf(this.dir, name), 'utf8').split('\n')) {
      let r: { group?: string; creationTime?: number; s?: string; t?: number; i?: number; m?: string };
      try {
        r = JSON.parse(line) as typeof r;
      } catch {
        continue; // an empty or torn last line
      }
      if (r.group !== undefined) g.creationTime = r.creationTime ?? g.creationTime;
      else if (typeof r.s === 'string' && typeof r.t === 'number' && typeof r.m === 'string')
        this.add(g, { seq: ++this.seq, logStream: r.s, timestamp: r.t, ingestionTime: r.i ?? r.t, message: r.m });
    }
    this.groups.set(name, g);
    this.trim(g);
  }

  /** Drops what the bounds and the retention exclude (down to 80% of a bound, so trims are rare) and rewrites the file. */
  private trim(g: LogGroup): void {
    const cutoff = g.retentionInDays ? Date.now() - g.retentionInDays * 86_400_000 : -Infinity;
    let drop = 0;
    let bytes = g.bytes;
    const over = g.events.length > MAX_EVENTS || g.bytes > MAX_BYTES;
    while (
      drop < g.events.length &&
      (g.events[drop]!.timestamp < cutoff || (over && (g.events.length - drop > MAX_EVENTS * 0.8 || bytes > MAX_BYTES * 0.8)))
    ) {
      bytes -= Buffer.byteLength(g.events[drop]!.message);
      drop++;
    }
    if (drop === 0) return;
    g.events = g.events.slice(drop);
    g.bytes = bytes;
    const streamsLeft = new Set(g.events.map((e) => e.logStream));
    for (const name of g.streams.keys()) if (!streamsLeft.has(name)) g.streams.delete(name);
    if (g.fd !== undefined) closeSync(g.fd);
    g.fd = undefined;
    const file = fileOf(this.dir, g.name);
    const lines = [
      { group: g.name, creationTime: g.creationTime },
      ...g.events.map((e) => ({ s: e.logStream, t: e.timestamp, i: e.ingestionTime, m: e.message })),
    ];
    writeFileSync(`${file}.tmp`, lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
    renameSync(`${file}.tmp`, file);
  }
}
