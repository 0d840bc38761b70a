/** Shared by every bench section: settings, stats, checks, logging, HTTP calls, scratch templates. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative } from 'node:path';
import { loadTemplateFile } from '../../local/src/template';
import { REPO_ROOT, type TestUser } from '../../tests/support/runtime';

process.env.AWS_REGION ??= 'us-east-1';
process.env.AWS_ACCESS_KEY_ID ??= 'local';
process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export { REPO_ROOT };
export const SECTIONS = ['bundles', 'api', 'ddbPerRequest', 'orderToConfirmed', 'cleanup', 'startup', 'hotReload'] as const;
export type SectionName = (typeof SECTIONS)[number];

export const ONLY = (process.env.BENCH_ONLY ?? '')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);
export const wants = (k: string) => ONLY.length === 0 || ONLY.includes(k);
export const DURATION = Math.max(1, Math.min(120, Number(process.env.BENCH_DURATION ?? 10) || 10));
export const CONNECTIONS = 10;
export const RESULTS = join(REPO_ROOT, 'bench', 'results');

export const median = (xs: number[]) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
export const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]! : NaN;
};
export const r1 = (n: number) => Math.round(n * 10) / 10;
export const r2 = (n: number) => Math.round(n * 100) / 100;
export const log = (m: string) => process.stdout.write(`[bench] ${m}\n`);
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Check {
  section: string;
  figure: string;
  value: number | string;
  target: string;
  pass: boolean;
}
export const checks: Check[] = [];
let currentSection = '';
export const setSection = (s: string) => (currentSection = s);
export const check = (figure: string, value: number | string, target: string, pass: boolean) =>
  checks.push({ section: currentSection, figure, value: typeof value === 'number' ? r1(value) : value, target, pass });

/** Absolute machine paths out of anything written to results (repo-relative or <tmp>). */
export function scrub(s: string): string {
  return s.split(REPO_ROOT).join('.').split(tmpdir()).join('<tmp>');
}

export async function apiCall(api: string, method: string, path: string, user: TestUser | undefined, body?: unknown) {
  const res = await fetch(`${api}${path}`, {
    method,
    headers: { ...(user?.headers ?? {}), 'content-type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    signal: AbortSignal.timeout(15_000),
  });
  return { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, any> };
}

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

/**
 * A scratch copy of template.yaml (JSON, which the YAML loader reads) in a temporary folder,
 * with every CodeUri/ContentUri/DefinitionUri made absolute so it builds the repo's code,
 * then changed by `mutate`. Returns its path and a cleanup.
 */
export function scratchTemplate(mutate: (resources: Record<string, JsonObject>) => void): { path: string; dispose: () => void } {
  const raw = loadTemplateFile(join(REPO_ROOT, 'template.yaml'));
  const resources = raw.Resources as Record<string, JsonObject>;
  for (const r of Object.values(resources)) {
    const p = r.Properties as JsonObject | undefined;
    if (!p) continue;
    for (const k of ['CodeUri', 'ContentUri', 'DefinitionUri']) {
      const v = p[k];
      if (typeof v === 'string' && !isAbsolute(v) && !v.startsWith('s3://')) p[k] = join(REPO_ROOT, v);
    }
  }
  mutate(resources);
  const dir = mkdtempSync(join(tmpdir(), 'myapp-bench-template-'));
  const path = join(dir, 'template.json');
  writeFileSync(path, JSON.stringify(raw, null, 1));
  return { path, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A scratch folder inside the repo's git-ignored `.local/` (so esbuild finds the repo's
 * node_modules from it, and git never sees it).
 */
export function scratchDir(name: string): { dir: string; dispose: () => void } {
  const base = join(REPO_ROOT, '.local', 'bench-scratch');
  mkdirSync(base, { recursive: true });
  const dir = mkdtempSync(join(base, `${name}-`));
  return { dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Stoppers of what a section started (runtimes, proxies, scratch files): run.ts runs them on
 * SIGINT/SIGTERM, so an interrupted bench leaves no runtime process group behind.
 */
export const cleanups = new Set<() => Promise<void> | void>();
export const rel = (p: string) => relative(REPO_ROOT, p) || '.';
