/**
 * The leaf of an event pattern (`"field": [ ... ]`): exact values and the comparison operators of the
 * EventBridge user guide ("Comparison operators for use in event patterns"). Each compiles, with the
 * checks and reasons of aws/event-ruler's JsonRuleCompiler (the text EventBridge puts after
 * "Reason:"), into a test on one scalar value of the event.
 */
import { BlockList, isIP } from 'node:net';

/** A JSON number as written: EventBridge compares exact number values by their text. */
export class JsonNumber {
  readonly value: number;
  constructor(readonly text: string) {
    this.value = Number(text);
  }
  toJSON(): number {
    return this.value;
  }
}

export type Scalar = string | number | boolean | null | JsonNumber;

/** An invalid pattern, as EventBridge reports it (PutRule, TestEventPattern). */
export class PatternError extends Error {
  override readonly name = 'InvalidEventPatternException';
  constructor(readonly reason: string) {
    super(`Event pattern is not valid. Reason: ${reason}`);
  }
}

export type LeafMatcher = { kind: 'exists'; exists: boolean } | { kind: 'test'; test: (v: Scalar) => boolean; wildcardComplexity?: number };

export const fail = (reason: string): never => {
  throw new PatternError(reason);
};
const tooManyElements = () => fail('Too many elements in numeric expression');
const test = (t: (v: Scalar) => boolean): LeafMatcher => ({ kind: 'test', test: t });

export const isJsonNumber = (v: unknown): v is number | JsonNumber => typeof v === 'number' || v instanceof JsonNumber;
const numberText = (v: number | JsonNumber) => (typeof v === 'number' ? JSON.stringify(v) : v.text);
const numberValue = (v: number | JsonNumber) => (typeof v === 'number' ? v : v.value);
export const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof JsonNumber);
const isString = (v: unknown): v is string => typeof v === 'string';
const fold = (s: string) => s.toLowerCase();
/** How event-ruler's parser shows a token in a reason. */
const tokenText = (v: unknown) =>
  v === undefined
    ? ']'
    : isString(v)
      ? v
      : isJsonNumber(v)
        ? numberText(v)
        : Array.isArray(v)
          ? '['
          : isPlainObject(v)
            ? '{'
            : v === null
              ? 'null'
              : typeof v === 'boolean'
                ? String(v)
                : typeof v;

/** `"field": [ ... ]`: any of the listed values or operators matches. */
export function compileLeaf(items: unknown[]): LeafMatcher[] {
  const matchers = items.map(compileLeafItem);
  if (matchers.length === 0) fail('Empty arrays are not allowed');
  return matchers;
}

function compileLeafItem(item: unknown): LeafMatcher {
  if (isString(item) || typeof item === 'boolean' || item === null) return test((v) => v === item);
  if (isJsonNumber(item)) {
    // "For numbers, EventBridge uses string representation": 300 and 3.0e2 are different values.
    const text = numberText(item);
    return test((v) => isJsonNumber(v) && numberText(v) === text);
  }
  if (isPlainObject(item)) return compileExpression(item);
  return fail('Match value must be String, number, true, false, or null');
}

function compileExpression(expr: Record<string, unknown>): LeafMatcher {
  const keys = Object.keys(expr);
  const op = keys[0];
  if (op === undefined) return fail('Match expression name not found');
  const arg = expr[op];
  const oneKey = <T>(m: T): T => (keys.length > 1 ? fail('Only one key allowed in match expression') : m);
  switch (op) {
    case 'prefix':
      return oneKey(compileAffix('prefix', arg, (s, p) => s.startsWith(p)));
    case 'suffix':
      return oneKey(compileAffix('suffix', arg, (s, p) => s.endsWith(p)));
    case 'equals-ignore-case': {
      const value = isString(arg) ? fold(arg) : fail('equals-ignore-case match pattern must be a string');
      return oneKey(test((v) => isString(v) && fold(v) === value));
    }
    case 'wildcard': {
      const w = compileWildcard(isString(arg) ? arg : fail('wildcard match pattern must be a string'));
      return oneKey({ kind: 'test', test: (v) => isString(v) && w.matches(v), wildcardComplexity: w.complexity });
    }
    case 'numeric': {
      const inRange = compileNumeric(Array.isArray(arg) ? arg : fail('Value of numeric must be an array.'));
      if (keys.length > 1) tooManyElements();
      return test((v) => isJsonNumber(v) && inRange(numberValue(v)));
    }
    case 'anything-but': {
      const m = compileAnythingBut(arg);
      if (keys.length > 1) tooManyElements();
      return m;
    }
    case 'exists':
      return oneKey({
        kind: 'exists',
        exists: typeof arg === 'boolean' ? arg : fail('exists match pattern must be either true or false.'),
      });
    case 'cidr': {
      // event-ruler's reason for a non-string cidr really does say "prefix" (AWS answers the same).
      const inBlock = compileCidr(isString(arg) ? arg : fail('prefix match pattern must be a string'));
      return oneKey(test((v) => isString(v) && inBlock(v)));
    }
    default:
      return fail(`Unrecognized match type ${op}`);
  }
}

