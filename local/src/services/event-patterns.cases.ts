/**
 * Event pattern cases, each with the source it comes from: the EventBridge user guide first, then
 * aws/event-ruler (the engine EventBridge's error reasons come from: its README, its tests, its
 * compiler's messages), and AWS's own answers to TestEventPattern as LocalStack recorded them against
 * AWS (tests/aws/services/events/test_events_patterns.snapshot.json). Where they disagree, the user
 * guide wins and the case says so in `note`.
 *
 * `pattern` and `event` are JSON text, as TestEventPattern receives them (so 300 and 3.0e2 stay
 * different). `expected` is the match result, or the reason EventBridge gives after
 * "Event pattern is not valid. Reason: " (InvalidEventPatternException).
 */
export type SourceKind = 'aws-docs' | 'event-ruler-readme' | 'event-ruler-source' | 'aws-recorded';
export interface Source {
  kind: SourceKind;
  url: string;
  section: string;
}
export interface PatternCase {
  name: string;
  pattern: string;
  event: string;
  expected: boolean | { error: string };
  source: Source;
  /** AWS's own answer for this case (LocalStack's recording against AWS), where one exists. */
  observed?: Source;
  note?: string;
}

const GUIDE = 'https://docs.aws.amazon.com/eventbridge/latest/userguide/';
const RULER = 'https://github.com/aws/event-ruler/blob/main/';
const doc = (page: string, section: string): Source => ({ kind: 'aws-docs', url: GUIDE + page, section });
const readme = (section: string): Source => ({ kind: 'event-ruler-readme', url: `${RULER}README.md`, section });
const rulerSrc = (file: string, section: string): Source => ({ kind: 'event-ruler-source', url: RULER + file, section });
/** LocalStack's TestEventPattern cases, recorded against AWS (a template name, or a whole test id). */
const recorded = (id: string): Source => ({
  kind: 'aws-recorded',
  url: 'https://github.com/localstack/localstack/blob/main/tests/aws/services/events/test_events_patterns.snapshot.json',
  section: id.includes('::') ? id : `TestEventPattern::test_event_pattern[${id}]`,
});

const SYNTAX = (s: string) => doc('eb-create-pattern.html', `Event pattern syntax > ${s}`);
const PATTERNS = (s: string) => doc('eb-event-patterns.html', `Amazon EventBridge event patterns > ${s}`);
const OPS = (s: string) => doc('eb-create-pattern-operators.html', `Comparison operators for use in event patterns > ${s}`);
const NULLS = doc('eb-event-patterns-null-values.html', 'Matching null values and empty strings in Amazon EventBridge event patterns');
const ARRAYS = doc('eb-event-patterns-arrays.html', 'Arrays in Amazon EventBridge event patterns');
const QUOTAS = doc('eb-quota.html', 'Amazon EventBridge quotas > Event pattern size');
const COMPILER = (s: string) => rulerSrc('src/main/software/amazon/event/ruler/JsonRuleCompiler.java', s);
const CIDR_SRC = rulerSrc('src/main/software/amazon/event/ruler/CIDR.java', 'cidr()');
const WILDCARD_SRC = rulerSrc('src/main/software/amazon/event/ruler/input/WildcardParser.java', 'parse()');
const RULER_TEST = (s: string) => rulerSrc('src/test/software/amazon/event/ruler/RulerTest.java', s);

const json = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
/** An event as PutEvents delivers it, around `detail` (and any top-level overrides). */
const envelope = <T>(detail: T, top: Record<string, unknown> = {}) => ({
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'Test Event',
  source: 'myapp.test',
  account: '123456789012',
  time: '2017-10-02T18:43:48Z',
  region: 'us-east-1',
  resources: [],
  detail,
  ...top,
});
const d = (detail: unknown) => envelope(detail);

type Row = [name: string, pattern: unknown, event: unknown, expected: boolean | string, extra?: { observed?: Source; note?: string }];
const cases: PatternCase[] = [];
/** Adds rows from one source; an `expected` string is an error reason. */
function from(source: Source, rows: Row[]): void {
  for (const [name, pattern, event, expected, extra] of rows) {
    cases.push({
      name,
      pattern: json(pattern),
      event: json(event),
      expected: typeof expected === 'string' ? { error: expected } : expected,
      source,
      ...extra,
    });
  }
}

// ---- Event pattern syntax, values, nesting ----

const EC2_EVENT = envelope(
  { 'instance-id': 'i-1234567890abcdef0', state: 'terminated' },
  {
    'detail-type': 'EC2 Instance State-change Notification',
    source: 'aws.ec2',
    resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
  },
);
const EC2_PATTERN = { source: ['aws.ec2'], 'detail-type': ['EC2 Instance State-change Notification'], detail: { state: ['terminated'] } };

from(SYNTAX('Event pattern syntax'), [
  ['EC2 termination pattern matches the EC2 event', EC2_PATTERN, EC2_EVENT, true],
  ['a different state does not match', EC2_PATTERN, { ...EC2_EVENT, detail: { state: 'running' } }, false],
  ['every pattern field must be in the event', EC2_PATTERN, { ...EC2_EVENT, detail: { 'instance-id': 'i-1' } }, false],
  ['fields must have the same nesting (state is under detail)', { state: ['terminated'] }, EC2_EVENT, false],
  ['fields the pattern does not name are ignored', { source: ['aws.ec2'] }, EC2_EVENT, true],
  [
    'a dotted key in the event is not a nested field',
    { detail: { state: { status: ['running'] } } },
    d({ 'state.status': 'running' }),
    false,
    {
      observed: recorded('dot_joining_event'),
      note: 'AWS answered true in LocalStack\'s recording: event-ruler joins key paths with dots (its README: "should not be relied upon"). The guide asks for the same nesting.',
    },
  ],
  [
    'a dotted key in the pattern is not a nested path',
    { detail: { 'state.status': ['running'] } },
    d({ state: { status: 'running' } }),
    false,
    { observed: recorded('dot_joining_pattern'), note: 'As above: AWS answered true.' },
  ],
]);
from(SYNTAX('Matching event values'), [
  [
    'a list of values: any one matches (aws.fargate)',
    { source: ['aws.ec2', 'aws.fargate'] },
    envelope({}, { source: 'aws.fargate' }),
    true,
  ],
  ['a list of values: none matches', { source: ['aws.ec2', 'aws.fargate'] }, envelope({}, { source: 'aws.s3' }), false],
]);

const MACIE_EVENT = envelope(
  {
    'notification-type': 'ALERT_CREATED',
    name: 'Scanning bucket policies',
    tags: ['Custom_Alert', 'Insider'],
    'risk-score': 80,
    trigger: { 'rule-arn': 'arn:aws:macie:us-east-1:123456789012:trigger/trigger_id', 'alert-type': 'basic', risk: 8 },
  },
  { 'detail-type': 'Macie Alert', source: 'aws.macie' },
);
from(PATTERNS('Example events and event patterns > Value matching'), [
  [
    'numbers at two levels (risk-score 80, trigger.risk 8)',
    { source: ['aws.macie'], 'detail-type': ['Macie Alert'], detail: { 'risk-score': [80], trigger: { risk: [8] } } },
    MACIE_EVENT,
    true,
  ],
  ['a different nested number does not match', { detail: { 'risk-score': [80], trigger: { risk: [9] } } }, MACIE_EVENT, false],
  ['a value matches one element of an event array (tags)', { detail: { tags: ['Insider'] } }, MACIE_EVENT, true],
]);
from(PATTERNS('Create event patterns'), [
  ['strings match character by character, no case folding', { detail: { state: ['Terminated'] } }, EC2_EVENT, false],
  ['string versus number of the same text', { detail: { n: ['300'] } }, d({ n: 300 }), false],
  ['number versus string of the same text', { detail: { n: [300] } }, d({ n: '300' }), false],
  ['true matches the JSON literal true', { detail: { b: [true] } }, d({ b: true }), true],
  ['true does not match the string "true"', { detail: { b: [true] } }, d({ b: 'true' }), false],
  ['false does not match true', { detail: { b: [false] } }, d({ b: true }), false, { observed: recorded('boolean_NEG') }],
  ['same number, same text: 300', '{"detail":{"n":[300]}}', '{"detail":{"n":300}}', true],
  ['same number, same text: 3.0e2', '{"detail":{"n":[3.0e2]}}', '{"detail":{"n":3.0e2}}', true],
  [
    '300 and 300.0 are not equal (string representation)',
    '{"detail":{"n":[300]}}',
    '{"detail":{"n":300.0}}',
    false,
    {
      observed: recorded('number_comparison_float'),
      note: 'Guide: "300, 300.0, and 3.0e2 are not considered equal". AWS answered true in LocalStack\'s recording, and event-ruler adds a numeric-equals matcher for number values; the guide wins here.',
    },
  ],
  [
    '300 and 3.0e2 are not equal (string representation)',
    '{"detail":{"n":[300]}}',
    '{"detail":{"n":3.0e2}}',
    false,
    { note: 'event-ruler would match (numeric equals); the guide says not equal.' },
  ],
  [
    '300.0 and 300 are not equal (string representation)',
    '{"detail":{"n":[300.0]}}',
    '{"detail":{"n":300}}',
    false,
    { note: 'event-ruler would match (numeric equals); the guide says not equal.' },
  ],
]);
from(recorded('string'), [
  [
    'exact string with an emoji and trailing whitespace',
    { string: ['A CamelCase string with an emoji 🚀 and trailing whitespace '] },
    envelope({}, { string: 'A CamelCase string with an emoji 🚀 and trailing whitespace ' }),
    true,
  ],
]);
from(recorded('key_case_sensitive_NEG'), [
  ['field names are case-sensitive', { MY_KEY: ['my-value'] }, envelope({}, { my_key: 'my-value' }), false],
]);
from(recorded('nested_json_NEG'), [
  ['JSON inside a string is a string, not an object', { detail: { 'my-key': ['my-value'] } }, envelope('{"my-key": "my-value"}'), false],
]);
from(recorded('complex_multi_key'), [
  [
    'a repeated key in the pattern keeps its last value',
    '{"detail":{"location":[{"prefix":"us-"}],"location":[{"anything-but":"us-east"}]}}',
    d({ location: 'eu-central-1' }),
    true,
  ],
]);

