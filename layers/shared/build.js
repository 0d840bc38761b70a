#!/usr/bin/env node
/**
 * Builds the shared layer: one CommonJS file per entry point (src/entries/<name>.ts →
 * <out>/<name>.js, required as `@myapp/shared/<name>`), plus <out>/index.js (the package
 * root, re-exporting every entry) and <out>/package.json with the matching `exports`.
 *
 * Every source module belongs to exactly one entry (ENTRIES below). An entry bundles the
 * modules it owns; an import of a module another entry owns becomes
 * `require('@myapp/shared/<owner>')`, which Node resolves to the same file as the function's
 * own require (one module cache entry), so a module is evaluated at most once per process
 * and its classes keep one identity (an AppError thrown by a repository is the AppError
 * httpHandler checks). A function pays only for the entries it requires and, transitively,
 * the entries those require (the graph below is acyclic).
 *
 * Why not esbuild --splitting: it needs --format=esm, and ESM `import` does not search
 * NODE_PATH, so a function's `import` of the layer (/opt/nodejs/node_modules) would not
 * resolve in Lambda.
 *
 * The AWS SDK v3 is bundled, not the runtime's: the `aws-sdk` entry (DynamoDB, EventBridge,
 * Step Functions) and the `aws-sdk-s3` entry (S3 and its presigner, UploadsFunction's only)
 * own it, built from the SDK's ES modules (mainFields module,main) so esbuild keeps only the
 * commands src/aws-sdk*.ts name. Measured in one process (bench `bundles`): requiring the
 * DynamoDB, document and util packages from node_modules ~65 ms, the tree-shaken bundle of
 * all three clients ~40 ms (one file, one core, nothing resolved on disk); AWS recommends
 * bundling the SDK for cold starts (AWS Developer Tools blog, "Reduce Lambda cold start
 * times: migrate to AWS SDK for JavaScript v3"), and it pins the version to package-lock.
 * Every other entry's `@aws-sdk/<package>` import (ours and Powertools' idempotency store)
 * becomes a read of that package's object in AWS_SDK (sdkImports below).
 *
 * Entries that are a vendor's code with a line or two of ours (the SDK's, the Tracer's) get a
 * source map file but no sourceMappingURL comment (UNLINKED_MAPS): with the template's
 * NODE_OPTIONS=--enable-source-maps, Node reads and parses a linked map when it loads the
 * file (measured: ~20 ms for the SDK entry's, ~10 ms per function for all the layer's maps).
 *
 * Usage: node build.js <out-dir>  (the Makefile passes $(ARTIFACTS_DIR)/nodejs/node_modules/@myapp/shared)
 */