/** prefix / suffix, plain or `{ "equals-ignore-case": "..." }`; they only ever match strings. */
function compileAffix(name: 'prefix' | 'suffix', arg: unknown, has: (s: string, affix: string) => boolean): LeafMatcher {
  if (isPlainObject(arg)) {
    const keys = Object.keys(arg);
    const inner = keys[0];
    if (inner === undefined) fail(`${name === 'prefix' ? 'Prefix' : 'Suffix'} expression name not found`);
    if (inner !== 'equals-ignore-case') fail(`Unsupported ${name} pattern: ${String(inner)}`);
    const value = arg[inner as string];
    const affix = isString(value) ? fold(value) : fail('equals-ignore-case match pattern must be a string');
    if (keys.length > 1) fail('Only one key allowed in match expression');
    return test((v) => isString(v) && has(fold(v), affix));
  }
  const affix = isString(arg) ? arg : fail(`${name} match pattern must be a string`);
  return test((v) => isString(v) && has(v, affix));
}

// ---- anything-but ----

type Exclusion = { excludes: (v: Scalar) => boolean; wildcardComplexity?: number };

/** anything-but matches every present value that is not excluded (null and other types included). */
function compileAnythingBut(arg: unknown): LeafMatcher {
  const ex = isPlainObject(arg) ? compileExclusionOperator(arg) : compileExclusionValues(arg);
  return { kind: 'test', test: (v) => !ex.excludes(v), wildcardComplexity: ex.wildcardComplexity };
}

const notSingleValue = () => fail('Value of anything-but must be an array or single string/number value.');

/** `{"anything-but": "a"}`, `{"anything-but": 1}`, `{"anything-but": ["a", "b"]}` (all strings or all numbers). */
function compileExclusionValues(arg: unknown): Exclusion {
  if (!isString(arg) && !isJsonNumber(arg) && !Array.isArray(arg)) notSingleValue();
  const list = Array.isArray(arg) ? arg : [arg];
  const strings = new Set<string>();
  const numbers = new Set<number>();
  for (const v of list) {
    if (isString(v)) strings.add(v);
    else if (isJsonNumber(v)) numbers.add(comparableNumber(v));
    else fail('Inside anything but list, start|null|boolean is not supported.');
  }
  if (strings.size > 0 === numbers.size > 0)
    fail('Inside anything but list, either all values are number or string, mixed type is not supported');
  // Numbers are excluded by value (event-ruler compares them as numbers), strings by text.
  return { excludes: (v) => (isString(v) ? strings.has(v) : isJsonNumber(v) && numbers.has(numberValue(v))) };
}

const EXCLUSION_OPERATORS = ['equals-ignore-case', 'prefix', 'suffix', 'wildcard'] as const;
type ExclusionOperator = (typeof EXCLUSION_OPERATORS)[number];

/** `{"anything-but": {"prefix" | "suffix" | "equals-ignore-case" | "wildcard": "a" or ["a", "b"]}}`. */
function compileExclusionOperator(arg: Record<string, unknown>): Exclusion {
  const keys = Object.keys(arg);
  const op = keys[0];
  if (op === undefined) return fail('Anything-But expression name not found');
  if (!(EXCLUSION_OPERATORS as readonly string[]).includes(op)) fail(`Unsupported anything-but pattern: ${op}`);
  const inner = arg[op];
  if (!isString(inner) && !isJsonNumber(inner) && !Array.isArray(inner)) notSingleValue();
  const values = (Array.isArray(inner) ? inner : [inner]).map((v) => exclusionValue(op as ExclusionOperator, v));
  if (keys.length > 1) tooManyElements();
  switch (op as ExclusionOperator) {
    case 'prefix':
      return { excludes: (v) => isString(v) && values.some((p) => v.startsWith(p)) };
    case 'suffix':
      return { excludes: (v) => isString(v) && values.some((s) => v.endsWith(s)) };
    case 'equals-ignore-case': {
      const folded = new Set(values.map(fold));
      return { excludes: (v) => isString(v) && folded.has(fold(v)) };
    }
    case 'wildcard': {
      const compiled = values.map(compileWildcard);
      const wildcardComplexity = compiled.reduce((sum, w) => sum + w.complexity, 0);
      return { excludes: (v) => isString(v) && compiled.some((w) => w.matches(v)), wildcardComplexity };
    }
  }
}