// ---- null and empty values ----

const ASG_EVENT = envelope(
  { eventVersion: '', responseElements: null },
  { 'detail-type': 'EC2 Instance Launch Successful', source: 'aws.autoscaling' },
);
from(NULLS, [
  ['[""] matches an empty string', { detail: { eventVersion: [''] } }, ASG_EVENT, true],
  ['[null] matches null', { detail: { responseElements: [null] } }, ASG_EVENT, true],
  ['[""] does not match null (not interchangeable)', { detail: { responseElements: [''] } }, ASG_EVENT, false],
  ['[null] does not match an empty string', { detail: { eventVersion: [null] } }, ASG_EVENT, false],
  ['[null] does not match a missing field', { detail: { missing: [null] } }, ASG_EVENT, false],
  ['[""] does not match a missing field', { detail: { missing: [''] } }, ASG_EVENT, false],
  [
    '[null] does not match the string "null"',
    { detail: { responseElements: [null] } },
    d({ responseElements: 'null' }),
    false,
    { observed: recorded('null_value_NEG') },
  ],
  ['[null] does not match an empty array', { resources: [null] }, ASG_EVENT, false, { observed: recorded('arrays_empty_null_NEG') }],
]);
from(PATTERNS('Example events and event patterns > Field matching'), [
  [
    'the Auto Scaling example: responseElements is null',
    { source: ['aws.autoscaling'], 'detail-type': ['EC2 Instance Launch Successful'], detail: { responseElements: [null] } },
    ASG_EVENT,
    true,
  ],
]);

// ---- arrays ----

const RESOURCES_PATTERN = {
  resources: [
    'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
    'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f',
    'arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f',
  ],
};
const ASG_ARN =
  'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b-bbf0-401d-b893-d5978ed4a025:autoScalingGroupName/ASGTerminate';
from(ARRAYS, [
  [
    'pattern and event arrays intersect',
    RESOURCES_PATTERN,
    envelope({}, { resources: [ASG_ARN, 'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f'] }),
    true,
    { observed: recorded('arrays') },
  ],
  [
    'pattern and event arrays do not intersect',
    RESOURCES_PATTERN,
    envelope({}, { resources: [ASG_ARN] }),
    false,
    { observed: recorded('arrays_NEG') },
  ],
  ['an empty event array intersects nothing', RESOURCES_PATTERN, envelope({}, { resources: [] }), false],
  [
    'an empty pattern array is refused',
    { resources: [] },
    envelope({}),
    'Empty arrays are not allowed',
    { observed: recorded('arrays_empty_EXC') },
  ],
]);

const EMPLOYEES = {
  employees: [
    { firstName: 'John', lastName: 'Doe' },
    { firstName: 'Anna', lastName: 'Smith' },
    { firstName: 'Peter', lastName: 'Jones' },
  ],
};
const EMPLOYEES_NESTED = {
  employees: [
    [
      { firstName: 'John', lastName: 'Doe', ids: [1234, 1000, 9999] },
      { firstName: 'Anna', lastName: 'Smith' },
    ],
    [{ firstName: 'Peter', lastName: 'Jones', ids: [] }],
  ],
};
from(readme('JSON Array Matching'), [
  ['a pattern object matches an element of an array of objects', { employees: { firstName: ['Anna'] } }, EMPLOYEES, true],
  ['no element has the value', { employees: { firstName: ['Alice'] } }, EMPLOYEES, false],
  ['arrays nested in arrays are crushed too', { employees: { firstName: ['Peter'] } }, EMPLOYEES_NESTED, true],
  [
    'fields from different array elements do not combine (Anna/Jones)',
    { employees: { firstName: ['Anna'], lastName: ['Jones'] } },
    EMPLOYEES,
    false,
  ],
  [
    'fields from one element combine (Anna/Smith), nested arrays',
    { employees: { firstName: ['Anna'], lastName: ['Smith'] } },
    EMPLOYEES_NESTED,
    true,
  ],
  [
    'fields from different nested elements do not combine',
    { employees: { firstName: ['Anna'], lastName: ['Jones'] } },
    EMPLOYEES_NESTED,
    false,
  ],
  ['scalar arrays nested in arrays: any element matches', { matrix: [3] }, { matrix: [[1, 2], [3]] }, true],
  ['scalar arrays nested in arrays: no element matches', { matrix: [4] }, { matrix: [[1, 2], [3]] }, false],
  ['three levels of arrays', { deep: { id: ['x'] } }, { deep: [[[{ id: 'x' }]]] }, true],
]);
from(RULER_TEST('WHEN_JSONContainsArrays_THEN_RulerNoCompileMatchesWork'), [
  ['John has id 1000 in his own element', { employees: { firstName: ['John'], ids: [1000] } }, EMPLOYEES_NESTED, true],
  [
    'Anna has no ids: exists false holds in her element',
    { employees: { firstName: ['Anna'], ids: [{ exists: false }] } },
    EMPLOYEES_NESTED,
    true,
  ],
  ['Anna has no ids: exists true fails', { employees: { firstName: ['Anna'], ids: [{ exists: true }] } }, EMPLOYEES_NESTED, false],
  ["Anna has no ids: 1000 (John's) does not count", { employees: { firstName: ['Anna'], ids: [1000] } }, EMPLOYEES_NESTED, false],
  ['a value pattern does not match an array of objects', { employees: ['b'] }, EMPLOYEES_NESTED, false],
  ['an absent top-level field', { a: ['b'] }, EMPLOYEES_NESTED, false],
]);
from(recorded('list_within_dict'), [
  [
    'exists inside a pattern object, against an array of objects',
    { detail: { automations: { id: [{ exists: true }] } } },
    d({ automations: [{ key1: 'value1' }, { id: 'match-does-exist' }, { key2: 'value2' }] }),
    true,
  ],
]);
from(rulerSrc('src/test/resources/correctness-cases.json', 'primarray: numeric in array / anything-but in array'), [
  [
    'numeric against an array of numbers: one in range',
    { detail: { vals: [{ numeric: ['>', 0, '<', 10] }] } },
    d({ vals: [100, 5, 200] }),
    true,
  ],
  [
    'numeric against an array of numbers: none in range',
    { detail: { vals: [{ numeric: ['>', 0, '<', 10] }] } },
    d({ vals: [100, 50, 200] }),
    false,
  ],
  [
    'anything-but against an array: one element is not excluded',
    { detail: { tags: [{ 'anything-but': 'banned' }] } },
    d({ tags: ['banned', 'ok'] }),
    true,
  ],
  [
    'anything-but against an array: every element is excluded',
    { detail: { tags: [{ 'anything-but': 'banned' }] } },
    d({ tags: ['banned', 'banned'] }),
    false,
  ],
  ['prefix against an array of strings', { detail: { tags: [{ prefix: 'ad' }] } }, d({ tags: ['user', 'admin'] }), true],
]);

// ---- prefix / suffix ----

