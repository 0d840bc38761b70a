/** web/dist is rebuilt when its sources change, once for concurrent starts, and swapped in whole. */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureWebBuilt, webBuildState } from './web-build';

let root: string;
let site: string;
let builds = 0;
/** Stands in for `npm run web:build`: writes the two pages with the build's number. */
const build = async (out: string) => {
  builds++;
  await new Promise((r) => setTimeout(r, 100));
  for (const d of ['app', 'docs']) {
    mkdirSync(join(out, d), { recursive: true });
    writeFileSync(join(out, d, 'index.html'), `build ${builds}`);
  }
};
const ensure = () => ensureWebBuilt({ rootDir: root, siteDir: site, log: () => undefined, build });

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'web-build-'));
  site = join(root, 'web', 'dist');
  builds = 0;
  for (const [f, text] of [
    ['web/src/App.tsx', 'app'],
    ['web/index.html', '<html>'],
    ['layers/shared/src/orders/rules.ts', 'rules'],
    ['package-lock.json', '{}'],
  ] as const) {
    mkdirSync(join(root, f, '..'), { recursive: true });
    writeFileSync(join(root, f), text);
  }
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

it('builds when missing, not again while the sources are unchanged', async () => {
  expect(webBuildState(root, site)).toBe('missing');
  expect(await ensure()).toBeUndefined();
  expect(await ensure()).toBeUndefined();
  expect(builds).toBe(1);
  expect(webBuildState(root, site)).toBe('fresh');
});

it.each(['web/src/App.tsx', 'web/index.html', 'layers/shared/src/orders/rules.ts'])('rebuilds after %s changes', async (file) => {
  await ensure();
  writeFileSync(join(root, file), 'edited');
  utimesSync(join(root, file), new Date(), new Date(Date.now() + 5000));
  expect(webBuildState(root, site)).toBe('stale');
  await ensure();
  expect(builds).toBe(2);
  expect(readFileSync(join(site, 'app', 'index.html'), 'utf8')).toBe('build 2');
});

it('a dist built by hand (no stamp) is rebuilt once; a test file change does not count', async () => {
  for (const d of ['app', 'docs']) {
    mkdirSync(join(site, d), { recursive: true });
    writeFileSync(join(site, d, 'index.html'), 'by hand');
  }
  expect(webBuildState(root, site)).toBe('stale');
  await ensure();
  writeFileSync(join(root, 'web/src/App.test.ts'), 'a test');
  expect(webBuildState(root, site)).toBe('fresh');
});

it('concurrent starts build once', async () => {
  expect(await Promise.all([ensure(), ensure(), ensure()])).toEqual([undefined, undefined, undefined]);
  expect(builds).toBe(1);
});

it('a failed build leaves the previous site serving and says why', async () => {
  await ensure();
  writeFileSync(join(root, 'web/src/App.tsx'), 'broken');
  utimesSync(join(root, 'web/src/App.tsx'), new Date(), new Date(Date.now() + 5000));
  const why = await ensureWebBuilt({
    rootDir: root,
    siteDir: site,
    log: () => undefined,
    build: () => Promise.reject(new Error('vite: syntax error')),
  });
  expect(why).toMatch(/syntax error/);
  expect(readFileSync(join(site, 'app', 'index.html'), 'utf8')).toBe('build 1');
});