function exclusionValue(op: ExclusionOperator, v: unknown): string {
  if (isString(v)) {
    if ((op === 'prefix' || op === 'suffix') && v === '') fail('Null prefix/suffix not allowed');
    return v;
  }
  if (op === 'equals-ignore-case') return fail('Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.');
  if (op === 'wildcard') return fail('wildcard match pattern must be a string');
  return fail('prefix/suffix match pattern must be a string');
}

// ---- numeric ----

/** A number event-ruler can compare: a finite double that is exactly the decimal written. */
function comparableNumber(v: number | JsonNumber): number {
  const n = numberValue(v);
  if (!Number.isFinite(n) || canonicalDecimal(numberText(v)) !== canonicalDecimal(String(n)))
    fail(`Cannot compare number : ${numberText(v)}`);
  return n;
}

/** "1.50e2" and "150" -> "15e1": digits without leading/trailing zeros, and an exponent. */
function canonicalDecimal(text: string): string {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m) return text;
  const [, sign, int = '', frac = '', exp = '0'] = m;
  let digits = (int + frac).replace(/^0+/, '');
  let exponent = Number(exp) - frac.length;
  if (digits === '') return '0';
  while (digits.endsWith('0')) {
    digits = digits.slice(0, -1);
    exponent += 1;
  }
  return `${sign}${digits}e${exponent}`;
}

const comparisons: Record<string, (a: number, b: number) => boolean> = {
  '=': (a, b) => a === b,
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
};

/** `["=", n]`, `["<" | "<=", n]`, `[">" | ">=", n]` or `[">" | ">=", low, "<" | "<=", high]`. */
function compileNumeric(spec: unknown[]): (n: number) => boolean {
  const [op, , op2] = spec;
  const operand = (i: number, name: string) => {
    const v = spec[i];
    return isJsonNumber(v) ? comparableNumber(v) : fail(`Value of ${name} must be numeric`);
  };
  if (!isString(op)) return fail(`Invalid member in numeric match: ${tokenText(op)}`);
  const cmp = comparisons[op] ?? fail(`Unrecognized numeric range operator: ${op}`);
  const bound = operand(1, op === '=' ? 'equals' : op);
  if (op !== '>' && op !== '>=') {
    if (spec.length > 2) tooManyElements();
    return (n) => cmp(n, bound);
  }
  if (spec.length === 2) return (n) => cmp(n, bound);
  if (!isString(op2)) return fail(`Bad value in numeric range: ${tokenText(op2)}`);
  if (op2 !== '<' && op2 !== '<=') return fail(`Bad numeric range operator: ${op2}`);
  const top = operand(3, op2);
  if (spec.length > 4) fail('Too many terms in numeric range expression');
  if (!(bound < top)) fail('Bottom must be less than top');
  const cmpTop = comparisons[op2]!;
  return (n) => cmp(n, bound) && cmpTop(n, top);
}

// ---- cidr ----

const IPV4_LIKE = /^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/;
const IPV6_LIKE = /^[0-9a-fA-F:]*:[0-9a-fA-F:]*$/;

function ipFamily(address: string): 4 | 6 {
  const family = isIP(address);
  if (family === 4 || family === 6) return family;
  return fail(`${IPV4_LIKE.test(address) || IPV6_LIKE.test(address) ? 'Invalid' : 'Nonstandard'} IP address: ${address}`);
}

