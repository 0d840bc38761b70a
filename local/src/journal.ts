/**
 * An append-only journal of JSON lines under the state dir, kept open: each entry is one
 * write (one system call), where appendFileSync opens, writes and closes the file and a
 * whole-file rewrite adds a rename. Under load the runtime journals several entries per
 * order (executions, asynchronous invocations, stream checkpoints), so that difference
 * showed in its profile. A line cut short by a crash is skipped when read back, so each
 * module's earlier line for the same thing stands; what a line means is the module's.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export class Journal<T> {
  private fd: number | undefined;
  /** Lines appended since the file was last rewritten (for compaction). */
  appended = 0;

  constructor(readonly file: string) {
    mkdirSync(dirname(file), { recursive: true });
  }

  /** Every complete line of the file, in order (none if it does not exist). */
  read(): T[] {
    if (!existsSync(this.file)) return [];
    const out: T[] = [];
    for (const line of readFileSync(this.file, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        out.push(JSON.parse(line) as T);
      } catch {
        /* a line cut short by a crash */
      }
    }
    return out;
  }

  /** Replaces the file with these lines (write, then rename over it), then appends after them. */
  rewrite(lines: readonly T[]): void {
    this.close();
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
    renameSync(tmp, this.file);
    this.appended = 0;
  }

  append(line: T): void {
    this.fd ??= openSync(this.file, 'a');
    writeSync(this.fd, `${JSON.stringify(line)}\n`);
    this.appended++;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
