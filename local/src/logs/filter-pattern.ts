/**
 * CloudWatch Logs filter patterns (FilterLogEvents' `filterPattern`), as the CloudWatch Logs
 * user guide's "Filter pattern syntax" documents them:
 * - terms: `ERROR` (the event contains it; case-sensitive), `ERROR Exception` (both),
 *   `?ERROR ?WARN` (either), `ERROR -Exiting` (ERROR, not Exiting), `"Internal Server Error"`
 *   (a quoted phrase, for anything beyond letters, digits and `_`), `%regex%`;
 * - JSON: `{ $.level = "ERROR" }`, `{ $.a.b[0] != x* }` (`*` is a wildcard in a string),
 *   `{ $.latency >= 500 }`, `{ $.msg = %time.?out% }`, `IS TRUE`, `IS FALSE`, `IS NULL`,
 *   `NOT EXISTS`, joined with `&&`, `||` and parentheses; only events that are JSON match;
 * - an empty pattern (or `""`) matches every event.
 * Not supported: space-delimited patterns (`[ip, user, ...]`), refused with a message.
 */
import { AwsError } from '../protocol';

export type EventMatcher = (message: string) => boolean;

const invalid = (why: string) => new AwsError('InvalidParameterException', `Invalid filter pattern: ${why}`);

/** `%...%` → a RegExp (CloudWatch's regex subset is a subset of JavaScript's). */
function regexOf(body: string): RegExp {
  try {
    return new RegExp(body);
  } catch {
    throw invalid(`bad regular expression %${body}%`);
  }
}

interface Term {
  mode: 'all' | 'any' | 'none';
  test: (message: string) => boolean;
}

/** The terms of an unstructured pattern, in order. */
function readTerms(pattern: string): Term[] {
  const terms: Term[] = [];
  const re = /\s*([?-]?)(?:"((?:[^"\\]|\\.)*)"|%([^%]+)%|([^\s"]+))/gy;
  let m: RegExpExecArray | null;
  let at = 0;
  while (at < pattern.length && (m = re.exec(pattern))) {
    at = re.lastIndex;
    const mode = m[1] === '?' ? 'any' : m[1] === '-' ? 'none' : 'all';
    if (m[3] !== undefined) {
      const rx = regexOf(m[3]);
      terms.push({ mode, test: (s) => rx.test(s) });
    } else {
      const text = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[4]!;
      terms.push({ mode, test: (s) => s.includes(text) });
    }
  }
  if (pattern.slice(at).trim()) throw invalid(`unbalanced quotes in ${pattern}`);
  return terms;
}

function termsMatcher(pattern: string): EventMatcher {
  const terms = readTerms(pattern);
  const all = terms.filter((t) => t.mode === 'all');
  const any = terms.filter((t) => t.mode === 'any');
  const none = terms.filter((t) => t.mode === 'none');
  return (s) => all.every((t) => t.test(s)) && none.every((t) => !t.test(s)) && (any.length === 0 || any.some((t) => t.test(s)));
}

// ---- JSON patterns ---------------------------------------------------------------------

type Node =
  | { kind: 'and' | 'or'; left: Node; right: Node }
  | { kind: 'cmp'; path: (string | number)[]; op: string; value: Value }
  | { kind: 'is'; path: (string | number)[]; what: 'TRUE' | 'FALSE' | 'NULL' | 'NOT EXISTS' };

type Value = { type: 'number'; n: number } | { type: 'string'; s: string; quoted: boolean } | { type: 'regex'; rx: RegExp };

const TOKEN = /\s*(&&|\|\||\(|\)|!=|<=|>=|=|<|>|"(?:[^"\\]|\\.)*"|%[^%]+%|\$[^\s=!<>()&|]*|[^\s=!<>()&|"]+)/y;

function tokenize(body: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  let at = 0;
  let m: RegExpExecArray | null;
  while (at < body.length && (m = TOKEN.exec(body))) {
    tokens.push(m[1]!);
    at = TOKEN.lastIndex;
  }
  if (body.slice(at).trim()) throw invalid(`unexpected text near "${body.slice(at).trim()}"`);
  return tokens;
}

/** `$.a.b[0].c` → ['a', 'b', 0, 'c']. */
function selectorPath(sel: string): (string | number)[] {
  if (!/^\$(\.[^.[\]]+|\[\d+\])*$/.test(sel)) throw invalid(`bad selector ${sel}`);
  return [...sel.slice(1).matchAll(/\.([^.[\]]+)|\[(\d+)\]/g)].map((m) => (m[2] !== undefined ? Number(m[2]) : m[1]!));
}

