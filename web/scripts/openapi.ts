/**
 * `npm run openapi [-- <file>]`: writes the OpenAPI document generated from the shared zod
 * schemas (default web/dist/openapi.json, or $WEB_DIST_DIR/openapi.json; the docs site falls back to it).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { buildOpenApiDocument } from '@myapp/shared';

const target = resolve(process.argv[2] ?? resolve(process.env.WEB_DIST_DIR ?? resolve(__dirname, '..', 'dist'), 'openapi.json'));
const doc = buildOpenApiDocument({ serverUrl: process.env.API_URL });
mkdirSync(dirname(target), { recursive: true });
writeFileSync(target, JSON.stringify(doc, null, 2) + '\n');
const ops = Object.values(doc.paths as Record<string, object>).reduce((n, m) => n + Object.keys(m).length, 0);
console.log(`OpenAPI ${String(doc.openapi)}: ${ops} operations -> ${target}`);
