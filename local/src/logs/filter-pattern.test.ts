/** Filter patterns against events, with the CloudWatch Logs user guide's own examples where it gives them. */
import { AwsError } from '../protocol';
import { compileFilterPattern } from './filter-pattern';

const lines = {
  error: '[ERROR] Caught IllegalArgumentException',
  errorArgs: '[ERROR] Unhandled exception ARGUMENTS',
  warn: '[WARN] some warning',
  exiting: '[ERROR] Exiting after error',
  phrase: 'The server answered Internal Server Error today',
  json: JSON.stringify({
    level: 'ERROR',
    message: 'order failed',
    orderId: 'ord-1',
    latency: 750,
    ok: false,
    cold: true,
    gone: null,
    items: [{ sku: 'SKU-0001', qty: 2 }],
    ip: '123.123.4.5',
  }),
  jsonInfo: JSON.stringify({ level: 'INFO', message: 'order placed', orderId: 'ord-2', latency: 120, ok: true, items: [] }),
};
const all = Object.entries(lines);
const matching = (pattern: string) => all.filter(([, line]) => compileFilterPattern(pattern)(line)).map(([name]) => name);

describe('unstructured terms', () => {
  it('an empty pattern or "" matches everything', () => {
    expect(matching('')).toHaveLength(all.length);
    expect(matching('""')).toHaveLength(all.length);
  });

  it('a term matches events containing it, case-sensitively', () => {
    expect(matching('ERROR')).toEqual(['error', 'errorArgs', 'exiting', 'json']);
    expect(matching('error')).toEqual(['exiting']);
  });

  it('several terms must all appear; ?terms are alternatives; -terms exclude', () => {
    expect(matching('ERROR ARGUMENTS')).toEqual(['errorArgs']);
    expect(matching('?ERROR ?WARN')).toEqual(['error', 'errorArgs', 'warn', 'exiting', 'json']);
    expect(matching('ERROR -Exiting')).toEqual(['error', 'errorArgs', 'json']);
    expect(matching('-ERROR')).toEqual(['warn', 'phrase', 'jsonInfo']);
  });

  it('a quoted phrase matches as a whole', () => {
    expect(matching('"Internal Server Error"')).toEqual(['phrase']);
    expect(matching('"Server Error today" "The"')).toEqual(['phrase']);
    expect(matching('"Server  Error"')).toEqual([]);
    expect(matching('"ord-1"')).toEqual(['json']);
  });

  it('a %regex% term', () => {
    expect(matching('%Caught [A-Za-z]+Exception%')).toEqual(['error']);
    expect(matching('%^\\[WARN\\]%')).toEqual(['warn']);
  });
});

describe('JSON patterns', () => {
  it('string equality, quoted or not, with * wildcards, and inequality', () => {
    expect(matching('{ $.level = "ERROR" }')).toEqual(['json']);
    expect(matching('{$.level=INFO}')).toEqual(['jsonInfo']);
    expect(matching('{ $.message = "order*" }')).toEqual(['json', 'jsonInfo']);
    expect(matching('{ $.ip != 123.123.* }')).toEqual([]);
    expect(matching('{ $.orderId != "ord-1" }')).toEqual(['jsonInfo']);
  });

  it('numbers compare numerically; a number never equals a string', () => {
    expect(matching('{ $.latency > 500 }')).toEqual(['json']);
    expect(matching('{ $.latency <= 120 }')).toEqual(['jsonInfo']);
    expect(matching('{ $.latency = 7.5e2 }')).toEqual(['json']);
    expect(matching('{ $.level = 1 }')).toEqual([]);
  });

  it('array indexes and nested fields', () => {
    expect(matching('{ $.items[0].sku = "SKU-0001" }')).toEqual(['json']);
    expect(matching('{ $.items[0].qty >= 2 }')).toEqual(['json']);
  });

  it('IS TRUE, IS FALSE, IS NULL, NOT EXISTS', () => {
    expect(matching('{ $.cold IS TRUE }')).toEqual(['json']);
    expect(matching('{ $.ok IS FALSE }')).toEqual(['json']);
    expect(matching('{ $.gone IS NULL }')).toEqual(['json']);
    expect(matching('{ $.gone NOT EXISTS }')).toEqual(['jsonInfo']);
  });

  it('&&, || and parentheses', () => {
    expect(matching('{ ($.level = "ERROR" && $.latency > 1000) || $.orderId = "ord-2" }')).toEqual(['jsonInfo']);
    expect(matching('{ $.level = "ERROR" && ($.latency > 1000 || $.ok IS FALSE) }')).toEqual(['json']);
  });

  it('a regex value', () => {
    expect(matching('{ $.message = %fail(ed)?$% }')).toEqual(['json']);
  });

  it('refuses patterns it cannot read, with InvalidParameterException', () => {
    for (const bad of [
      '{ $.level = }',
      '{ level = "x" }',
      '{ $.a = "x" ',
      '{ ($.a = 1 }',
      '{ $.a > "x" }',
      '[ip, user]',
      '"unclosed',
      '%(%',
    ]) {
      expect(() => compileFilterPattern(bad)).toThrow(AwsError);
    }
  });
});
