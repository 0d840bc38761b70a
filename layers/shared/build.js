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
 * NODE_PATH, so the layer's own imports of the runtime's AWS SDK (/var/runtime/node_modules)
 * would not resolve in Lambda.
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
  const names = ['index', ...Object.keys(ENTRIES)];
  await Promise.all(
    names.map((name) =>
      esbuild.build({
        entryPoints: [join(SRC, name === 'index' ? 'index.ts' : `entries/${name}.ts`)],
        outfile: join(out, `${name}.js`),
        bundle: true,
        platform: 'node',
        format: 'cjs',
        target: 'es2022',
        minify: true,
        sourcemap: true,
        sourcesContent: false,
        // The Lambda runtime provides the AWS SDK v3 (on NODE_PATH via /var/runtime/node_modules).
        external: ['@aws-sdk/*'],
        plugins: [entryBoundaries(name)],
        logLevel: 'warning',
      }),
    ),
  );
  const pkg = {
    name: '@myapp/shared',
    version: '1.0.0',
    main: 'index.js',
    exports: Object.fromEntries([['.', './index.js'], ...Object.keys(ENTRIES).map((n) => [`./${n}`, `./${n}.js`])]),
  };
  writeFileSync(join(out, 'package.json'), JSON.stringify(pkg) + '\n');
}

module.exports = { ENTRIES, ownerOf };

if (require.main === module) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
