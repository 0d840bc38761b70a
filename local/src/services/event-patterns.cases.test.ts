import { PATTERN_CASES, type PatternCase } from './event-patterns.cases';
import { PatternError, matchesPattern, parseEventPattern, parseJson } from './event-patterns';

/** What TestEventPattern would answer: the match result, or InvalidEventPatternException's reason. */
function answer(c: PatternCase): boolean | { error: string } {
  try {
    return matchesPattern(parseEventPattern(c.pattern), parseJson(c.event));
  } catch (err) {
    if (!(err instanceof PatternError)) throw err;
    expect(err.name).toBe('InvalidEventPatternException');
    expect(err.message).toBe(`Event pattern is not valid. Reason: ${err.reason}`);
    return { error: err.reason };
  }
}

describe('event pattern cases from the EventBridge user guide and aws/event-ruler', () => {
  it('has cases from every source, each cited', () => {
    const kinds = new Set(PATTERN_CASES.map((c) => c.source.kind));
    expect([...kinds].sort()).toEqual(['aws-docs', 'aws-recorded', 'event-ruler-readme', 'event-ruler-source']);
    expect(PATTERN_CASES.length).toBeGreaterThanOrEqual(150);
    for (const c of PATTERN_CASES) expect(c.source.url).toMatch(/^https:\/\//);
    expect(new Set(PATTERN_CASES.map((c) => `${c.source.section}: ${c.name}`)).size).toBe(PATTERN_CASES.length);
  });

  it.each(PATTERN_CASES.map((c) => [`${c.source.section}: ${c.name}`, c] as const))('%s', (_, c) => {
    expect(answer(c)).toEqual(c.expected);
  });
});