function valueOf(token: string | undefined): Value {
  if (token === undefined || /^(&&|\|\||\(|\))$/.test(token)) throw invalid('a comparison lacks its value');
  if (token.startsWith('"')) return { type: 'string', s: token.slice(1, -1).replace(/\\(.)/g, '$1'), quoted: true };
  if (token.length > 2 && token.startsWith('%') && token.endsWith('%')) return { type: 'regex', rx: regexOf(token.slice(1, -1)) };
  if (/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(token)) return { type: 'number', n: Number(token) };
  return { type: 'string', s: token, quoted: false };
}

class JsonPatternParser {
  private i = 0;
  constructor(private readonly tokens: string[]) {}

  parse(): Node {
    const node = this.or();
    if (this.i < this.tokens.length) throw invalid(`unexpected "${this.tokens[this.i]}"`);
    return node;
  }

  private or(): Node {
    let left = this.and();
    while (this.tokens[this.i] === '||') {
      this.i++;
      left = { kind: 'or', left, right: this.and() };
    }
    return left;
  }

  private and(): Node {
    let left = this.unary();
    while (this.tokens[this.i] === '&&') {
      this.i++;
      left = { kind: 'and', left, right: this.unary() };
    }
    return left;
  }

  private unary(): Node {
    const t = this.tokens[this.i++];
    if (t === '(') {
      const inner = this.or();
      if (this.tokens[this.i++] !== ')') throw invalid('a parenthesis is not closed');
      return inner;
    }
    if (!t?.startsWith('$')) throw invalid(`expected a selector ($.field), found "${t ?? 'the end'}"`);
    const path = selectorPath(t);
    const op = this.tokens[this.i++];
    if (op === 'IS') {
      const what = this.tokens[this.i++];
      if (what !== 'TRUE' && what !== 'FALSE' && what !== 'NULL') throw invalid(`IS must be followed by TRUE, FALSE or NULL`);
      return { kind: 'is', path, what };
    }
    if (op === 'NOT' && this.tokens[this.i++] === 'EXISTS') return { kind: 'is', path, what: 'NOT EXISTS' };
    if (!op || !['=', '!=', '<', '<=', '>', '>='].includes(op)) throw invalid(`expected an operator after ${t}`);
    const value = valueOf(this.tokens[this.i++]);
    if (value.type !== 'number' && !['=', '!='].includes(op)) throw invalid(`${op} compares numbers only`);
    return { kind: 'cmp', path, op, value };
  }
}

const MISSING = Symbol('missing');

function select(doc: unknown, path: (string | number)[]): unknown {
  let v: unknown = doc;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return MISSING;
    const next = (v as Record<string | number, unknown>)[key];
    if (next === undefined || !Object.hasOwn(v, key)) return MISSING;
    v = next;
  }
  return v;
}

const globOf = (s: string) =>
  new RegExp(
    `^${s
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );

function compare(field: unknown, op: string, value: Value): boolean {
  if (field === MISSING) return false;
  if (value.type === 'number') {
    if (typeof field !== 'number') return false;
    const n = value.n;
    return op === '='
      ? field === n
      : op === '!='
        ? field !== n
        : op === '<'
          ? field < n
          : op === '<='
            ? field <= n
            : op === '>'
              ? field > n
              : field >= n;
  }
  if (typeof field !== 'string' && typeof field !== 'number' && typeof field !== 'boolean') return false;
  const text = String(field);
  const equal = value.type === 'regex' ? value.rx.test(text) : value.s.includes('*') ? globOf(value.s).test(text) : text === value.s;
  return op === '=' ? equal : !equal;
}

function evaluate(node: Node, doc: unknown): boolean {
  switch (node.kind) {
    case 'and':
      return evaluate(node.left, doc) && evaluate(node.right, doc);
    case 'or':
      return evaluate(node.left, doc) || evaluate(node.right, doc);
    case 'cmp':
      return compare(select(doc, node.path), node.op, node.value);
    case 'is': {
      const v = select(doc, node.path);
      return node.what === 'NOT EXISTS' ? v === MISSING : node.what === 'NULL' ? v === null : v === (node.what === 'TRUE');
    }
  }
}

function jsonMatcher(pattern: string): EventMatcher {
  if (!pattern.endsWith('}')) throw invalid('a JSON pattern ends with }');
  const tree = new JsonPatternParser(tokenize(pattern.slice(1, -1))).parse();
  return (message) => {
    let doc: unknown;
    try {
      doc = JSON.parse(message);
    } catch {
      return false;
    }
    return doc !== null && typeof doc === 'object' && evaluate(tree, doc);
  };
}

/** The matcher for a filter pattern; throws InvalidParameterException for one it cannot read. */
export function compileFilterPattern(pattern: string | undefined): EventMatcher {
  const p = (pattern ?? '').trim();
  if (p === '' || p === '""') return () => true;
  if (p.startsWith('{')) return jsonMatcher(p);
  if (p.startsWith('[')) throw invalid('space-delimited patterns ([field, ...]) are not supported by the local endpoint');
  return termsMatcher(p);
}