from(OPS('Prefix matching'), [
  ['time starts with 2017-10-02', { time: [{ prefix: '2017-10-02' }] }, envelope({}, { time: '2017-10-02T18:43:48Z' }), true],
  ['time does not start with 2017-10-02', { time: [{ prefix: '2017-10-02' }] }, envelope({}, { time: '2017-10-03T18:43:48Z' }), false],
  ['prefix is case-sensitive', { detail: { Region: [{ prefix: 'us-' }] } }, d({ Region: 'US-east-1' }), false],
  ['prefix matches strings only, not numbers', { detail: { n: [{ prefix: '25' }] } }, d({ n: 2500 }), false],
  ['prefix does not match a missing field', { detail: { Region: [{ prefix: 'us-' }] } }, d({}), false],
  [
    'an empty prefix matches every string',
    { source: [{ prefix: '' }] },
    envelope({ state: 'pending' }),
    true,
    { observed: recorded('content_prefix_empty') },
  ],
  ['an empty prefix does not match null', { detail: { v: [{ prefix: '' }] } }, d({ v: null }), false],
  [
    'prefix must be a string (number)',
    { time: [{ prefix: 123 }] },
    envelope({}),
    'prefix match pattern must be a string',
    { observed: recorded('content_prefix_int_EXC') },
  ],
  [
    'prefix must be a string (list)',
    { time: [{ prefix: ['2022-07-13'] }] },
    envelope({}),
    'prefix match pattern must be a string',
    { observed: recorded('content_prefix_list_EXC') },
  ],
]);
from(OPS('Comparison operators (table) > Begins with'), [
  ['Region is in the US', { detail: { Region: [{ prefix: 'us-' }] } }, d({ Region: 'us-east-1' }), true],
  ['Region is not in the US', { detail: { Region: [{ prefix: 'us-' }] } }, d({ Region: 'eu-west-1' }), false],
]);
from(OPS('Prefix matching while ignoring case'), [
  [
    'EventB matches EventBridge',
    { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } },
    d({ service: 'EventBridge' }),
    true,
  ],
  [
    'EventB matches EVENTBRIDGE',
    { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } },
    d({ service: 'EVENTBRIDGE' }),
    true,
  ],
  [
    'EventB matches eventbridge',
    { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } },
    d({ service: 'eventbridge' }),
    true,
  ],
  [
    'EventB does not match Lambda',
    { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } },
    d({ service: 'Lambda' }),
    false,
  ],
]);
from(COMPILER('processPrefixEqualsIgnoreCaseExpression'), [
  [
    'prefix equals-ignore-case must be a string',
    { detail: { s: [{ prefix: { 'equals-ignore-case': 1 } }] } },
    d({ s: 'x' }),
    'equals-ignore-case match pattern must be a string',
  ],
  [
    'prefix takes only equals-ignore-case inside',
    { detail: { s: [{ prefix: { suffix: 'x' } }] } },
    d({ s: 'x' }),
    'Unsupported prefix pattern: suffix',
  ],
  [
    'suffix takes only equals-ignore-case inside',
    { detail: { s: [{ suffix: { wildcard: 'x' } }] } },
    d({ s: 'x' }),
    'Unsupported suffix pattern: wildcard',
  ],
]);
from(OPS('Suffix matching'), [
  [
    'FileName ends with .png',
    { FileName: [{ suffix: '.png' }] },
    envelope({}, { FileName: 'image.png' }),
    true,
    { observed: recorded('content_suffix') },
  ],
  [
    'suffix is case-sensitive',
    { FileName: [{ suffix: '.PNG' }] },
    envelope({}, { FileName: 'image.png' }),
    false,
    { observed: recorded('content_suffix_NEG') },
  ],
  ['suffix does not match a number', { detail: { n: [{ suffix: '00' }] } }, d({ n: 2500 }), false],
  [
    'an empty suffix matches every string',
    { source: [{ suffix: '' }] },
    envelope({}),
    true,
    { observed: recorded('content_suffix_empty') },
  ],
  [
    'suffix must be a string (number)',
    { FileName: [{ suffix: 123 }] },
    envelope({}),
    'suffix match pattern must be a string',
    { observed: recorded('content_suffix_int_EXC') },
  ],
  [
    'suffix must be a string (list)',
    { FileName: [{ suffix: ['.png'] }] },
    envelope({}),
    'suffix match pattern must be a string',
    { observed: recorded('content_suffix_list_EXC') },
  ],
]);
from(OPS('Suffix matching while ignoring case'), [
  [
    '.png matches image.PNG',
    { detail: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } },
    d({ FileName: 'image.PNG' }),
    true,
    { observed: recorded('content_suffix_ignorecase') },
  ],
  [
    '.png does not match image.jpg',
    { detail: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } },
    d({ FileName: 'image.jpg' }),
    false,
    { observed: recorded('content_suffix_ignorecase_NEG') },
  ],
  [
    'tbridge matches EventBridge (table: Ends with, ignore case)',
    { detail: { service: [{ suffix: { 'equals-ignore-case': 'tbridge' } }] } },
    d({ service: 'EventBRIDGE' }),
    true,
  ],
]);

// ---- anything-but ----

