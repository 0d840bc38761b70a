/**
 * EventBridge event patterns: validation as PutRule / TestEventPattern answer it
 * (InvalidEventPatternException, event-ruler's reasons) and matching as the EventBridge user guide
 * documents it. No maintained matcher exists on npm (NOTES.md); AWS's own, aws/event-ruler, is Java.
 *
 * - Every field of the pattern must match; `$or` takes alternatives; a leaf array lists alternatives.
 * - The pattern follows the event's nesting; an array in the event matches if any element does,
 *   arrays nested in arrays included, and fields under one pattern object must come from the same
 *   array element (event-ruler's array-consistent matching).
 * - Operators apply to leaves: strings, numbers, booleans and null. `exists` asks whether a leaf value
 *   is there (an object or an empty array is not one).
 * The case table (event-patterns.cases.ts) cites the documentation behind each rule.
 */
import { parse } from 'lossless-json';
import {
  JsonNumber,
  PatternError,
  TOO_COMPLEX,
  WILDCARD_COMPLEXITY_LIMIT,
  compileLeaf,
  fail,
  isPlainObject,
  type LeafMatcher,
  type Scalar,
} from './event-pattern-operators';

export { JsonNumber, PatternError };

/** The "Event pattern size" quota (Amazon EventBridge quotas): 2048 characters unless raised, to at most 4096. */
export const EVENT_PATTERN_SIZE_QUOTA = 2048;

interface ObjectMatcher {
  fields: Array<{ key: string; leaf?: LeafMatcher[]; object?: ObjectMatcher }>;
  alternatives: ObjectMatcher[][];
}

/** Field names event-ruler reserves inside `$or` (its operators and a few it keeps for later). */
const RESERVED_IN_OR = new Set([
  'exactly',
  'equals-ignore-case',
  'prefix',
  'suffix',
  'anything-but',
  'exists',
  'wildcard',
  'numeric',
  'cidr',
  '=',
  '<',
  '<=',
  '>',
  '>=',
  'regex',
  'not-wildcard',
  'not-equals-ignore-case',
  'date-after',
  'date-on-or-after',
  'date-before',
  'date-on-or-before',
  'in-date-range',
  'ip-address-in-range',
  'ip-address-not-in-range',
]);

/** Compiled once per pattern object: patterns are not changed after they are first matched. */
const compiled = new WeakMap<object, ObjectMatcher>();

/** Parses JSON keeping each number's text (300 vs 3.0e2); a repeated key keeps its last value, as EventBridge does. */
export function parseJson(text: string): unknown {
  return parse(text, null, { parseNumber: (t) => new JsonNumber(t), onDuplicateKey: ({ newValue }) => newValue });
}

/** An EventPattern string as PutRule / TestEventPattern receive it: parsed and validated, or PatternError. */
export function parseEventPattern(text: string, sizeQuota = EVENT_PATTERN_SIZE_QUOTA): unknown {
  if (text.length > sizeQuota)
    fail(`Event pattern is ${text.length} characters, over the ${sizeQuota}-character "Event pattern size" quota`);
  let pattern: unknown;
  try {
    pattern = parseJson(text);
  } catch (err) {
    return fail((err as Error).message);
  }
  validatePattern(pattern);
  return pattern;
}

/** Throws PatternError (name InvalidEventPatternException) when EventBridge would refuse the pattern. */
export function validatePattern(pattern: unknown): void {
  compilePattern(pattern);
}

export function matchesPattern(pattern: unknown, event: unknown): boolean {
  return matchObject(compilePattern(pattern), event);
}

function compilePattern(pattern: unknown): ObjectMatcher {
  if (!isPlainObject(pattern)) return fail('Filter is not an object');
  const cached = compiled.get(pattern);
  if (cached) return cached;
  const complexity = new Map<string, number>();
  const matcher = compileObject(pattern, [], complexity, false);
  // event-ruler adds up the wildcards that one field's value can keep busy at once.
  if ([...complexity.values()].some((c) => c > WILDCARD_COMPLEXITY_LIMIT)) fail(TOO_COMPLEX);
  compiled.set(pattern, matcher);
  return matcher;
}

function compileObject(
  pattern: Record<string, unknown>,
  path: string[],
  complexity: Map<string, number>,
  insideOr: boolean,
): ObjectMatcher {
  const matcher: ObjectMatcher = { fields: [], alternatives: [] };
  const keys = Object.keys(pattern);
  if (keys.length === 0) fail('Empty objects are not allowed');
  for (const key of keys) {
    const value = pattern[key];
    if (key === '$or') {
      matcher.alternatives.push(compileOr(value, path, complexity));
    } else if (insideOr && RESERVED_IN_OR.has(key)) {
      fail(`${key} is Ruler reserved fieldName which cannot be used inside $or.`);
    } else if (isPlainObject(value)) {
      matcher.fields.push({ key, object: compileObject(value, [...path, key], complexity, insideOr) });
    } else if (Array.isArray(value)) {
      const leaf = compileLeaf(value);
      const id = JSON.stringify([...path, key]);
      const added = leaf.reduce((sum, m) => sum + ((m.kind === 'test' && m.wildcardComplexity) || 0), 0);
      complexity.set(id, (complexity.get(id) ?? 0) + added);
      matcher.fields.push({ key, leaf });
    } else {
      fail(`"${key}" must be an object or an array`);
    }
  }
  return matcher;
}

function compileOr(value: unknown, path: string[], complexity: Map<string, number>): ObjectMatcher[] {
  if (!Array.isArray(value)) return fail('It must be an Array followed with $or.');
  const alternatives = value.map((alt) =>
    isPlainObject(alt) ? compileObject(alt, path, complexity, true) : fail('Only JSON object is allowed in array of $or relationship.'),
  );
  if (alternatives.length < 2) fail('There must have at least 2 Objects in $or relationship.');
  return alternatives;
}

// ---- matching ----

const fieldOf = (value: unknown, key: string): unknown =>
  isPlainObject(value) && Object.prototype.hasOwnProperty.call(value, key) ? value[key] : undefined;

function matchObject(m: ObjectMatcher, value: unknown): boolean {
  for (const f of m.fields) {
    const field = fieldOf(value, f.key);
    if (f.leaf ? !matchLeaf(f.leaf, field) : !matchNested(f.object!, field)) return false;
  }
  return m.alternatives.every((alternatives) => alternatives.some((alt) => matchObject(alt, value)));
}

/** A pattern object against the event's value: one object, or any object found in (nested) arrays. */
function matchNested(m: ObjectMatcher, field: unknown): boolean {
  const objects = collect(field, isPlainObject);
  return objects.length > 0 ? objects.some((o) => matchObject(m, o)) : matchObject(m, undefined);
}

function matchLeaf(matchers: LeafMatcher[], field: unknown): boolean {
  const values = collect(field, (v): v is Scalar => !isPlainObject(v));
  return matchers.some((m) => (m.kind === 'exists' ? values.length > 0 === m.exists : values.some(m.test)));
}

/** The value itself, or the elements of an array (and of arrays inside it), that satisfy `keep`. */
function collect<T>(value: unknown, keep: (v: unknown) => v is T, out: T[] = []): T[] {
  if (Array.isArray(value)) for (const v of value) collect(v, keep, out);
  else if (value !== undefined && keep(value)) out.push(value);
  return out;
}