/** `"10.0.0.0/24"`, `"2001:db8::/64"`: the event value must be an IP address of the same family inside the block. */
function compileCidr(cidr: string): (ip: string) => boolean {
  const parts = cidr.split('/');
  while (parts.length > 1 && parts[parts.length - 1] === '') parts.pop(); // as Java's String.split
  if (parts.length !== 2) fail("Malformed CIDR, one '/' required");
  const [address = '', maskText = ''] = parts;
  const bits = /^[+-]?\d{1,10}$/.test(maskText) ? Number(maskText) : fail('Malformed CIDR, mask bits must be an integer');
  if (bits < 0) fail('Malformed CIDR, mask bits must not be negative');
  const family = ipFamily(address);
  if (family === 4 && bits > 31) fail('IPv4 mask bits must be < 32');
  if (family === 6 && bits > 127) fail('IPv6 mask bits must be < 128');
  const type = family === 4 ? 'ipv4' : 'ipv6';
  const block = new BlockList();
  block.addSubnet(address, bits, type);
  return (ip) => isIP(ip) === family && block.check(ip, type);
}

// ---- wildcard ----

/** EventBridge does not publish its wildcard complexity ceiling; this one accepts the user guide's
 * "simplified" examples (measure 5 and 8) and refuses its "too complex" one (13), as AWS answered them. */
export const WILDCARD_COMPLEXITY_LIMIT = 12;
export const TOO_COMPLEX =
  'Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character';
const STAR = Symbol('*');
type WildcardToken = string | typeof STAR;

/** `*` matches any run of characters; `\*` is a literal star, `\\` a backslash; nothing else may follow `\`. */
export function compileWildcard(value: string): { matches: (s: string) => boolean; complexity: number } {
  const tokens = wildcardTokens(value);
  return { matches: (s) => wildcardMatches(tokens, s), complexity: wildcardComplexity(tokens) };
}

/** Literal tokens are UTF-16 code units, compared with the event string's. */
function wildcardTokens(value: string): WildcardToken[] {
  const tokens: WildcardToken[] = [];
  let pos = 1; // event-ruler counts UTF-8 bytes of the quoted value: the opening quote is byte 0
  for (let i = 0; i < value.length;) {
    const ch = String.fromCodePoint(value.codePointAt(i)!);
    if (ch === '*') {
      if (value[i + 1] === '*') fail(`Consecutive wildcard characters at pos ${pos}`);
      tokens.push(STAR);
    } else if (ch === '\\') {
      const next = value[i + 1];
      if (next !== '*' && next !== '\\') fail(`Invalid escape character at pos ${pos}`);
      tokens.push(next as string);
      i += 1;
      pos += 1;
    } else tokens.push(...ch);
    i += ch.length;
    pos += Buffer.byteLength(ch);
  }
  return tokens;
}

/** Greedy matching that backs up to the last star only: linear in practice, never exponential like a regex. */
function wildcardMatches(tokens: WildcardToken[], s: string): boolean {
  let t = 0;
  let i = 0;
  let star = -1;
  let resume = 0;
  while (i < s.length) {
    if (t < tokens.length && tokens[t] === STAR) {
      star = t++;
      resume = i;
    } else if (t < tokens.length && tokens[t] === s[i]) {
      t += 1;
      i += 1;
    } else if (star >= 0) {
      t = star + 1;
      i = ++resume;
    } else return false;
  }
  while (tokens[t] === STAR) t += 1;
  return t === tokens.length;
}

/**
 * The most pattern positions a single input can keep alive at once (the measure event-ruler's
 * MachineComplexityEvaluator limits): explores the subset automaton of the pattern.
 */
function wildcardComplexity(tokens: WildcardToken[]): number {
  const closure = (states: Set<number>) => {
    for (const s of [...states].sort((a, b) => a - b)) if (tokens[s] === STAR) states.add(s + 1);
    return states;
  };
  const alphabet = [...new Set(tokens.filter((t): t is string => t !== STAR)), '\u0000'];
  const start = closure(new Set([0]));
  const seen = new Set([[...start].join(',')]);
  const queue = [start];
  let max = 0;
  while (queue.length > 0) {
    const states = queue.shift()!;
    max = Math.max(max, states.size);
    if (max > WILDCARD_COMPLEXITY_LIMIT || seen.size > 10_000) return Infinity;
    for (const ch of alphabet) {
      const next = new Set<number>();
      for (const s of states)
        if (tokens[s] === STAR) next.add(s);
        else if (tokens[s] === ch) next.add(s + 1);
      const key = [...closure(next)].sort((a, b) => a - b).join(',');
      if (next.size > 0 && !seen.has(key)) {
        seen.add(key);
        queue.push(next);
      }
    }
  }
  return max;
}
