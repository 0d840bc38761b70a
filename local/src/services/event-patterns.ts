/**
 * EventBridge event pattern matching (no sound matcher exists on npm). Semantics follow the
 * EventBridge user guide: every pattern field must match; a leaf array is a set of
 * alternatives; an event array matches if any element matches; `$or` takes alternatives.
 */
type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Pattern = { [k: string]: Json };

const isObject = (v: unknown): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

export class PatternError extends Error {}

export function matchesPattern(pattern: unknown, event: unknown): boolean {
  if (!isObject(pattern)) throw new PatternError('Event pattern must be a JSON object');
  return matchObject(pattern as Pattern, event);
}

function matchObject(pattern: Pattern, value: unknown): boolean {
  for (const [key, sub] of Object.entries(pattern)) {
    if (key === '$or') {
      if (!Array.isArray(sub) || sub.length === 0) throw new PatternError('$or must be a non-empty array');
      if (!sub.some((alt) => isObject(alt) && matchObject(alt as Pattern, value))) return false;
      continue;
    }
    const field = isObject(value) ? value[key] : undefined;
    if (isObject(sub)) {
      // A nested pattern: descend; an array of objects matches if any element does.
      if (Array.isArray(field)) {
        if (!field.some((f) => matchObject(sub as Pattern, f))) return false;
      } else if (!matchObject(sub as Pattern, field)) return false;
      continue;
    }
    if (!Array.isArray(sub)) throw new PatternError(`Pattern value for "${key}" must be an array or an object`);
    if (!matchLeaf(sub, field, isObject(value) && key in value)) return false;
  }
  return true;
}

/** The event's values at a leaf: arrays are flattened to their elements. */
function valuesOf(field: unknown): Json[] {
  return Array.isArray(field) ? (field as Json[]) : [field as Json];
}

function matchLeaf(alternatives: Json[], field: unknown, present: boolean): boolean {
  return alternatives.some((alt) => {
    if (isObject(alt) && 'exists' in alt) {
      // exists matches leaves only: a present field whose value is an object does not "exist".
      const exists = present && field !== undefined && !isObject(field);
      return alt.exists === exists;
    }
    if (!present || field === undefined) {
      // anything-but matches a missing field? No: EventBridge requires the field to exist.
      return false;
    }
    return valuesOf(field).some((v) => matchOne(alt, v));
  });
}

function matchOne(alt: Json, v: Json): boolean {
  if (!isObject(alt)) {
    if (alt === null) return v === null;
    return typeof alt === typeof v && alt === v;
  }
  const [op, arg] = Object.entries(alt)[0] ?? [];
  switch (op) {
    case 'prefix':
      return typeof v === 'string' && matchStringOp(arg, v, (s, p) => s.startsWith(p));
    case 'suffix':
      return typeof v === 'string' && matchStringOp(arg, v, (s, p) => s.endsWith(p));
    case 'equals-ignore-case':
      return typeof v === 'string' && typeof arg === 'string' && v.toLowerCase() === arg.toLowerCase();
    case 'wildcard':
      return typeof v === 'string' && typeof arg === 'string' && wildcard(arg).test(v);
    case 'numeric':
      return typeof v === 'number' && Array.isArray(arg) && numeric(arg, v);
    case 'anything-but':
      return !anythingBut(arg ?? null, v);
    case 'cidr':
      return typeof v === 'string' && typeof arg === 'string' && cidr(arg, v);
    default:
      throw new PatternError(`Unsupported pattern operator "${String(op)}"`);
  }
}

/** `{prefix: "a"}` or `{prefix: {"equals-ignore-case": "a"}}`. */
function matchStringOp(arg: Json | undefined, v: string, test: (s: string, p: string) => boolean): boolean {
  if (typeof arg === 'string') return test(v, arg);
  if (isObject(arg) && typeof arg['equals-ignore-case'] === 'string') return test(v.toLowerCase(), arg['equals-ignore-case'].toLowerCase());
  throw new PatternError('prefix/suffix takes a string');
}

/** True when v is one of the excluded values (so anything-but does not match). */
function anythingBut(arg: Json, v: Json): boolean {
  if (Array.isArray(arg)) return arg.some((a) => anythingBut(a, v));
  if (isObject(arg)) {
    const [op, inner] = Object.entries(arg)[0] ?? [];
    const list = Array.isArray(inner) ? inner : [inner ?? null];
    return list.some((p) => {
      if (typeof v !== 'string' || typeof p !== 'string') return false;
      if (op === 'prefix') return v.startsWith(p);
      if (op === 'suffix') return v.endsWith(p);
      if (op === 'equals-ignore-case') return v.toLowerCase() === p.toLowerCase();
      if (op === 'wildcard') return wildcard(p).test(v);
      throw new PatternError(`Unsupported anything-but operator "${String(op)}"`);
    });
  }
  return arg === v;
}

function numeric(spec: Json[], v: number): boolean {
  if (spec.length % 2 !== 0) throw new PatternError('numeric takes operator/value pairs');
  for (let i = 0; i < spec.length; i += 2) {
    const op = spec[i];
    const n = spec[i + 1];
    if (typeof n !== 'number') throw new PatternError('numeric operand must be a number');
    const ok = op === '=' ? v === n : op === '<' ? v < n : op === '<=' ? v <= n : op === '>' ? v > n : op === '>=' ? v >= n : undefined;
    if (ok === undefined) throw new PatternError(`Unsupported numeric operator "${String(op)}"`);
    if (!ok) return false;
  }
  return true;
}

function wildcard(p: string): RegExp {
  const body = p.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${body}$`, 's');
}

function cidr(block: string, ip: string): boolean {
  const [base, bitsText] = block.split('/');
  const toInt = (a: string) => a.split('.').reduce((acc, o) => (acc << 8) + Number(o), 0) >>> 0;
  if (!base || !/^\d+\.\d+\.\d+\.\d+$/.test(base) || !/^\d+\.\d+\.\d+\.\d+$/.test(ip)) return false;
  const bits = Number(bitsText ?? 32);
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return (toInt(base) & mask) === (toInt(ip) & mask);
}
