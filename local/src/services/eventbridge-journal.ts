/**
 * EventBridge's delivery journal (part of the EventBridge module, eventbridge.ts), so that no
 * delivery EventBridge acknowledged is lost when the runtime stops (Ctrl-C, a crash, kill -9):
 * every (event, rule, target) delivery a PutEvents call or a schedule's fire makes is appended
 * to `<state>/eventbridge/deliveries.jsonl` before the call answers (one write per call), and
 * marked done once it is delivered, sent to the target's dead-letter queue, or dropped as
 * EventBridge drops it (no DLQ). The next start reads what is still pending and delivers it
 * again: at least once, as EventBridge delivers (a delivery that finished just before a kill
 * may come once more). Lines are appended with write(2), so a killed process loses none; a
 * power cut may (no fsync, as for the Lambda queue and Step Functions journals).
 *
 * Lines: `{"put":[{"event":{...},"ingestionTime":"...","deliveries":[...]}]}` and
 * `{"done":["<event id>#<n>",...]}`; done lines are batched (written with the next put, or on
 * the next turn of the event loop). The file is compacted to what is pending when it opens
 * and once enough deliveries have finished since the last compaction.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseJson } from './event-patterns';
import { toJson } from './eventbridge-targets';

type JsonObject = Record<string, unknown>;

/** One delivery: the rule and target it is for, and what a dead-letter queue needs if they are gone at the next start. */
export interface JournalledDelivery {
  /** `<event id>#<n>`, unique in the journal. */
  id: string;
  bus: string;
  rule: string;
  ruleArn: string;
  /** The target's Id on the rule. */
  target: string;
  targetArn: string;
  /** The target's DeadLetterConfig queue ARN, if it had one. */
  dlq?: string;
}

/** An event and its deliveries still pending. */
export interface JournalledEvent {
  event: JsonObject;
  ingestionTime: string;
  deliveries: JournalledDelivery[];
}

/** `{...,"detail":<text>}`: the event's JSON text with the detail as PutEvents received it (its numbers' text kept, nothing re-serialised). */
export function eventText(envelope: JsonObject, detailText: string): string {
  const detail = detailText.includes('\n') ? detailText.replace(/\n/g, ' ') : detailText; // a raw newline in valid JSON is whitespace
  return `${JSON.stringify(envelope).slice(0, -1)},"detail":${detail}}`;
}

const putLine = (items: ReadonlyArray<{ entry: JournalledEvent; text: string }>): string =>
  `{"put":[${items
    .map(
      ({ entry, text }) =>
        `{"event":${text},"ingestionTime":${JSON.stringify(entry.ingestionTime)},"deliveries":${JSON.stringify(entry.deliveries)}}`,
    )
    .join(',')}]}\n`;

export class DeliveryJournal {
  /** Pending events by event id, each with the deliveries not finished yet. */
  private readonly pending = new Map<string, JournalledEvent>();
  private fd: number | undefined;
  private done: string[] = [];
  private flushing: NodeJS.Immediate | undefined;
  private finishedSinceCompaction = 0;
  private count = 0;
  /** The last write did not complete: its line may be cut. */
  private cut = false;

  constructor(
    readonly file: string,
    private readonly log: (message: string) => void,
    /** Compact once this many deliveries (and at least as many as are pending) have finished since the last compaction. */
    private readonly compactAfter = 1000,
  ) {}

  /** Reads what the last run left pending (a line cut short by a crash is skipped), compacts the file to it and opens it for appends. */
  open(): JournalledEvent[] {
    mkdirSync(dirname(this.file), { recursive: true });
    if (existsSync(this.file)) for (const line of readFileSync(this.file, 'utf8').split('\n')) this.replay(line);
    this.compact();
    return [...this.pending.values()];
  }

  private replay(line: string): void {
    if (!line.trim()) return;
    let parsed: { put?: JournalledEvent[]; done?: string[] };
    try {
      parsed = parseJson(line) as typeof parsed; // numbers stay JsonNumber: the event's numbers keep their text
    } catch {
      return; // a line cut short by a kill: its call never answered, or it was a batch of done marks (delivered again)
    }
    for (const entry of parsed.put ?? []) this.add(entry);
    for (const id of parsed.done ?? []) this.remove(id);
  }

  /** Deliveries not finished yet. */
  get size(): number {
    return this.count;
  }

  /** Journals the deliveries of one call, in one write, before the call answers; `text` is the event's JSON (eventText()). Throws if it cannot. */
  append(items: ReadonlyArray<{ entry: JournalledEvent; text: string }>): void {
    if (items.length === 0) return;
    if (this.fd === undefined) throw new Error(`the delivery journal ${this.file} is not open`);
    this.write(this.takeDone() + putLine(items));
    for (const { entry } of items) this.add(entry);
  }

  /** Appends whole lines; after a failed or short write (a full disk), the next write starts on a new line. */
  private write(lines: string): void {
    const text = this.cut ? `\n${lines}` : lines;
    const size = Buffer.byteLength(text);
    let written = 0;
    try {
      written = writeSync(this.fd!, text);
    } finally {
      this.cut = written !== size;
    }
    if (this.cut) throw new Error(`short write to ${this.file} (${written} of ${size} bytes)`);
  }

  /** Marks a delivery finished: delivered, dead-lettered or dropped. */
  complete(id: string): void {
    if (this.fd === undefined || !this.remove(id)) return; // closed: the next start delivers it once more
    this.done.push(id);
    this.flushing ??= setImmediate(() => this.flush());
    if (++this.finishedSinceCompaction < Math.max(this.compactAfter, this.count)) return;
    try {
      this.compact();
    } catch (err) {
      this.log(`delivery journal: not compacted (${(err as Error).message}); it keeps growing until the next start`);
    }
  }

  private add(entry: JournalledEvent): void {
    if (entry.deliveries.length === 0) return;
    const id = String(entry.event.id);
    this.count += entry.deliveries.length - (this.pending.get(id)?.deliveries.length ?? 0);
    this.pending.set(id, entry);
  }

  private remove(id: string): boolean {
    const eventId = id.slice(0, id.lastIndexOf('#'));
    const entry = this.pending.get(eventId);
    const left = entry?.deliveries.filter((d) => d.id !== id);
    if (!entry || !left || left.length === entry.deliveries.length) return false;
    if (left.length === 0) this.pending.delete(eventId);
    else entry.deliveries = left;
    this.count--;
    return true;
  }

  private takeDone(): string {
    if (this.done.length === 0) return '';
    const line = `${JSON.stringify({ done: this.done })}\n`;
    this.done = [];
    return line;
  }

  /** Writes the batched done marks (losing them would only deliver those again). */
  private flush(): void {
    if (this.flushing) clearImmediate(this.flushing);
    this.flushing = undefined;
    const line = this.takeDone();
    if (!line || this.fd === undefined) return;
    try {
      this.write(line);
    } catch (err) {
      this.log(`delivery journal: done marks not written (${(err as Error).message}); those deliveries run again on the next start`);
    }
  }

  /** Rewrites the file as the pending deliveries only (write-then-rename), and reopens it for appends. */
  compact(): void {
    if (this.flushing) clearImmediate(this.flushing);
    this.flushing = undefined;
    this.done = []; // the rewrite leaves finished deliveries out
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, [...this.pending.values()].map((entry) => putLine([{ entry, text: toJson(entry.event) }])).join(''));
    renameSync(tmp, this.file);
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = openSync(this.file, 'a');
    this.finishedSinceCompaction = 0;
    this.cut = false;
  }

  /** Writes what is batched and closes the file; deliveries still pending stay for the next start. */
  close(): void {
    this.flush();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
