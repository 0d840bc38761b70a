/**
 * Which Chromium the browser suites launch, on any machine, without a browser download at
 * test time and without skipping. In this order:
 *   1. CHROMIUM_PATH (must exist: a wrong path is an error, not a fallback);
 *   2. an installed Chromium or Chrome at its usual place (Linux packages, the macOS apps,
 *      Windows' Chrome);
 *   3. on linux-x64, the Chromium shipped inside the `@sparticuz/chromium` devDependency,
 *      unpacked once into node_modules/.cache (a fresh `npm ci` starts over).
 * Anything else fails with what was tried and how to fix it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface ChromiumChoice {
  executablePath: string;
  /** Where it came from, for the suite's log line and failure messages. */
  source: 'CHROMIUM_PATH' | 'installed' | '@sparticuz/chromium';
}

export interface LookupHost {
  env: Record<string, string | undefined>;
  platform: NodeJS.Platform;
  arch: string;
  exists(path: string): boolean;
  /** Unpacks @sparticuz/chromium and returns its executable (only called on linux-x64). */
  unpackSparticuz(): string;
}

/** The usual install locations, most specific first. */
export function installedCandidates(platform: NodeJS.Platform, env: LookupHost['env']): string[] {
  if (platform === 'linux') {
    return [
      '/usr/bin/chromium',
      '/usr/bin/chromium-browser',
      '/usr/bin/google-chrome',
      '/usr/bin/google-chrome-stable',
      '/snap/bin/chromium',
    ];
  }
  if (platform === 'darwin') {
    // What Playwright's `channel: 'chrome'` launches, then Chromium; also per-user installs.
    const apps = ['Google Chrome.app/Contents/MacOS/Google Chrome', 'Chromium.app/Contents/MacOS/Chromium'];
    return [...apps.map((a) => `/Applications/${a}`), ...apps.map((a) => join(env.HOME ?? homedir(), 'Applications', a))];
  }
  if (platform === 'win32') {
    const roots = [env.PROGRAMFILES, env['PROGRAMFILES(X86)'], env.LOCALAPPDATA].filter((r): r is string => !!r);
    return roots.map((r) => join(r, 'Google', 'Chrome', 'Application', 'chrome.exe'));
  }
  return [];
}

export function findChromium(host: LookupHost = defaultHost()): ChromiumChoice {
  const given = host.env.CHROMIUM_PATH;
  if (given) {
    if (!host.exists(given))
      throw new Error(`CHROMIUM_PATH=${given} does not exist: point it at a Chromium or Chrome executable, or unset it`);
    return { executablePath: given, source: 'CHROMIUM_PATH' };
  }
  const candidates = installedCandidates(host.platform, host.env);
  const installed = candidates.find((p) => host.exists(p));
  if (installed) return { executablePath: installed, source: 'installed' };
  if (host.platform === 'linux' && host.arch === 'x64') return { executablePath: host.unpackSparticuz(), source: '@sparticuz/chromium' };
  throw new Error(
    `No Chromium for the browser tests on ${host.platform}-${host.arch}: CHROMIUM_PATH is unset, none of ${candidates.join(', ') || '(no known locations)'} exists, ` +
      'and @sparticuz/chromium ships linux-x64 only. Install Chrome or Chromium, or set CHROMIUM_PATH.',
  );
}

function defaultHost(): LookupHost {
  return { env: process.env, platform: process.platform, arch: process.arch, exists: existsSync, unpackSparticuz };
}

/**
 * @sparticuz/chromium is ESM-only (Jest runs CommonJS), so a child node unpacks it. It unpacks
 * into os.tmpdir() and reuses any `chromium` already there, whatever its version: pointing
 * TMPDIR at a per-version folder keeps other projects' copies out, and unpacking next to it
 * then renaming makes a half-written binary (Ctrl-C, two suites at once) impossible to reuse.
 */
export function unpackSparticuz(): string {
  // The package exports only ".", which is build/index.js.
  const entry = require.resolve('@sparticuz/chromium', { paths: [resolve(__dirname, '..', '..')] });
  const pkgDir = dirname(dirname(entry));
  const { version } = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { version: string };
  const dir = resolve(pkgDir, '..', '..', '.cache', `sparticuz-chromium-${version}`);
  const executable = join(dir, 'chromium');
  if (existsSync(executable)) return executable;
  const partial = `${dir}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  const script = `const { default: c } = await import(${JSON.stringify(pathToFileURL(entry).href)}); process.stdout.write(await c.executablePath());`;
  const unpacked = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, TMPDIR: partial, TMP: partial, TEMP: partial },
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (unpacked !== join(partial, 'chromium'))
    throw new Error(`@sparticuz/chromium unpacked to ${unpacked}, expected ${join(partial, 'chromium')}`);
  try {
    renameSync(partial, dir);
  } catch (err) {
    // Another process finished first: use its copy.
    rmSync(partial, { recursive: true, force: true });
    if (!existsSync(executable)) throw err;
  }
  return executable;
}
