/**
 * `sam build` bundles the versions package-lock.json pins, the ones the tests ran.
 *
 * samconfig.toml builds in source: SAM's esbuild builder runs the esbuild CLI in each
 * functions/<name>/ folder and the layer's Makefile runs build.js from layers/shared/, so
 * every import resolves from the repository's node_modules (installed by `npm ci`). This
 * suite runs the esbuild CLI with the arguments SAM builds from each function's
 * `Metadata.BuildProperties` (aws-lambda-builders, nodejs_npm_esbuild/esbuild.py) and the
 * layer's Makefile as SAM runs it, from a scratch folder, then reads which package each
 * bundled file came from (esbuild's metafile, the layer's source maps) and compares that
 * package's version with the lockfile entry at the same path.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { promisify } from 'node:util';
import { loadTemplateFile, textOf, type Json, type JsonObject } from '../../local/src/template';

const run = promisify(execFile);
const root = resolve(__dirname, '..', '..');
const raw = loadTemplateFile(join(root, 'template.yaml'));
const resources = raw.Resources as Record<string, JsonObject>;
const esbuildFunctions = Object.keys(resources).filter(
  (id) =>
    resources[id]!.Type === 'AWS::Serverless::Function' && (resources[id]!.Metadata as JsonObject | undefined)?.BuildMethod === 'esbuild',
);
const lock = (
  JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string; link?: boolean }> }
).packages;
const esbuildBin = join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'esbuild.cmd' : 'esbuild');

/**
 * aws-lambda-builders' EsbuildCommandBuilder: BuildProperties in snake case (SAM normalizes
 * PascalCase), booleans as --flag, strings as --flag=value, lists as --flag:item; bundle,
 * platform and outdir are fixed; target, format and minify have defaults.
 */
export function samEsbuildArgs(buildProperties: JsonObject, outdir: string): string[] {
  const props = Object.fromEntries(Object.entries(buildProperties).map(([k, v]) => [k.replace(/(?<!^)(?=[A-Z])/g, '_').toLowerCase(), v]));
  const kebab = (k: string) => k.replace(/_/g, '-');
  const args: string[] = [];
  for (const [key, value] of Object.entries(props)) {
    if (['bundle', 'platform', 'outdir', 'use_npm_ci', 'entry_points'].includes(key)) continue;
    if (typeof value === 'boolean') args.push(...(value ? [`--${kebab(key)}`] : []));
    else if (typeof value === 'string') args.push(`--${kebab(key)}=${value}`);
    else if (Array.isArray(value)) args.push(...value.map((item: Json) => `--${kebab(key)}:${textOf(item, '', `BuildProperties.${key}`)}`));
    else throw new Error(`BuildProperties.${key}: unsupported value ${JSON.stringify(value)}`);
  }
  args.push('--bundle', '--platform=node', `--outdir=${outdir}`);
  if (!('target' in props)) args.push('--target=es2020');
  if (!('format' in props)) args.push('--format=cjs');
  if (!('minify' in props)) args.push('--minify');
  const entryPoints = props.entry_points;
  if (!Array.isArray(entryPoints) || entryPoints.length === 0) throw new Error('EntryPoints must be a non-empty list');
  return [...args, ...entryPoints.map(String)];
}

/** The package folder a bundled file came from, as a lockfile key (`node_modules/a/node_modules/@b/c`). */
function packageKey(fileFromRoot: string): string | undefined {
  const parts = fileFromRoot.split(sep).join('/').split('/');
  const last = parts.lastIndexOf('node_modules');
  if (last < 0) return undefined;
  const nameLength = parts[last + 1]!.startsWith('@') ? 2 : 1;
  return parts.slice(0, last + 1 + nameLength).join('/');
}

interface Mismatch {
  package: string;
  built: string | undefined;
  locked: string | undefined;
}