from(OPS('Anything-but matching'), [
  [
    'anything-but a string: another value',
    { detail: { state: [{ 'anything-but': 'initializing' }] } },
    d({ state: 'running' }),
    true,
    { observed: recorded('content_anything_but_string') },
  ],
  [
    'anything-but a string: that value',
    { detail: { state: [{ 'anything-but': 'initializing' }] } },
    d({ state: 'initializing' }),
    false,
    { observed: recorded('content_anything_but_string_NEG') },
  ],
  [
    'anything-but needs the field to be there',
    { detail: { state: [{ 'anything-but': 'initializing' }] } },
    d({}),
    false,
    { observed: recorded('content_anything_but_string_missing_NEG') },
  ],
  [
    'anything-but matches a null value',
    { detail: { state: [{ 'anything-but': 'initializing' }] } },
    d({ state: null }),
    true,
    { observed: recorded('content_anything_but_string_null') },
  ],
  ['anything-but a string matches a number', { detail: { state: [{ 'anything-but': 'initializing' }] } }, d({ state: 12 }), true],
  [
    'anything-but a number: another number',
    { detail: { 'x-limit': [{ 'anything-but': 123 }] } },
    d({ 'x-limit': 456 }),
    true,
    { observed: recorded('content_anything_but_number') },
  ],
  [
    'anything-but a number: that number',
    { detail: { 'x-limit': [{ 'anything-but': 123 }] } },
    d({ 'x-limit': 123 }),
    false,
    { observed: recorded('content_anything_but_number_NEG') },
  ],
  [
    'anything-but 0',
    { detail: { 'x-limit': [{ 'anything-but': 0 }] } },
    d({ 'x-limit': 789 }),
    true,
    { observed: recorded('content_anything_but_number_zero') },
  ],
  [
    'anything-but a list of strings: another value',
    { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } },
    d({ state: 'running' }),
    true,
    { observed: recorded('content_anything_but_string_list') },
  ],
  [
    'anything-but a list of strings: a listed value',
    { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } },
    d({ state: 'stopped' }),
    false,
    { observed: recorded('content_anything_but_string_list_NEG') },
  ],
  [
    'anything-but a list matches null',
    { detail: { state: [{ 'anything-but': ['stopped', 'running'] }] } },
    d({ state: null }),
    true,
    { observed: recorded('content_anything_but_string_list_null') },
  ],
  [
    'anything-but a list needs the field',
    { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } },
    d({}),
    false,
    { observed: recorded('content_anything_but_string_list_missing_NEG') },
  ],
  [
    'anything-but a list of numbers: another number',
    { detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } },
    d({ 'x-limit': 150 }),
    true,
    { observed: recorded('content_anything_but_number_list') },
  ],
  [
    'anything-but a list of numbers: a listed number',
    { detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } },
    d({ 'x-limit': 200 }),
    false,
    { observed: recorded('content_anything_but_number_list_NEG') },
  ],
  [
    'anything-but a number compares by value (1.0e2 is 100)',
    '{"detail":{"x-limit":[{"anything-but":[100,200]}]}}',
    '{"detail":{"x-limit":1.0e2}}',
    false,
    { note: 'The guide does not say; event-ruler keeps anything-but numbers as comparable numbers, so 1.0e2 is excluded like 100.' },
  ],
  [
    'anything-but prefix: no such prefix',
    { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } },
    d({ state: 'post-init' }),
    true,
    { observed: recorded('content_anything_prefix') },
  ],
  [
    'anything-but prefix: has the prefix',
    { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } },
    d({ state: 'initializing' }),
    false,
    { observed: recorded('content_anything_prefix_NEG') },
  ],
  [
    'anything-but prefix matches a number',
    { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } },
    d({ state: 12 }),
    true,
    { observed: recorded('content_anything_prefix_int_value') },
  ],
  [
    'anything-but prefix matches null',
    { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } },
    d({ state: null }),
    true,
    { observed: recorded('content_anything_prefix_null') },
  ],
  [
    'anything-but prefix needs the field',
    { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } },
    d({}),
    false,
    { observed: recorded('content_anything_prefix_missing_NEG') },
  ],
  [
    'anything-but suffix: other extension',
    { detail: { FileName: [{ 'anything-but': { suffix: '.txt' } }] } },
    d({ FileName: 'file.txt.bak' }),
    true,
    { observed: recorded('content_anything_suffix') },
  ],
  [
    'anything-but suffix: that extension',
    { detail: { FileName: [{ 'anything-but': { suffix: '.txt' } }] } },
    d({ FileName: 'file.txt' }),
    false,
    { observed: recorded('content_anything_suffix_NEG') },
  ],
  [
    'anything-but suffix matches null',
    { detail: { FileName: [{ 'anything-but': { suffix: '.txt' } }] } },
    d({ FileName: null }),
    true,
    { observed: recorded('content_anything_suffix_null') },
  ],
  [
    'anything-but equals-ignore-case: another value',
    { detail: { state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] } },
    d({ state: 'pending' }),
    true,
    { observed: recorded('content_anything_but_ignorecase') },
  ],
  [
    'anything-but equals-ignore-case: same value, other case',
    { detail: { state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] } },
    d({ state: 'INITIALIZING' }),
    false,
    { observed: recorded('content_anything_but_ignorecase_NEG') },
  ],
  [
    'anything-but equals-ignore-case list: listed value, other case',
    { detail: { state: [{ 'anything-but': { 'equals-ignore-case': ['initializing', 'stopped'] } }] } },
    d({ state: 'Stopped' }),
    false,
    { observed: recorded('content_anything_but_ignorecase_list_NEG') },
  ],
  [
    'anything-but equals-ignore-case matches null',
    { detail: { state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] } },
    d({ state: null }),
    true,
    { observed: recorded('content_anything_but_ignorecase_null') },
  ],
  [
    'anything-but wildcard: path outside /lib/',
    { detail: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] } },
    d({ FilePath: '/usr/bin/tool' }),
    true,
  ],
  [
    'anything-but wildcard: path inside /lib/',
    { detail: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] } },
    d({ FilePath: '/usr/lib/tool' }),
    false,
  ],
  [
    'anything-but wildcard matches a number',
    { detail: { FilePath: [{ 'anything-but': { wildcard: '*/dir/*' } }] } },
    d({ FilePath: 123 }),
    true,
    { observed: recorded('content_anything_wildcard_int') },
  ],
  [
    'anything-but wildcard "" excludes only the empty string',
    { detail: { FilePath: [{ 'anything-but': { wildcard: '' } }] } },
    d({ FilePath: 'dir/init/file' }),
    true,
    { observed: recorded('content_anything_wildcard_empty') },
  ],
  [
    'anything-but wildcard needs the field',
    { detail: { FilePath: [{ 'anything-but': { wildcard: '*/init/*' } }] } },
    d({}),
    false,
    { observed: recorded('content_anything_wildcard_missing_NEG') },
  ],
]);
from(readme('Anything-but matching'), [
  [
    'anything-but prefix list: neither prefix',
    { detail: { state: [{ 'anything-but': { prefix: ['init', 'error'] } }] } },
    d({ state: 'running' }),
    true,
  ],
  [
    'anything-but prefix list: second prefix',
    { detail: { state: [{ 'anything-but': { prefix: ['init', 'error'] } }] } },
    d({ state: 'error-3' }),
    false,
  ],
  [
    'anything-but suffix list: neither suffix',
    { detail: { 'instance-id': [{ 'anything-but': { suffix: ['1234', '6789'] } }] } },
    d({ 'instance-id': 'i-5555' }),
    true,
  ],
  [
    'anything-but suffix list: second suffix',
    { detail: { 'instance-id': [{ 'anything-but': { suffix: ['1234', '6789'] } }] } },
    d({ 'instance-id': 'i-6789' }),
    false,
  ],
  [
    'anything-but-ignore-case list: other case of a listed value',
    { detail: { state: [{ 'anything-but': { 'equals-ignore-case': ['Stopped', 'OverLoaded'] } }] } },
    d({ state: 'overloaded' }),
    false,
  ],
  [
    'anything-but-ignore-case list: another value',
    { detail: { state: [{ 'anything-but': { 'equals-ignore-case': ['Stopped', 'OverLoaded'] } }] } },
    d({ state: 'running' }),
    true,
  ],
  [
    'anything-but wildcard list: a .class under bin',
    { detail: { state: [{ 'anything-but': { wildcard: ['*/bin/*.jar', '*/bin/*.class'] } }] } },
    d({ state: '/usr/bin/app.class' }),
    false,
  ],
  [
    'anything-but wildcard list: a .py under bin',
    { detail: { state: [{ 'anything-but': { wildcard: ['*/bin/*.jar', '*/bin/*.class'] } }] } },
    d({ state: '/usr/bin/app.py' }),
    true,
  ],
]);
from(COMPILER('processMatchExpression > anything-but'), [
  [
    'anything-but null is refused',
    { detail: { state: [{ 'anything-but': null }] } },
    d({ state: null }),
    'Value of anything-but must be an array or single string/number value.',
    { observed: recorded('content_anything_but_string_null_type_EXC') },
  ],
  [
    'anything-but true is refused',
    { detail: { state: [{ 'anything-but': true }] } },
    d({ state: 'x' }),
    'Value of anything-but must be an array or single string/number value.',
  ],
  [
    'anything-but list with null is refused',
    { detail: { state: [{ 'anything-but': ['stopped', null] }] } },
    d({ state: 'x' }),
    'Inside anything but list, start|null|boolean is not supported.',
    { observed: recorded('content_anything_but_string_list_null_type_EXC') },
  ],
  [
    'anything-but list mixing strings and numbers is refused',
    { detail: { state: [{ 'anything-but': ['a', 1] }] } },
    d({ state: 'x' }),
    'Inside anything but list, either all values are number or string, mixed type is not supported',
  ],
  [
    'anything-but empty list is refused',
    { detail: { state: [{ 'anything-but': [] }] } },
    d({ state: 'x' }),
    'Inside anything but list, either all values are number or string, mixed type is not supported',
  ],
  [
    'anything-but prefix must be a string',
    { detail: { state: [{ 'anything-but': { prefix: 123 } }] } },
    d({ state: 'x' }),
    'prefix/suffix match pattern must be a string',
    { observed: recorded('content_anything_prefix_int_EXC') },
  ],
  [
    'anything-but prefix list must hold strings',
    { detail: { state: [{ 'anything-but': { prefix: [123, 'test'] } }] } },
    d({ state: 'x' }),
    'prefix/suffix match pattern must be a string',
    { observed: recorded('content_anything_prefix_list_type_EXC') },
  ],
  [
    'anything-but suffix list must hold strings (null)',
    { detail: { FileName: [{ 'anything-but': { suffix: [null, '.txt'] } }] } },
    d({ FileName: 'x' }),
    'prefix/suffix match pattern must be a string',
    { observed: recorded('content_anything_suffix_list_null_type_EXC') },
  ],
  [
    'anything-but prefix "" is refused',
    { detail: { FileName: [{ 'anything-but': { prefix: '' } }] } },
    d({ FileName: 'x' }),
    'Null prefix/suffix not allowed',
    { observed: recorded('content_anything_prefix_empty_EXC') },
  ],
  [
    'anything-but suffix "" is refused',
    { detail: { FileName: [{ 'anything-but': { suffix: '' } }] } },
    d({ FileName: 'x' }),
    'Null prefix/suffix not allowed',
    { observed: recorded('content_anything_suffix_empty_EXC') },
  ],
  [
    'anything-but prefix with equals-ignore-case inside is refused',
    { detail: { FileName: [{ 'anything-but': { prefix: { 'equals-ignore-case': 'file' } } }] } },
    d({ FileName: 'x' }),
    'Value of anything-but must be an array or single string/number value.',
    { observed: recorded('content_anything_prefix_ignorecase_EXC') },
  ],
  [
    'anything-but equals-ignore-case must be a string',
    { detail: { state: [{ 'anything-but': { 'equals-ignore-case': 123 } }] } },
    d({ state: 'x' }),
    'Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.',
    { observed: recorded('content_anything_but_ignorecase_EXC') },
  ],
  [
    'anything-but equals-ignore-case list must hold strings',
    { detail: { state: [{ 'anything-but': { 'equals-ignore-case': [123, 456] } }] } },
    d({ state: 'x' }),
    'Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.',
    { observed: recorded('content_anything_but_ignorecase_list_EXC') },
  ],
  [
    'anything-but wildcard must be a string',
    { detail: { FilePath: [{ 'anything-but': { wildcard: 123 } }] } },
    d({ FilePath: 'x' }),
    'wildcard match pattern must be a string',
    { observed: recorded('content_anything_wildcard_type_EXC') },
  ],
  [
    'anything-but takes no numeric',
    { detail: { n: [{ 'anything-but': { numeric: ['>', 1] } }] } },
    d({ n: 1 }),
    'Unsupported anything-but pattern: numeric',
  ],
  [
    'anything-but wildcard follows the wildcard rules',
    { detail: { p: [{ 'anything-but': { wildcard: 'a**' } }] } },
    d({ p: 'x' }),
    'Consecutive wildcard characters at pos 2',
  ],
]);

