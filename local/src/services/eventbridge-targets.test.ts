/**
 * What a rule target receives. The transformer cases are the user guide's ("Amazon EventBridge
 * input transformation", its EC2 example event and template table) and AWS's answers recorded
 * by LocalStack (tests/aws/services/events/test_events_inputs.snapshot.json).
 */
import { AwsError } from '../protocol';
import { parseJson } from './event-patterns';
import type { RuleTarget } from './eventbridge-rules';
import { checkTargetInput, jsonPath, parseJsonPath, targetEntryError, targetInput } from './eventbridge-targets';

const EC2 = parseJson(
  JSON.stringify({
    version: '0',
    id: '7bf73129-1428-4cd3-a780-95db273d1602',
    'detail-type': 'EC2 Instance State-change Notification',
    source: 'aws.ec2',
    account: '123456789012',
    time: '2015-11-11T21:29:54Z',
    region: 'us-east-1',
    resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111'],
    detail: { 'instance-id': 'i-0123456789', state: 'RUNNING' },
  }),
) as Record<string, unknown>;
const RULE = { name: 'example', arn: 'arn:aws:events:us-east-2:123456789012:rule/example' };
const PATHS = { timestamp: '$.time', instance: '$.detail.instance-id', state: '$.detail.state', resource: '$.resources[0]' };
const transform = (InputTemplate: string, InputPathsMap: Record<string, string> = PATHS, event = EC2) =>
  targetInput({ Id: 't', Arn: 'a', InputTransformer: { InputPathsMap, InputTemplate } }, event, RULE, '2015-11-11T21:29:55Z');

describe('InputTransformer, the user guide examples', () => {
  it.each([
    ['simple string', '"instance <instance> is in <state>"', '"instance i-0123456789 is in RUNNING"'],
    ['string with escaped quotes', '"instance \\"<instance>\\" is in <state>"', '"instance \\"i-0123456789\\" is in RUNNING"'],
    ['simple JSON', '{\n  "instance" : <instance>,\n  "state": <state>\n}', '{\n  "instance" : "i-0123456789",\n  "state": "RUNNING"\n}'],
    [
      'JSON with strings and variables',
      '{"instance" : <instance>, "state": "<state>", "instanceStatus": "instance \\"<instance>\\" is in <state>"}',
      '{"instance" : "i-0123456789", "state": "RUNNING", "instanceStatus": "instance \\"i-0123456789\\" is in RUNNING"}',
    ],
    [
      'JSON with a mix of variables and static information',
      '{"instance" : <instance>, "state": [ 9, <state>, true ], "Transformed" : "Yes"}',
      '{"instance" : "i-0123456789", "state": [ 9, "RUNNING", true ], "Transformed" : "Yes"}',
    ],
    ['reserved variables in a string', '"<aws.events.rule-name> triggered"', '"example triggered"'],
    ['an array index', '{"resource": <resource>}', '{"resource": "arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"}'],
  ])('%s', (_, template, expected) => {
    expect(transform(template)).toBe(expected);
  });

  it('puts the reserved variables in JSON: rule ARN and name as strings, the event as JSON', () => {
    const out = JSON.parse(
      transform(
        '{"ruleArn" : <aws.events.rule-arn>, "ruleName" : <aws.events.rule-name>, "at": <aws.events.event.ingestion-time>, "originalEvent" : <aws.events.event.json>}',
      ),
    );
    expect(out).toEqual({
      ruleArn: RULE.arn,
      ruleName: 'example',
      at: '2015-11-11T21:29:55Z',
      originalEvent: JSON.parse(JSON.stringify(EC2)),
    });
  });
});

describe('InputTransformer, as AWS answered (LocalStack recordings)', () => {
  const event = parseJson(
    JSON.stringify({
      'detail-type': 'core.update-account-command',
      source: 'core',
      time: '2024-01-01T00:00:00Z',
      detail: {
        command: 'update-account',
        valid: true,
        levels: ['HIGH'],
        states: ['ACTIVE', 'INACTIVE'],
        payload: { acc_id: '0a787ecb-4015', sf_id: 'baz' },
      },
    }),
  ) as Record<string, unknown>;
  const paths = {
    userId: '$.detail.payload.acc_id',
    payload: '$.detail.payload',
    listsingle: '$.detail.levels',
    listmulti: '$.detail.states',
    valid: '$.detail.valid',
    command: '$.detail.command',
    missing: '$.detail.nothing',
  };
  it.each([
    ['a string unquoted in JSON is quoted', '{"id" : <userId>}', '{"id" : "0a787ecb-4015"}'],
    ['a string quoted in JSON stays as it is', '{"id" : "<userId>"}', '{"id" : "0a787ecb-4015"}'],
    ['an object in JSON', '{"bod": <payload>}', '{"bod": {"acc_id":"0a787ecb-4015","sf_id":"baz"}}'],
    ['a string in an array', '{"bod": [<userId>, "hardcoded"]}', '{"bod": ["0a787ecb-4015", "hardcoded"]}'],
    [
      'twice in one string',
      '{"multi_replacement": "users/<userId>/second/<userId>"}',
      '{"multi_replacement": "users/0a787ecb-4015/second/0a787ecb-4015"}',
    ],
    [
      'objects and lists inside a string lose their quotes',
      '"Payload of <payload> with <listsingle> and <listmulti>"',
      '"Payload of {acc_id:0a787ecb-4015,sf_id:baz} with [HIGH] and [ACTIVE,INACTIVE]"',
    ],
    ['a boolean in a string', '"Command is <valid>!"', '"Command is true!"'],
    ['a list unquoted in JSON', '{"singlelistitem": <listsingle>}', '{"singlelistitem": ["HIGH"]}'],
    ['a path the event lacks, inside a string', '{"command": "<missing>"}', '{"command": ""}'],
    ['special characters at the start of a string template', '"{[/Check with <command>"', '"{[/Check with update-account"'],
  ])('%s', (_, template, expected) => {
    expect(transform(template, paths, event)).toBe(expected);
  });

  it('gives <aws.events.event> without its detail and with detailType', () => {
    expect(JSON.parse(transform('{"e": <aws.events.event>}', {}, event)).e).toEqual({
      detailType: 'core.update-account-command',
      source: 'core',
      time: '2024-01-01T00:00:00Z',
    });
  });
});