/** Every bundled package with its installed version, checked against the lockfile entry at its path. */
function compareWithLock(filesFromRoot: string[]): { packages: string[]; mismatches: Mismatch[] } {
  const keys = [...new Set(filesFromRoot.map(packageKey).filter((k): k is string => !!k))].sort();
  const mismatches: Mismatch[] = [];
  for (const key of keys) {
    const pkgJson = join(root, key, 'package.json');
    const built = existsSync(pkgJson) ? (JSON.parse(readFileSync(pkgJson, 'utf8')) as { version?: string }).version : undefined;
    const locked = lock[key]?.version;
    if (!built || built !== locked) mismatches.push({ package: key, built, locked });
  }
  return { packages: keys, mismatches };
}

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'sam-build-versions-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('sam build configuration', () => {
  it('builds in source (samconfig.toml), so bundles resolve from the repository`s node_modules', () => {
    const config = readFileSync(join(root, 'samconfig.toml'), 'utf8');
    const build = /\[default\.build\.parameters\]([^[]*)/.exec(config)?.[1] ?? '';
    expect(build).toMatch(/^build_in_source = true$/m);
  });

  test.each(esbuildFunctions)('%s: its package.json declares no dependencies (SAM would npm-update them unlocked)', (id) => {
    const pkg = JSON.parse(
      readFileSync(join(root, textOf((resources[id]!.Properties as JsonObject).CodeUri, '', `${id} CodeUri`), 'package.json'), 'utf8'),
    ) as Record<string, unknown>;
    expect([pkg.dependencies, pkg.devDependencies, pkg.optionalDependencies]).toEqual([undefined, undefined, undefined]);
  });

  it('rebuilds SAM`s esbuild arguments from BuildProperties', () => {
    expect(
      samEsbuildArgs(
        {
          Minify: true,
          Target: 'es2022',
          Sourcemap: false,
          Format: 'cjs',
          EntryPoints: ['handler.ts'],
          External: ['a', 'b'],
          UseNpmCi: true,
        },
        '/out',
      ),
    ).toEqual([
      '--minify',
      '--target=es2022',
      '--format=cjs',
      '--external:a',
      '--external:b',
      '--bundle',
      '--platform=node',
      '--outdir=/out',
      'handler.ts',
    ]);
    expect(samEsbuildArgs({ EntryPoints: ['app.ts'] }, '/o')).toEqual([
      '--bundle',
      '--platform=node',
      '--outdir=/o',
      '--target=es2020',
      '--format=cjs',
      '--minify',
      'app.ts',
    ]);
  });
});

describe('built bundles carry the lockfile`s versions', () => {
  let results: Record<string, { packages: string[]; mismatches: Mismatch[] }>;

  beforeAll(async () => {
    results = {};
    await Promise.all(
      esbuildFunctions.map(async (id) => {
        const codeDir = join(root, textOf((resources[id]!.Properties as JsonObject).CodeUri, '', `${id} CodeUri`));
        const props = ((resources[id]!.Metadata as JsonObject).BuildProperties ?? {}) as JsonObject;
        const out = join(scratch, id);
        const metafile = join(scratch, `${id}.meta.json`);
        // As SAM builds in source: the esbuild CLI, its arguments, the function folder as cwd.
        await run(esbuildBin, [...samEsbuildArgs(props, out), `--metafile=${metafile}`, '--log-level=error'], { cwd: codeDir });
        const inputs = Object.keys((JSON.parse(readFileSync(metafile, 'utf8')) as { inputs: Record<string, unknown> }).inputs);
        results[id] = compareWithLock(inputs.map((p) => relative(root, resolve(codeDir, p))));
      }),
    );
  }, 120_000);

  test.each(esbuildFunctions)('%s', (id) => {
    expect(results[id]!.mismatches).toEqual([]);
  });

  it('found the packages it compared (the check itself works)', () => {
    // The AWS SDK, Powertools and middy live in the layer (checked below); the authorizer bundles its JWT library.
    expect(results.AuthorizerFunction!.packages).toContain('node_modules/aws-jwt-verify');
  });
});

describe('the built layer carries the lockfile`s versions', () => {
  it('SharedLayer, built by its Makefile from a scratch folder as SAM runs it', async () => {
    const artifacts = join(scratch, 'SharedLayer');
    const cwd = mkdtempSync(join(scratch, 'make-cwd-'));
    await run('make', ['--makefile', join(root, 'layers', 'shared', 'Makefile'), 'build-SharedLayer'], {
      cwd,
      env: { ...process.env, ARTIFACTS_DIR: artifacts },
    });
    const outDir = join(artifacts, 'nodejs', 'node_modules', '@myapp', 'shared');
    const sources = readdirSync(outDir)
      .filter((f) => f.endsWith('.js.map'))
      .flatMap((f) =>
        (JSON.parse(readFileSync(join(outDir, f), 'utf8')) as { sources: string[] }).sources
          // `aws-sdk:@aws-sdk/...`: modules build.js generates (namespace:path), no package's file.
          .filter((s) => !/^[\w-]+:/.test(s))
          .map((s) => relative(root, resolve(dirname(join(outDir, f)), s))),
      );
    const { packages, mismatches } = compareWithLock(sources);
    expect(packages).toEqual(
      expect.arrayContaining([
        'node_modules/zod',
        'node_modules/@aws-lambda-powertools/idempotency',
        'node_modules/@aws-lambda-powertools/logger',
        'node_modules/@middy/core',
        // The SDK entries' maps are not linked from their files (no parse at load) but are written beside them.
        'node_modules/@aws-sdk/client-dynamodb',
        'node_modules/@aws-sdk/client-s3',
        'node_modules/@aws-sdk/s3-request-presigner',
        'node_modules/@smithy/core',
      ]),
    );
    expect(mismatches).toEqual([]);
  }, 120_000);
});
