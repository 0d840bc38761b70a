/**
 * The web app the edge serves (web/dist), rebuilt when what it is built from changed since
 * its last build, like the functions' build stamps: web/src, web/index.html, the Vite config,
 * web/scripts (the docs page and the OpenAPI document), the shared layer's sources (the app
 * imports its rules and types; the OpenAPI document comes from its schemas) and the lockfile.
 * A build goes to a staging folder and replaces web/dist when complete, so a runtime serving
 * the old one never serves half a build; one process builds at a time (web/.build.lock),
 * the others wait and find it fresh.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const INPUTS = [
  'web/src',
  'web/index.html',
  'web/vite.config.mts',
  'web/package.json',
  'web/scripts',
  'layers/shared/src',
  'layers/shared/package.json',
  'package-lock.json',
];
const STAMP = '.inputs-stamp';
const LOCK_WAIT_MS = 300_000;

function filesUnder(path: string): string[] {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path, { withFileTypes: true })
    .filter((e) => e.name !== 'node_modules' && !e.name.endsWith('.test.ts'))
    .flatMap((e) => filesUnder(join(path, e.name)));
}

/** Each input file's path, size and mtime, hashed: what the stamp of a build records. */
export function webInputsStamp(rootDir: string): string {
  const h = createHash('sha256');
  for (const f of INPUTS.flatMap((p) => filesUnder(join(rootDir, p))).sort()) {
    const s = statSync(f);
    h.update(`${relative(rootDir, f)}\0${s.size}\0${s.mtimeMs}\n`);
  }
  return h.digest('hex');
}

const complete = (siteDir: string) => existsSync(join(siteDir, 'app', 'index.html')) && existsSync(join(siteDir, 'docs', 'index.html'));

/** `fresh`: built from the inputs as they are; `stale`: they changed since (or it predates stamps); `missing`. */
export function webBuildState(rootDir: string, siteDir: string): 'fresh' | 'stale' | 'missing' {
  if (!complete(siteDir)) return 'missing';
  const stamp = join(siteDir, STAMP);
  return existsSync(stamp) && readFileSync(stamp, 'utf8') === webInputsStamp(rootDir) ? 'fresh' : 'stale';
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Runs `fn` holding `file` (O_EXCL, with our pid); waits for a live holder, takes over a dead one's. */
async function withLock<T>(file: string, fn: () => Promise<T>): Promise<T> {
  const until = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      // Taken: by a live process (wait for it) or a dead one (take it over).
      const holder = Number(readFileSync(file, 'utf8'));
      if (!(holder > 0 && alive(holder))) rmSync(file, { force: true });
      else if (Date.now() > until) throw new Error(`${file} is held by process ${holder} for too long`, { cause: e });
      else await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(file, { force: true });
  }
}

/** `npm run web:build` into `outDir` (WEB_DIST_DIR: the app, the docs and openapi.json go there). */
export function npmWebBuild(rootDir: string): (outDir: string) => Promise<void> {
  return (outDir) =>
    new Promise((ok, fail) => {
      const child = spawn('npm', ['run', 'web:build'], {
        cwd: rootDir,
        env: { ...process.env, WEB_DIST_DIR: outDir },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-2000)));
      child.once('error', fail);
      child.once('exit', (code) =>
        code === 0 ? ok() : fail(new Error(`\`npm run web:build\` failed (exit ${code}): ${err.slice(-500)}`)),
      );
    });
}

export interface WebBuildOptions {
  rootDir: string;
  siteDir: string;
  log: (message: string) => void;
  /** Builds the site into a folder (default: `npm run web:build`). */
  build?: (outDir: string) => Promise<void>;
}

/** Makes web/dist fresh; undefined when it is, else why it could not be built. */
export async function ensureWebBuilt(o: WebBuildOptions): Promise<string | undefined> {
  if (webBuildState(o.rootDir, o.siteDir) === 'fresh') return undefined;
  try {
    await withLock(`${o.siteDir}.build.lock`, async () => {
      const state = webBuildState(o.rootDir, o.siteDir);
      if (state === 'fresh') return; // another process built it while this one waited
      o.log(
        state === 'missing'
          ? 'web app not built yet: running `npm run web:build`'
          : 'web app sources changed since the last build: running `npm run web:build`',
      );
      const stamp = webInputsStamp(o.rootDir);
      const staging = `${o.siteDir}.staging-${process.pid}`;
      rmSync(staging, { recursive: true, force: true });
      await (o.build ?? npmWebBuild(o.rootDir))(staging);
      if (!complete(staging)) throw new Error('the build left no app/index.html and docs/index.html');
      writeFileSync(join(staging, STAMP), stamp);
      const old = `${o.siteDir}.old-${process.pid}`;
      if (existsSync(o.siteDir)) renameSync(o.siteDir, old);
      renameSync(staging, o.siteDir);
      rmSync(old, { recursive: true, force: true });
    });
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}
