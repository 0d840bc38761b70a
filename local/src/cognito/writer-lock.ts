/**
 * One writer per user store (SPEC 7: users created by any command are visible to the running
 * endpoint at once, and no write is lost). The server keeps the store in memory and writes it
 * whole; a second process writing the same file would overwrite users it never saw. So the
 * process that opens a store takes `<state>/cognito/writer.lock` (its pid) and keeps it until
 * it closes the store; another process finds it taken and goes through the running endpoint
 * instead (`npm run create-user` does). A lock whose process is gone (kill -9) is taken over.
 */
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export class StoreLockedError extends Error {
  constructor(
    readonly dir: string,
    readonly pid: number,
  ) {
    super(`the user store ${dir} is in use by process ${pid} (a running npm start): go through its Cognito endpoint, or stop it first`);
  }
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Takes the store's lock for this process; returns the release. Throws StoreLockedError when a live process holds it. */
export function takeWriterLock(dir: string): () => void {
  const file = join(dir, 'writer.lock');
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => {
        try {
          if (readFileSync(file, 'utf8') === String(process.pid)) unlinkSync(file);
        } catch {
          /* already gone */
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = Number(readFileSync(file, 'utf8'));
      // This process again (two stores in one process share nothing on disk at once: tests), or a live other one.
      if (holder === process.pid) return () => undefined;
      if (Number.isInteger(holder) && holder > 0 && alive(holder)) throw new StoreLockedError(dir, holder);
      unlinkSync(file); // left by a process that is gone
    }
  }
  throw new Error(`could not take ${file}`);
}
