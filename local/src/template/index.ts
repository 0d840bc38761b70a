/**
 * template.yaml → local values: loads CloudFormation YAML (every short-form intrinsic),
 * merges SAM Globals, applies parameters and conditions, and resolves intrinsics
 * (resolver.ts). Which names, ARNs and attributes a resource has is not known here: the
 * registry's resource kinds say (`loadStackTemplate` in registry.ts passes them in).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse, type Tags } from 'yaml';
import type { ResourceCatalog, ResourceRef, StackContext } from '../contract';
import { expandLanguageExtensions } from './language-extensions';
import { TemplateResolver } from './resolver';

export { isObj, LOCAL_PARAMETER_DEFAULTS } from './resolver';
// DynamoDB's, re-exported for the importers that predate src/dynamodb/tables.ts.
export { tableDefinitionsFromTemplate, type TableDefinition } from '../dynamodb/tables';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type JsonObject = { [k: string]: Json };

export interface Resource {
  Type: string;
  Properties: JsonObject;
  Metadata?: JsonObject;
  Condition?: string;
  DependsOn?: Json;
}

export interface ResolvedTemplate {
  parameters: Record<string, string>;
  conditions: Record<string, boolean>;
  resources: Record<string, Resource>;
  outputs: Record<string, string>;
  /** Physical ids (what Ref returns) by logical id. */
  refs: Record<string, string>;
  /** ARNs by logical id, for the resources whose kind has one. */
  arns: Record<string, string>;
  warnings: string[];
  /** Resources dropped because their Condition is false. */
  skipped: string[];
  raw: JsonObject;
}

export const DEFAULT_STACK: Omit<StackContext, 'urls'> = { region: 'us-east-1', accountId: '123456789012', stackName: 'myapp' };

const INTRINSICS = [
  'Base64',
  'Cidr',
  'FindInMap',
  'GetAtt',
  'GetAZs',
  'ImportValue',
  'Join',
  'Select',
  'Split',
  'Sub',
  'Transform',
  'And',
  'Equals',
  'If',
  'Not',
  'Or',
];

function toJs(v: unknown): unknown {
  return v && typeof v === 'object' && 'toJSON' in v ? (v as { toJSON(): unknown }).toJSON() : v;
}

function scalarTag(name: string): (v: string) => unknown {
  return (v: string) => {
    if (name !== 'GetAtt') return { [`Fn::${name}`]: v };
    const i = v.indexOf('.');
    return { 'Fn::GetAtt': [v.slice(0, i), v.slice(i + 1)] };
  };
}

/** Short forms (`!Ref x`, `!GetAtt a.b`, `!Sub [...]`) as their long forms. */
export const cfnTags: Tags = [
  { tag: '!Ref', resolve: (v: string) => ({ Ref: v }) },
  { tag: '!Condition', resolve: (v: string) => ({ Condition: v }) },
  ...INTRINSICS.flatMap((name) => [
    { tag: `!${name}`, resolve: scalarTag(name) },
    { tag: `!${name}`, collection: 'seq' as const, resolve: (v: unknown) => ({ [`Fn::${name}`]: toJs(v) }) },
    { tag: `!${name}`, collection: 'map' as const, resolve: (v: unknown) => ({ [`Fn::${name}`]: toJs(v) }) },
  ]),
];

export function loadTemplateFile(path: string): JsonObject {
  const text = readFileSync(path, 'utf8');
  const doc = parse(text, { customTags: cfnTags, maxAliasCount: -1 }) as unknown;
  if (!doc || typeof doc !== 'object' || !('Resources' in doc)) throw new Error(`${path}: not a CloudFormation template (no Resources)`);
  return expandLanguageExtensions(doc as JsonObject);
}

/**
 * A resolved template value where text belongs: a string as it is, a number or boolean as its
 * text (as CloudFormation reads a scalar in a string property), `fallback` when absent. A list
 * or an object there is the template's mistake: an error naming `what`, not "[object Object]".
 */
export function textOf(value: unknown, fallback: string, what: string): string {
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new Error(`${what}: expected text, got ${JSON.stringify(value)}`);
}

/** Stable ids per logical id (Cognito-shaped pool and client ids), so tokens survive restarts. */
export function stableId(seed: string, len: number, alphabet: string): string {
  const h = createHash('sha256').update(seed).digest();
  let s = '';
  for (let i = 0; i < len; i++) s += alphabet[h[i]! % alphabet.length];
  return s;
}
export const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** The name a resource declares in `property` (resolved), or CloudFormation's `<stack>-<LogicalId>`. */
export function declaredName(r: ResourceRef, property: string, ctx: StackContext): string {
  const v = r.prop(property);
  return typeof v === 'string' && v ? v : `${ctx.stackName}-${r.logicalId}`;
}

export function parseParameterOverrides(items: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items.flatMap((s) => s.split(/\s+/)).filter(Boolean)) {
    // Accept both Key=Value and SAM's ParameterKey=K,ParameterValue=V.
    const sam = /^ParameterKey=([^,]+),ParameterValue=(.*)$/.exec(item);
    if (sam) out[sam[1]!] = sam[2]!;
    else {
      const i = item.indexOf('=');
      if (i <= 0) throw new Error(`--parameter-overrides: expected Key=Value, got "${item}"`);
      out[item.slice(0, i)] = item.slice(i + 1);
    }
  }
  return out;
}

export interface ResolveOptions {
  parameterOverrides?: Record<string, string>;
  /** Apply LOCAL_PARAMETER_DEFAULTS (the runtime does; a deploy check would not). */
  localDefaults?: boolean;
  ctx?: Partial<StackContext>;
  /** The registry's resource kinds (names, ARNs, GetAtt); without it every name is `<stack>-<LogicalId>`. */
  catalog?: ResourceCatalog;
}

export function resolveTemplate(raw: JsonObject, opts: ResolveOptions = {}): ResolvedTemplate {
  const ctx: StackContext = { ...DEFAULT_STACK, urls: {}, ...opts.ctx };
  return new TemplateResolver(raw, ctx, opts).resolveAll();
}

export function loadTemplate(path: string, opts: ResolveOptions = {}): ResolvedTemplate {
  return resolveTemplate(loadTemplateFile(path), opts);
}

export function resourcesOfType(t: ResolvedTemplate, ...types: string[]): [string, Resource][] {
  return Object.entries(t.resources).filter(([, r]) => types.includes(r.Type));
}