// ---- numeric ----

const RULER_EVENT = envelope(
  { 'c-count': 5, 'd-count': 3, 'x-limit': 301.8, 'source-ip': '10.0.0.33', 'instance-id': 'i-000000aaaaaa00000', state: 'running' },
  {
    'detail-type': 'EC2 Instance State-change Notification',
    source: 'aws.ec2',
    time: '2017-10-02T16:24:49Z',
    resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000'],
  },
);
const NUMERIC_EXAMPLE =
  '{"detail":{"c-count":[{"numeric":[">",0,"<=",5]}],"d-count":[{"numeric":["<",10]}],"x-limit":[{"numeric":["=",3.018e2]}]}}';
from(OPS('Numeric matching'), [
  ['all three numeric conditions hold', NUMERIC_EXAMPLE, RULER_EVENT, true, { observed: recorded('content_numeric_and') }],
  [
    'c-count outside (0, 5]',
    NUMERIC_EXAMPLE,
    { ...RULER_EVENT, detail: { ...RULER_EVENT.detail, 'c-count': 42 } },
    false,
    { observed: recorded('content_numeric_and_NEG') },
  ],
  ['> 0 excludes 0', { detail: { c: [{ numeric: ['>', 0, '<=', 5] }] } }, d({ c: 0 }), false],
  ['<= 5 includes 5', { detail: { c: [{ numeric: ['>', 0, '<=', 5] }] } }, d({ c: 5 }), true],
  ['< 10 excludes 10', { detail: { c: [{ numeric: ['<', 10] }] } }, d({ c: 10 }), false],
  ['= 3.018e2 matches 301.8 (numbers compared by value)', '{"detail":{"x":[{"numeric":["=",3.018e2]}]}}', '{"detail":{"x":301.8}}', true],
  ['= 300 matches 3.0e2', '{"detail":{"x":[{"numeric":["=",300]}]}}', '{"detail":{"x":3.0e2}}', true],
  ['>= 200, < 500: 200 is in', { detail: { x: [{ numeric: ['>=', 200, '<', 500] }] } }, d({ x: 200 }), true],
  ['>= 200, < 500: 500 is out', { detail: { x: [{ numeric: ['>=', 200, '<', 500] }] } }, d({ x: 500 }), false],
  ['negative and fractional bounds', { detail: { x: [{ numeric: ['>=', -10.5, '<', 0] }] } }, d({ x: -3.25 }), true],
  ['> 100 matches 101.0', '{"number":[{"numeric":[">",100]}]}', '{"number":101.0}', true, { observed: recorded('numeric-int-float') }],
  [
    'numeric does not match a numeric string',
    { number: [{ numeric: ['>', 100] }] },
    envelope({}, { number: '300' }),
    false,
    { observed: recorded('numeric-string_NEG') },
  ],
  [
    'numeric does not match null',
    { number: [{ numeric: ['>', 100] }] },
    envelope({}, { number: null }),
    false,
    { observed: recorded('numeric-null_NEG') },
  ],
  ['numeric does not match a missing field', { number: [{ numeric: ['>', 100] }] }, envelope({}), false],
]);
from(COMPILER('processNumericMatchExpression'), [
  [
    'two lower bounds are refused',
    { detail: { c: [{ numeric: ['>', 0, '>', 0] }] } },
    d({ c: 3 }),
    'Bad numeric range operator: >',
    { observed: recorded('content_numeric_EXC') },
  ],
  [
    'a bound without a value is refused',
    { detail: { c: [{ numeric: ['>', 0, '<'] }] } },
    d({ c: 3 }),
    'Value of < must be numeric',
    { observed: recorded('content_numeric_syntax_EXC') },
  ],
  [
    'numeric must be an array',
    { detail: { c: [{ numeric: 10 }] } },
    d({ c: 3 }),
    'Value of numeric must be an array.',
    { observed: recorded('content_numeric_number_EXC') },
  ],
  [
    'operators are case-sensitive (NUMERIC)',
    { detail: { equal: [{ NUMERIC: ['=', 5] }] } },
    d({ equal: 5 }),
    'Unrecognized match type NUMERIC',
    { observed: recorded('content_numeric_operatorcasing_EXC') },
  ],
  [
    'the lower bound comes first',
    { detail: { c: [{ numeric: ['<', 10, '>', 0] }] } },
    d({ c: 3 }),
    'Too many elements in numeric expression',
  ],
  ['an empty range is refused', { detail: { c: [{ numeric: ['>', 10, '<', 5] }] } }, d({ c: 3 }), 'Bottom must be less than top'],
  ['equals takes a number', { detail: { c: [{ numeric: ['=', '5'] }] } }, d({ c: 5 }), 'Value of equals must be numeric'],
  ['an unknown comparison is refused', { detail: { c: [{ numeric: ['~', 1] }] } }, d({ c: 1 }), 'Unrecognized numeric range operator: ~'],
  ['an empty numeric array is refused', { detail: { c: [{ numeric: [] }] } }, d({ c: 1 }), 'Invalid member in numeric match: ]'],
  ['the comparison comes before its value', { detail: { c: [{ numeric: [1, '>'] }] } }, d({ c: 1 }), 'Invalid member in numeric match: 1'],
  [
    'a range takes four terms at most',
    { detail: { c: [{ numeric: ['>', 0, '<=', 5, '<', 3] }] } },
    d({ c: 1 }),
    'Too many terms in numeric range expression',
  ],
  [
    'a number a double cannot hold exactly is refused',
    '{"detail":{"c":[{"numeric":[">",0.30000000000000001]}]}}',
    d({ c: 1 }),
    'Cannot compare number : 0.30000000000000001',
  ],
]);

// ---- IP address matching ----

