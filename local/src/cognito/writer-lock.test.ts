/** One writer per user store: a live holder refuses another process, a dead one's lock is taken over. */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StoreLockedError, takeWriterLock } from './writer-lock';

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'writer-lock-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

it('takes the lock with this pid and gives it back', () => {
  const release = takeWriterLock(dir);
  expect(readFileSync(join(dir, 'writer.lock'), 'utf8')).toBe(String(process.pid));
  release();
  expect(existsSync(join(dir, 'writer.lock'))).toBe(false);
});

it('refuses while another live process holds it, and takes it over once that process is gone', async () => {
  const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
  try {
    writeFileSync(join(dir, 'writer.lock'), String(other.pid));
    expect(() => takeWriterLock(dir)).toThrow(StoreLockedError);
    expect(() => takeWriterLock(dir)).toThrow(new RegExp(`in use by process ${other.pid}`));
  } finally {
    other.kill('SIGKILL');
    await new Promise((ok) => other.once('exit', ok));
  }
  const release = takeWriterLock(dir);
  expect(readFileSync(join(dir, 'writer.lock'), 'utf8')).toBe(String(process.pid));
  release();
});