'use strict';
const { mkdirSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { join, relative, resolve, sep } = require('node:path');
const esbuild = require('esbuild');

const SRC = resolve(__dirname, 'src');

/**
 * Entry name → the modules it owns (files, or folders ending in '/', relative to src/).
 * Dependencies between entries: http ← lambda (middy, Powertools, the SDK clients) ←
 * {api, repositories, pipeline, events, workflow, catalogue}; http ← orders ← repositories ←
 * {idempotency, pipeline}; orders ← order-service (repositories' types only) ← idempotency;
 * schemas (zod) ← {events, workflow, catalogue, openapi}, and api loads it only when a
 * function's routes validate input. Neither http, lambda, orders, repositories nor pipeline
 * loads zod (http bundles only ZodError's few KB).
 */
const ENTRIES = {
  http: ['errors.ts', 'http.ts', 'config.ts', 'authorizer-policy.ts'],
  'aws-sdk': ['aws-sdk.ts'],
  'aws-sdk-s3': ['aws-sdk-s3.ts'],
  lambda: ['observability.ts', 'lambda.ts', 'clients.ts', 'client-settings.ts'],
  tracing: ['tracing.ts'],
  api: ['routes.ts', 'api.ts'],
  schemas: ['schemas/'],
  orders: ['orders/rules.ts'],
  'order-service': ['orders/service.ts', 'orders/expiry.ts'],
  repositories: ['repositories/'],
  idempotency: ['idempotency.ts'],
  pipeline: ['pipeline/errors.ts', 'pipeline/payment.ts', 'pipeline/input.ts', 'pipeline/tasks.ts', 'pipeline/task-handler.ts'],
  events: ['pipeline/stream-events.ts', 'pipeline/stream-handler.ts'],
  workflow: ['pipeline/start.ts', 'pipeline/executions.ts'],
  catalogue: ['catalogue/', 'custom-resource.ts'],
  openapi: ['openapi.ts', 'api-base-url.ts'],
};

/** Only these may import zod itself: schemas owns it; http needs ZodError alone (a few KB, and zod's instanceof checks a trait, not the class). */
const ZOD_IMPORTERS = (entry, file) => entry === 'schemas' || file === 'http.ts';

const posix = (p) => p.split(sep).join('/');
/** A module of the layer's own source (not a dependency's file in node_modules). */
const isSource = (file) => !posix(relative(SRC, file)).startsWith('..') && !posix(file).includes('/node_modules/');

function ownerOf(absPath) {
  const rel = posix(relative(SRC, absPath));
  if (rel.startsWith('..')) return undefined;
  if (rel === 'index.ts') return 'index';
  const m = /^entries\/([^/]+)\.ts$/.exec(rel);
  if (m) return m[1];
  for (const [name, owned] of Object.entries(ENTRIES)) {
    if (owned.some((o) => (o.endsWith('/') ? rel.startsWith(o) : rel === o))) return name;
  }
  return undefined;
}

/** The entries that bundle the AWS SDK, and the SDK packages each one serves (keys of its AWS_SDK). */
const SDK_ENTRIES = {
  'aws-sdk': [
    '@aws-sdk/client-dynamodb',
    '@aws-sdk/lib-dynamodb',
    '@aws-sdk/util-dynamodb',
    '@aws-sdk/client-eventbridge',
    '@aws-sdk/client-sfn',
  ],
  'aws-sdk-s3': ['@aws-sdk/client-s3', '@aws-sdk/s3-request-presigner'],
};
const sdkOwner = (pkg) => Object.keys(SDK_ENTRIES).find((e) => SDK_ENTRIES[e].includes(pkg));

/** Entries whose map is written but not linked from the file (see the header). */
const UNLINKED_MAPS = new Set([...Object.keys(SDK_ENTRIES), 'tracing']);

const SKIP = Symbol('resolving');

/** Rewrites imports of modules owned by another entry to that entry's package path. */
function entryBoundaries(entry) {
  return {
    name: 'layer-entry-boundaries',
    setup(build) {
      build.onResolve({ filter: /^\.\.?\// }, async (args) => {
        if (args.pluginData === SKIP || !isSource(args.importer)) return undefined;
        const r = await build.resolve(args.path, {
          kind: args.kind,
          resolveDir: args.resolveDir,
          importer: args.importer,
          pluginData: SKIP,
        });
        if (r.errors.length > 0) return { errors: r.errors };
        const owner = ownerOf(r.path);
        if (owner === undefined)
          return { errors: [{ text: `${posix(relative(SRC, r.path))} belongs to no entry: add it to ENTRIES in layers/shared/build.js` }] };
        if (owner !== entry) return { path: `@myapp/shared/${owner}`, external: true };
        return undefined;
      });
      build.onResolve({ filter: /^zod(\/|$)/ }, (args) => {
        const file = posix(relative(SRC, args.importer));
        if (!isSource(args.importer) || ZOD_IMPORTERS(entry, file)) return undefined;
        return {
          errors: [
            {
              text: `${file} imports zod directly; import { z } from the schemas/zod module so zod is evaluated once, in @myapp/shared/schemas`,
            },
          ],
        };
      });
    },
  };
}

/**
 * In every entry but the SDK's own: `@aws-sdk/<package>` becomes a module exporting the names
 * the SDK entry bundled for it (read from the built entry, so an import of a name it lacks is
 * esbuild's "no matching export" error, not undefined at run time). ESM, so a `require()` of it
 * (clients.ts) stays lazy: the SDK entry loads when the first client is made.
 */
function sdkImports(entry, sdkNames) {
  return {
    name: 'layer-aws-sdk',
    setup(build) {
      if (SDK_ENTRIES[entry]) return;
      build.onResolve({ filter: /^@aws-sdk\// }, (args) => {
        const owner = sdkOwner(args.path);
        if (!owner)
          return {
            errors: [
              { text: `${args.path} is in no SDK entry: add what ${args.importer} uses to src/aws-sdk.ts and SDK_ENTRIES in build.js` },
            ],
          };
        return { path: args.path, namespace: 'aws-sdk' };
      });
      build.onLoad({ filter: /.*/, namespace: 'aws-sdk' }, (args) => {
        const names = sdkNames[args.path] ?? [];
        const contents = [
          `import { AWS_SDK } from '@myapp/shared/${sdkOwner(args.path)}';`,
          `const m = AWS_SDK[${JSON.stringify(args.path)}];`,
          ...names.map((n) => `export const ${n} = m.${n};`),
        ].join('\n');
        return { contents, loader: 'js', resolveDir: SRC };
      });
      build.onResolve({ filter: /^@myapp\/shared\/aws-sdk/ }, (args) => ({ path: args.path, external: true }));
    },
  };
}

/** The workspace package.json must declare the same subpaths (dev exports → src/entries/*.ts). */
function checkDevExports() {
  const pkg = JSON.parse(readFileSync(join(__dirname, 'package.json'), 'utf8'));
  const want = ['.', ...Object.keys(ENTRIES).map((n) => `./${n}`)].sort();
  const have = Object.keys(pkg.exports ?? {})
    .filter((k) => k !== './package.json')
    .sort();
  if (JSON.stringify(want) !== JSON.stringify(have)) {
    throw new Error(`layers/shared/package.json exports (${have.join(', ')}) do not match build.js ENTRIES (${want.join(', ')})`);
  }
  for (const n of Object.keys(ENTRIES)) {
    if (pkg.exports[`./${n}`] !== `./src/entries/${n}.ts`) throw new Error(`package.json exports["./${n}"] must be ./src/entries/${n}.ts`);
    if (JSON.stringify(pkg.typesVersions?.['*']?.[n]) !== JSON.stringify([`src/entries/${n}.ts`])) {
      throw new Error(
        `package.json typesVersions["*"]["${n}"] must be ["src/entries/${n}.ts"] (tsc's node10 resolution reads typesVersions, not exports)`,
      );
    }
  }
}

async function main() {
  const out = process.argv[2];
  if (!out) throw new Error('usage: node build.js <out-dir>');
  checkDevExports();
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const build = async (name, sdkNames) => {
    const sdk = !!SDK_ENTRIES[name];
    const result = await esbuild.build({
      entryPoints: [join(SRC, name === 'index' ? 'index.ts' : `entries/${name}.ts`)],
      outfile: join(out, `${name}.js`),
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'es2022',
      minify: true,
      // The SDK from its ES modules, which esbuild can tree-shake (its CommonJS dist cannot be).
      ...(sdk ? { mainFields: ['module', 'main'] } : {}),
      sourcemap: UNLINKED_MAPS.has(name) ? 'external' : true,
      sourcesContent: false,
      plugins: [entryBoundaries(name), sdkImports(name, sdkNames)],
      logLevel: 'silent',
    });
    // A warning here is a real fault (an import that will be undefined): fail the build.
    if (result.warnings.length > 0) {
      const text = await esbuild.formatMessages(result.warnings, { kind: 'warning' });
      throw new Error(`${name}: ${text.join('\n')}`);
    }
  };
  const sdkEntries = Object.keys(SDK_ENTRIES);
  await Promise.all(sdkEntries.map((name) => build(name)));
  // The names each SDK package offers, from the entries just built (loading them takes ~50 ms).
  const sdkNames = {};
  for (const name of sdkEntries) {
    for (const [pkg, values] of Object.entries(require(join(out, `${name}.js`)).AWS_SDK)) sdkNames[pkg] = Object.keys(values);
  }
  const names = ['index', ...Object.keys(ENTRIES).filter((n) => !sdkEntries.includes(n))];
  await Promise.all(names.map((name) => build(name, sdkNames)));
  const pkg = {
    name: '@myapp/shared',
    version: '1.0.0',
    main: 'index.js',
    exports: Object.fromEntries([['.', './index.js'], ...Object.keys(ENTRIES).map((n) => [`./${n}`, `./${n}.js`])]),
  };
  writeFileSync(join(out, 'package.json'), JSON.stringify(pkg) + '\n');
}

module.exports = { ENTRIES, SDK_ENTRIES, ownerOf };

if (require.main === module) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