from(OPS('IP address matching'), [
  [
    'IPv4 inside 10.0.0.0/24',
    { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/24' }] } },
    d({ sourceIPAddress: '10.0.0.255' }),
    true,
    { observed: recorded('content_ip_address') },
  ],
  ['IPv4 outside 10.0.0.0/24', { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/24' }] } }, d({ sourceIPAddress: '10.0.1.1' }), false],
  [
    'not an IP address (10.0.0.256)',
    { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/24' }] } },
    d({ sourceIPAddress: '10.0.0.256' }),
    false,
    { observed: recorded('content_ip_address_NEG') },
  ],
  [
    'a number is not an IP address',
    { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/24' }] } },
    d({ sourceIPAddress: 123 }),
    false,
    { observed: recorded('content_ip_address_bad_type_NEG') },
  ],
  [
    'IPv6 inside 2001:db8:1234:1a00::/64 (full form)',
    { detail: { sourceIPAddress: [{ cidr: '2001:db8:1234:1a00::/64' }] } },
    d({ sourceIPAddress: '2001:0db8:1234:1a00:0000:0000:0000:0000' }),
    true,
    { observed: recorded('content_ip_address_v6') },
  ],
  [
    'IPv6 inside, compressed form',
    { detail: { sourceIPAddress: [{ cidr: '2001:db8:1234:1a00::/64' }] } },
    d({ sourceIPAddress: '2001:db8:1234:1a00:ffff::1' }),
    true,
  ],
  [
    'IPv6 outside the /64',
    { detail: { sourceIPAddress: [{ cidr: '2001:db8:1234:1a00::/64' }] } },
    d({ sourceIPAddress: '2001:0db8:123f:1a01:0000:0000:0000:0000' }),
    false,
    { observed: recorded('content_ip_address_v6_NEG') },
  ],
  ['an IPv6 address is not in an IPv4 block', { detail: { ip: [{ cidr: '10.0.0.0/8' }] } }, d({ ip: '2001:db8::1' }), false],
  [
    'cidr with no "/" is refused',
    { detail: { sourceIPAddress: [{ cidr: 'bad-filter' }] } },
    d({}),
    "Malformed CIDR, one '/' required",
    { observed: recorded('content_ip_address_EXC') },
  ],
  [
    'cidr with a bad address is refused',
    { detail: { sourceIPAddress: [{ cidr: 'xx.11.xx/8' }] } },
    d({}),
    'Nonstandard IP address: xx.11.xx',
    { observed: recorded('content_ip_address_bad_ip_EXC') },
  ],
  [
    'cidr with bad mask bits is refused',
    { detail: { sourceIPAddress: [{ cidr: 'bad-/64filter' }] } },
    d({}),
    'Malformed CIDR, mask bits must be an integer',
    { observed: recorded('content_ip_address_bad_mask_EXC') },
  ],
  [
    'cidr must be a string (AWS says "prefix")',
    { detail: { sourceIPAddress: [{ cidr: ['bad-type'] }] } },
    d({}),
    'prefix match pattern must be a string',
    { observed: recorded('content_ip_address_type_EXC') },
  ],
  [
    'cidr with a bad IPv6 address is refused',
    { detail: { sourceIPAddress: [{ cidr: 'xxxx:db8:1234:1a00::/64' }] } },
    d({}),
    'Nonstandard IP address: xxxx:db8:1234:1a00::',
    { observed: recorded('content_ip_address_v6_bad_ip_EXC') },
  ],
]);
from(readme('IP Address Matching'), [
  [
    'the README complex example (source-ip in 10.0.0.0/8)',
    {
      time: [{ prefix: '2017-10-02' }],
      detail: {
        state: [{ 'anything-but': 'initializing' }],
        'c-count': [{ numeric: ['>', 0, '<=', 5] }],
        'd-count': [{ numeric: ['<', 10] }],
        'x-limit': [{ 'anything-but': [100, 200, 300] }],
        'source-ip': [{ cidr: '10.0.0.0/8' }],
      },
    },
    RULER_EVENT,
    true,
  ],
  ['IPv4 10.0.0.33 is in 10.0.0.0/24', { detail: { 'source-ip': [{ cidr: '10.0.0.0/24' }] } }, RULER_EVENT, true],
]);
from(CIDR_SRC, [
  ['IPv4 mask bits above 31 are refused', { detail: { ip: [{ cidr: '10.0.0.0/33' }] } }, d({}), 'IPv4 mask bits must be < 32'],
  [
    'negative mask bits are refused',
    { detail: { ip: [{ cidr: '10.0.0.0/-1' }] } },
    d({}),
    'Malformed CIDR, mask bits must not be negative',
  ],
  ['IPv6 mask bits above 127 are refused', { detail: { ip: [{ cidr: '2001:db8::/129' }] } }, d({}), 'IPv6 mask bits must be < 128'],
  ['an address-like but invalid base is refused', { detail: { ip: [{ cidr: '10.0.0.300/8' }] } }, d({}), 'Invalid IP address: 10.0.0.300'],
]);

// ---- exists ----

const C_COUNT_FALSE = { detail: { 'c-count': [{ exists: false }] } };
from(OPS('Exists matching'), [
  ['exists false: the field is absent', C_COUNT_FALSE, d({ state: 'initializing' }), true],
  [
    'exists false: c-count is not a leaf (an object), so it matches',
    C_COUNT_FALSE,
    d({ state: 'initializing', 'c-count': { c1: 100 } }),
    true,
  ],
  ['exists false: the field has a value', C_COUNT_FALSE, d({ 'c-count': 5 }), false],
  [
    'exists true: the field has a value',
    { detail: { state: [{ exists: true }] } },
    d({ 'instance-id': 'i-abcd1111', state: 'pending' }),
    true,
    { observed: recorded('content_exists') },
  ],
  ['exists true: the field is absent', { detail: { state: [{ exists: true }] } }, d({ 'c-count': 1 }), false],
  [
    'exists true: an object is not a leaf',
    { detail: { 'c-count': [{ exists: true }] } },
    d({ 'c-count': { c1: 100 } }),
    false,
    { observed: recorded('content_exists_NEG') },
  ],
  [
    'exists false under a missing parent',
    { detail: { level1: { 'level2:': { level3: { level4: [{ exists: false }] } } } } },
    d({ level1: { level2: 'l2 value' } }),
    true,
    { observed: recorded('content_exists_false') },
  ],
  [
    'exists false: the deep leaf is there',
    { detail: { level1: { level2: { level3: { level4: [{ exists: false }] } } } } },
    d({ level1: { level2: { level3: { level4: 'l4 value' } } } }),
    false,
    { observed: recorded('content_exists_false_NEG') },
  ],
  [
    'exists true on an empty array: no value is there',
    { resources: [{ exists: true }] },
    ASG_EVENT,
    false,
    { observed: recorded('exists_list_empty_NEG') },
  ],
  ['exists false on an empty array', { resources: [{ exists: false }] }, ASG_EVENT, true],
  ['exists true on null: null is a value', { detail: { responseElements: [{ exists: true }] } }, ASG_EVENT, true],
  ['exists false on null', { detail: { responseElements: [{ exists: false }] } }, ASG_EVENT, false],
  [
    'exists true on a leaf under DynamoDB attribute types',
    { dynamodb: { presentKey: { S: [{ exists: true }] } } },
    { dynamodb: { id: { S: 'test1234' }, presentKey: { S: 'test123' } } },
    true,
    { observed: recorded('exists_dynamodb') },
  ],
  [
    'exists true on the attribute object itself',
    { dynamodb: { presentKey: [{ exists: true }] } },
    { dynamodb: { id: { S: 'test1234' }, presentKey: { S: 'test123' } } },
    false,
    { observed: recorded('exists_dynamodb_NEG') },
  ],
  [
    'exists with other operators in one list (any may match)',
    { my_key: [{ exists: true }, { prefix: 'IGNORED' }, { suffix: 'IGNORED' }] },
    envelope({}, { my_key: 'my-value' }),
    true,
    { observed: recorded('operator_multiple_list') },
  ],
  [
    'anything-but or exists false: field absent',
    { dynamodb: { NewImage: { homemade: { S: [{ 'anything-but': ['roses'] }, { exists: false }] } } } },
    { dynamodb: { NewImage: { homemade: { N: '789' } } } },
    true,
    { observed: recorded('or-exists') },
  ],
  [
    'anything-but or exists false: parent absent',
    { dynamodb: { NewImage: { homemade: { S: [{ 'anything-but': ['roses'] }, { exists: false }] } } } },
    { dynamodb: { NewImage: { purchased: { N: '789' } } } },
    true,
    { observed: recorded('or-exists-parent') },
  ],
  [
    'exists must be true or false',
    { detail: { s: [{ exists: 'true' }] } },
    d({ s: 1 }),
    'exists match pattern must be either true or false.',
  ],
  [
    'operators are case-sensitive (EXISTS)',
    { my_key: [{ EXISTS: true }] },
    envelope({}, { my_key: 'my-value' }),
    'Unrecognized match type EXISTS',
    { observed: recorded('operator_case_sensitive_EXC') },
  ],
]);

// ---- equals-ignore-case ----

from(OPS('Equals-ignore-case matching'), [
  [
    'detail-type in another case',
    { 'detail-type': [{ 'equals-ignore-case': 'ec2 instance state-change notification' }] },
    EC2_EVENT,
    true,
    { observed: recorded('content_ignorecase') },
  ],
  [
    'a different detail-type',
    { 'detail-type': [{ 'equals-ignore-case': 'I do not match' }] },
    EC2_EVENT,
    false,
    { observed: recorded('content_ignorecase_NEG') },
  ],
  [
    'Name is "alice" in any case (table: Equals, ignore case)',
    { detail: { Name: [{ 'equals-ignore-case': 'alice' }] } },
    d({ Name: 'ALICE' }),
    true,
  ],
  [
    'equals-ignore-case matches whole strings, not prefixes',
    { detail: { Name: [{ 'equals-ignore-case': 'alice' }] } },
    d({ Name: 'Alice Smith' }),
    false,
  ],
  ['equals-ignore-case does not match a number', { detail: { n: [{ 'equals-ignore-case': '5' }] } }, d({ n: 5 }), false],
  [
    'equals-ignore-case "" matches an empty string',
    { detail: { value: [{ 'equals-ignore-case': '' }] } },
    d({ value: '' }),
    true,
    { observed: recorded('content_ignorecase_empty') },
  ],
  [
    'equals-ignore-case "" does not match a value',
    { detail: { value: [{ 'equals-ignore-case': '' }] } },
    d({ value: 'test-value' }),
    false,
    { observed: recorded('content_ignorecase_empty_NEG') },
  ],
  [
    'equals-ignore-case must be a string (list)',
    { 'detail-type': [{ 'equals-ignore-case': ['ec2 instance state-change notification'] }] },
    EC2_EVENT,
    'equals-ignore-case match pattern must be a string',
    { observed: recorded('content_ignorecase_EXC') },
  ],
  [
    'equals-ignore-case must be a string (object)',
    { 'detail-type': [{ 'equals-ignore-case': { prefix: 'ec2' } }] },
    EC2_EVENT,
    'equals-ignore-case match pattern must be a string',
    { observed: recorded('content_ignorecase_list_EXC') },
  ],
]);

// ---- wildcard ----

const BUS_ARN = 'arn:aws:events:us-east-1:123456789012:event-bus/myEventBus';
const DEEP_DOC = '/Users/ls_user/dir/dir/dir/dir/dir/doc.txt';
from(OPS('Wildcard matching'), [
  [
    'the simplified event bus ARN pattern',
    { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] },
    envelope({}, { EventBusArn: BUS_ARN }),
    true,
    { observed: recorded('content_wildcard_simplified') },
  ],
  [
    'the simplified pattern, another Region',
    { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] },
    envelope({}, { EventBusArn: BUS_ARN.replace('us-east-1', 'eu-west-1') }),
    false,
  ],
  [
    '/Users/*/doc.txt matches a deep path',
    { FileName: [{ wildcard: '/Users/*/doc.txt' }] },
    envelope({}, { FileName: DEEP_DOC }),
    true,
    { observed: recorded('content_wildcard_nonrepeating') },
  ],
  [
    '/Users/*/doc.txt does not match notmatchingdoc.txt',
    { FileName: [{ wildcard: '/Users/*/doc.txt' }] },
    envelope({}, { FileName: '/Users/ls_user/dir/dir/dir/dir/dir/notmatchingdoc.txt' }),
    false,
    { observed: recorded('content_wildcard_nonrepeating_NEG') },
  ],
  [
    'repeating sequences after a wildcard still match',
    { FileName: [{ wildcard: '/Users/*/dir/dir/dir/dir/dir/doc.txt' }] },
    envelope({}, { FileName: DEEP_DOC }),
    true,
    { observed: recorded('content_wildcard_repeating') },
  ],
  [
    'repeating sequences: one segment differs',
    { FileName: [{ wildcard: '/Users/*/dir/dir/dir/dir/dir/doc.txt' }] },
    envelope({}, { FileName: '/Users/ls_user/dir/dir/dir/dir/otherdir/doc.txt' }),
    false,
    { observed: recorded('content_wildcard_repeating_NEG') },
  ],
  [
    'a .png file under dir (table: Wildcard)',
    { detail: { FileName: [{ wildcard: 'dir/*.png' }] } },
    d({ FileName: 'dir/photo.png' }),
    true,
  ],
  ['a .png file elsewhere', { detail: { FileName: [{ wildcard: 'dir/*.png' }] } }, d({ FileName: 'other/photo.png' }), false],
  ['\\* is a literal star', { detail: { v: [{ wildcard: 'value\\*end' }] } }, d({ v: 'value*end' }), true],
  ['\\* does not match other characters', { detail: { v: [{ wildcard: 'value\\*end' }] } }, d({ v: 'valueXend' }), false],
  ['\\\\ is a literal backslash', { detail: { v: [{ wildcard: 'C:\\\\*' }] } }, d({ v: 'C:\\temp' }), true],
  ['\\\\ needs a backslash in the value', { detail: { v: [{ wildcard: 'C:\\\\*' }] } }, d({ v: 'C:/temp' }), false],
  ['\\\\ then * : a backslash, then anything', { detail: { v: [{ wildcard: '\\\\*' }] } }, d({ v: '\\*literal' }), true],
  ['an escaped star and a wildcard together', { detail: { v: [{ wildcard: '\\**' }] } }, d({ v: '*.txt' }), true],
  ['an escaped star needs a star in the value', { detail: { v: [{ wildcard: '\\**' }] } }, d({ v: 'a.txt' }), false],
  [
    'consecutive wildcards are refused',
    { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:**:event-bus/*' }] },
    envelope({}),
    'Consecutive wildcard characters at pos 26',
    { observed: recorded('content_wildcard_repeating_star_EXC') },
  ],
  [
    'the too complex event bus ARN pattern is refused',
    { EventBusArn: [{ wildcard: '*:*:*:*:*:event-bus/*' }] },
    envelope({}, { EventBusArn: BUS_ARN }),
    'Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character',
    { observed: recorded('content_wildcard_complex_EXC') },
  ],
  [
    'wildcard must be a string (number)',
    { EventBusArn: [{ wildcard: 123 }] },
    envelope({}),
    'wildcard match pattern must be a string',
    { observed: recorded('content_wildcard_int_EXC') },
  ],
  [
    'wildcard must be a string (list)',
    { EventBusArn: [{ wildcard: ['arn:aws:events:us-east-1:**:event-bus/*'] }] },
    envelope({}),
    'wildcard match pattern must be a string',
    { observed: recorded('content_wildcard_list_EXC') },
  ],
  [
    'an empty wildcard matches only an empty string',
    { EventBusArn: [{ wildcard: '' }] },
    envelope({}, { EventBusArn: BUS_ARN }),
    false,
    { observed: recorded('content_wildcard_empty_NEG') },
  ],
]);
from(readme('Wildcard matching'), [
  [
    'Simple*Service matches SimpleQueueService',
    { source: [{ wildcard: 'Simple*Service' }] },
    envelope({}, { source: 'SimpleQueueService' }),
    true,
  ],
  [
    'a wildcard may match nothing (SimpleService)',
    { source: [{ wildcard: 'Simple*Service' }] },
    envelope({}, { source: 'SimpleService' }),
    true,
  ],
  [
    'Simple*Service does not match Simple Notification',
    { source: [{ wildcard: 'Simple*Service' }] },
    envelope({}, { source: 'Simple Notification' }),
    false,
  ],
  ['wildcard is case-sensitive', { source: [{ wildcard: 'simple*' }] }, envelope({}, { source: 'SimpleQueueService' }), false],
  ['* matches any string', { source: [{ wildcard: '*' }] }, envelope({}), true],
  ['* matches the empty string', { detail: { v: [{ wildcard: '*' }] } }, d({ v: '' }), true],
  ['other characters are literal (.)', { detail: { v: [{ wildcard: 'ord.1*' }] } }, d({ v: 'ord-123' }), false],
  ['wildcard matches strings only', { detail: { v: [{ wildcard: '1*' }] } }, d({ v: 123 }), false],
  ['wildcard does not match null', { detail: { v: [{ wildcard: '*' }] } }, d({ v: null }), false],
]);
from(WILDCARD_SRC, [
  [
    'a backslash before another character is refused',
    { detail: { v: [{ wildcard: 'a\\b' }] } },
    d({}),
    'Invalid escape character at pos 2',
  ],
  ['a trailing backslash is refused', { detail: { v: [{ wildcard: 'ab\\' }] } }, d({}), 'Invalid escape character at pos 3'],
  ['positions count UTF-8 bytes', { detail: { v: [{ wildcard: 'é**' }] } }, d({}), 'Consecutive wildcard characters at pos 3'],
]);

// ---- $or ----

const OR_EXAMPLE =
  '{"detail":{"$or":[{"c-count":[{"numeric":[">",0,"<=",5]}]},{"d-count":[{"numeric":["<",10]}]},{"x-limit":[{"numeric":["=",3.018e2]}]}]}}';
from(OPS('Complex example with $or matching'), [
  [
    'one alternative holds (d-count < 10)',
    OR_EXAMPLE,
    d({ 'c-count': 0, 'd-count': 0, 'x-limit': 901.8 }),
    true,
    { observed: recorded('complex_or') },
  ],
  [
    'no alternative holds',
    OR_EXAMPLE,
    d({ 'c-count': 0, 'd-count': 10, 'x-limit': 901.8 }),
    false,
    { observed: recorded('complex_or_NEG') },
  ],
  ['the third alternative holds (x-limit = 301.8)', OR_EXAMPLE, d({ 'c-count': 0, 'd-count': 10, 'x-limit': 301.8 }), true],
]);
from(OPS('Comparison operators (table) > Or (multiple fields)'), [
  [
    'Location is New York or Day is Monday: Day',
    { $or: [{ Location: ['New York'] }, { Day: ['Monday'] }] },
    envelope({}, { Location: 'Boston', Day: 'Monday' }),
    true,
  ],
  [
    'Location is New York or Day is Monday: neither',
    { $or: [{ Location: ['New York'] }, { Day: ['Monday'] }] },
    envelope({}, { Location: 'Boston', Day: 'Tuesday' }),
    false,
  ],
  [
    'And: Location is New York and Day is Monday',
    { Location: ['New York'], Day: ['Monday'] },
    envelope({}, { Location: 'New York', Day: 'Tuesday' }),
    false,
  ],
  ['Or (one field): PaymentType is Credit or Debit', { PaymentType: ['Credit', 'Debit'] }, envelope({}, { PaymentType: 'Debit' }), true],
]);
const CW = (d2: Record<string, unknown>) => ({ source: 'aws.cloudwatch', ...d2 });
const NESTED_OR = {
  source: ['aws.cloudwatch'],
  $or: [
    { metricName: ['CPUUtilization', 'ReadLatency'] },
    { metricType: ['MetricType'], namespace: ['AWS/EC2', 'AWS/ES'], $or: [{ metricId: [1234] }, { spaceId: [1000] }] },
    { scope: ['Service'] },
  ],
};
from(readme('The "$or" Primitive'), [
  [
    'source and (metricName or namespace): namespace',
    { source: ['aws.cloudwatch'], $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }] },
    CW({ namespace: 'AWS/ES' }),
    true,
  ],
  [
    'source and (metricName or namespace): wrong source',
    { source: ['aws.cloudwatch'], $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }] },
    { source: 'aws.ec2', namespace: 'AWS/ES' },
    false,
  ],
  [
    'source and (metricName or namespace): neither',
    { source: ['aws.cloudwatch'], $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }] },
    CW({ metricName: 'Other', namespace: 'AWS/S3' }),
    false,
  ],
  [
    'parallel $or at two levels: both hold',
    {
      $or: [{ metricName: ['CPUUtilization'] }, { namespace: ['AWS/EC2'] }],
      detail: { $or: [{ source: ['aws.cloudwatch'] }, { 'detail-type': ['CloudWatch Alarm State Change'] }] },
    },
    { namespace: 'AWS/EC2', detail: { 'detail-type': 'CloudWatch Alarm State Change' } },
    true,
  ],
  [
    'parallel $or at two levels: the inner fails',
    {
      $or: [{ metricName: ['CPUUtilization'] }, { namespace: ['AWS/EC2'] }],
      detail: { $or: [{ source: ['aws.cloudwatch'] }, { 'detail-type': ['CloudWatch Alarm State Change'] }] },
    },
    { namespace: 'AWS/EC2', detail: { source: 'aws.ec2' } },
    false,
  ],
  [
    'an "and" inside "or": both parts hold',
    {
      source: ['aws.cloudwatch'],
      $or: [{ metricName: ['CPUUtilization'] }, { metricType: ['MetricType'], namespace: ['AWS/EC2', 'AWS/ES'] }, { scope: ['Service'] }],
    },
    CW({ metricType: 'MetricType', namespace: 'AWS/EC2' }),
    true,
  ],
  [
    'an "and" inside "or": one part missing',
    {
      source: ['aws.cloudwatch'],
      $or: [{ metricName: ['CPUUtilization'] }, { metricType: ['MetricType'], namespace: ['AWS/EC2', 'AWS/ES'] }, { scope: ['Service'] }],
    },
    CW({ metricType: 'MetricType' }),
    false,
  ],
  ['nested "or" and "and": spaceId 1000', NESTED_OR, CW({ metricType: 'MetricType', namespace: 'AWS/ES', spaceId: 1000 }), true],
  ['nested "or" and "and": neither id', NESTED_OR, CW({ metricType: 'MetricType', namespace: 'AWS/ES', spaceId: 1 }), false],
  ['nested "or" and "and": scope alone', NESTED_OR, CW({ scope: 'Service' }), true],
]);
from(COMPILER('parseIntoOrRelationship'), [
  [
    '$or needs at least two objects',
    { $or: [{ metricName: ['CPUUtilization'] }] },
    { metricName: 'CPUUtilization' },
    'There must have at least 2 Objects in $or relationship.',
    {
      note: 'event-ruler\'s README says such a rule treats "$or" as a plain field name; that is its legacy compiler (Machine.addRule falls back to it). JsonRuleCompiler, which the README\'s own validation example uses, refuses it.',
    },
  ],
  [
    '$or must be an array',
    { source: ['a'], $or: { metricType: ['MetricType'] } },
    { source: 'a' },
    'It must be an Array followed with $or.',
    { note: 'Same README/compiler difference as above.' },
  ],
  [
    '$or holds only objects',
    { detail: { $or: [{ source: ['a'] }, { 'detail-type': ['b'] }, [{ foo: ['wrong'] }]] } },
    { detail: { source: 'a' } },
    'Only JSON object is allowed in array of $or relationship.',
  ],
  [
    'operator names cannot be fields inside $or',
    { $or: [{ numeric: ['>', 0] }, { prefix: 'abc' }] },
    { a: 1 },
    'numeric is Ruler reserved fieldName which cannot be used inside $or.',
  ],
]);

// ---- pattern structure ----

from(COMPILER('doCompile / parseObject / writeRules'), [
  [
    'a pattern must be a JSON object (array)',
    '["not", "a", "dict", "but valid json"]',
    envelope({}),
    'Filter is not an object',
    { observed: recorded('TestEventPattern::test_invalid_json_event_pattern[["not", "a", "dict", "but valid json"]]') },
  ],
  ['a pattern must be a JSON object (string)', '"source"', envelope({}), 'Filter is not an object'],
  [
    'a field must hold an array or an object (number)',
    { int: 42 },
    envelope({}, { int: 42 }),
    '"int" must be an object or an array',
    { observed: recorded('int_nolist_EXC') },
  ],
  [
    'a field must hold an array or an object (string)',
    { string: 'my-value' },
    envelope({}, { string: 'my-value' }),
    '"string" must be an object or an array',
    { observed: recorded('string_nolist_EXC') },
  ],
  ['an empty pattern is refused', {}, envelope({}), 'Empty objects are not allowed'],
  ['an empty nested object is refused', { detail: {} }, envelope({}), 'Empty objects are not allowed'],
  [
    'an array inside a value list is refused',
    { detail: { v: [['a']] } },
    d({ v: 'a' }),
    'Match value must be String, number, true, false, or null',
  ],
  ['an empty match expression is refused', { detail: { v: [{}] } }, d({ v: 'a' }), 'Match expression name not found'],
  [
    'a match expression takes one operator',
    { detail: { v: [{ prefix: 'a', suffix: 'b' }] } },
    d({ v: 'ab' }),
    'Only one key allowed in match expression',
  ],
  ['an unknown operator is refused (contains)', { detail: { v: [{ contains: 'a' }] } }, d({ v: 'a' }), 'Unrecognized match type contains'],
  [
    'a numeric expression takes one operator',
    { detail: { v: [{ numeric: ['>', 1], exists: true }] } },
    d({ v: 2 }),
    'Too many elements in numeric expression',
  ],
]);
const BIG_PATTERN = JSON.stringify({ source: Array.from({ length: 200 }, (_, i) => `myapp.source-${i}`) });
from(QUOTAS, [
  [
    'a pattern over 2048 characters is refused',
    BIG_PATTERN,
    envelope({}),
    `Event pattern is ${BIG_PATTERN.length} characters, over the 2048-character "Event pattern size" quota`,
    { note: 'The quota is documented; the exception AWS raises for it is not. We report InvalidEventPatternException.' },
  ],
]);

// ---- complex examples ----

from(OPS('Complex example with multiple matching'), [
  [
    'prefix, anything-but and numeric together',
    {
      time: [{ prefix: '2017-10-02' }],
      detail: {
        state: [{ 'anything-but': 'initializing' }],
        'c-count': [{ numeric: ['>', 0, '<=', 5] }],
        'd-count': [{ numeric: ['<', 10] }],
        'x-limit': [{ 'anything-but': [100, 200, 300] }],
      },
    },
    d({ state: 'processing', 'c-count': 3, 'd-count': 9, 'x-limit': 999 }),
    true,
    { observed: recorded('complex_multi_match') },
  ],
  [
    'x-limit is an excluded number',
    {
      time: [{ prefix: '2017-10-02' }],
      detail: {
        state: [{ 'anything-but': 'initializing' }],
        'c-count': [{ numeric: ['>', 0, '<=', 5] }],
        'd-count': [{ numeric: ['<', 10] }],
        'x-limit': [{ 'anything-but': [100, 200, 300] }],
      },
    },
    d({ state: 'processing', 'c-count': 3, 'd-count': 9, 'x-limit': 300 }),
    false,
    { observed: recorded('complex_multi_match_NEG') },
  ],
]);
from(readme('Simple matching'), [
  [
    'detail-type, resources and a state list',
    {
      'detail-type': ['EC2 Instance State-change Notification'],
      resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000'],
      detail: { state: ['initializing', 'running'] },
    },
    RULER_EVENT,
    true,
  ],
  ['equals-ignore-case on source (EC2)', { source: [{ 'equals-ignore-case': 'EC2' }] }, RULER_EVENT, false],
  ['prefix equals-ignore-case on source (AWS.)', { source: [{ prefix: { 'equals-ignore-case': 'AWS.' } }] }, RULER_EVENT, true],
  ['suffix equals-ignore-case on source (EC2)', { source: [{ suffix: { 'equals-ignore-case': 'EC2' } }] }, RULER_EVENT, true],
  ['suffix on source (ec2)', { source: [{ suffix: 'ec2' }] }, RULER_EVENT, true],
]);

export const PATTERN_CASES: readonly PatternCase[] = cases;