describe('Input, InputPath and JSON paths', () => {
  it('passes Input as it is and the value at InputPath as JSON', () => {
    expect(targetInput({ Id: 't', Arn: 'a', Input: '{"fixed":1}' }, EC2)).toBe('{"fixed":1}');
    expect(JSON.parse(targetInput({ Id: 't', Arn: 'a', InputPath: '$.detail' }, EC2))).toEqual({
      'instance-id': 'i-0123456789',
      state: 'RUNNING',
    });
    expect(targetInput({ Id: 't', Arn: 'a', InputPath: '$.detail.state' }, EC2)).toBe('"RUNNING"');
  });

  it('keeps the text of the event numbers it delivers', () => {
    const event = parseJson('{"detail":{"total":300.0,"big":12345678901234567890}}') as Record<string, unknown>;
    expect(targetInput({ Id: 't', Arn: 'a' }, event)).toBe('{"detail":{"total":300.0,"big":12345678901234567890}}');
  });

  it('reads dot notation, dashes, indices, quoted keys and wildcards', () => {
    const doc = { a: { 'b-c': [{ d: 1 }, { d: 2 }], 'x.y': 'dotted' } };
    expect(jsonPath(doc, '$.a.b-c[1].d')).toBe(2);
    expect(jsonPath(doc, "$.a['x.y']")).toBe('dotted');
    expect(jsonPath(doc, '$.a.b-c[*].d')).toEqual([1, 2]);
    expect(jsonPath(doc, '$.a.nothing')).toBeUndefined();
    for (const bad of ['detail', '$.', '$..a', '$.a[', '$[x]']) expect(parseJsonPath(bad)).toBeUndefined();
  });
});

describe("PutTargets' checks", () => {
  const error = (t: RuleTarget) => {
    try {
      checkTargetInput(t);
      return undefined;
    } catch (err) {
      return [(err as AwsError).code, (err as AwsError).message];
    }
  };
  it('refuses two inputs, a template naming what it does not define, bad paths and input that is not JSON', () => {
    expect(error({ Id: 'tid', Arn: 'a', InputPath: '$.detail', InputTransformer: { InputTemplate: '"x"' } })).toEqual([
      'ValidationException',
      'Only one of Input, InputPath, or InputTransformer must be provided for target tid.',
    ]);
    expect(
      error({ Id: 'tid', Arn: 'a', InputTransformer: { InputPathsMap: { a: '$.a' }, InputTemplate: '{"a": <a>, "b": <notdefinedkey>}' } }),
    ).toEqual(['ValidationException', 'InputTemplate for target tid contains invalid placeholder notdefinedkey.']);
    expect(error({ Id: 'tid', Arn: 'a', InputPath: 'detail' })?.[1]).toMatch(/InputPath is not valid for target tid/);
    expect(error({ Id: 'tid', Arn: 'a', Input: '{not json' })?.[1]).toMatch(/Input is not valid for target tid/);
    expect(
      error({
        Id: 'tid',
        Arn: 'a',
        InputTransformer: { InputPathsMap: { a: '$.a' }, InputTemplate: '{"a": <a>, "r": <aws.events.rule-arn>}' },
      }),
    ).toBeUndefined();
  });
  it('fails an entry whose ARN is not one', () => {
    expect(targetEntryError({ Id: 't', Arn: 'my-queue' })).toEqual({
      ErrorCode: 'ValidationException',
      ErrorMessage: 'Parameter my-queue is not valid. Reason: Provided Arn is not in correct format.',
    });
    expect(targetEntryError({ Id: 't', Arn: 'arn:aws:sqs:us-east-1:123456789012:q' })).toBeUndefined();
  });
});
