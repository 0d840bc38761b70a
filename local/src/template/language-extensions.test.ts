import { parse } from 'yaml';
import { cfnTags, type JsonObject } from './index';
import { expandLanguageExtensions } from './language-extensions';

const load = (yaml: string) => parse(yaml, { customTags: cfnTags }) as JsonObject;

describe('expandLanguageExtensions (Fn::ForEach)', () => {
  it('expands a loop of resources, with a nested loop, ${} in keys and strings, and Ref to the identifier', () => {
    const t = expandLanguageExtensions(
      load(`
Transform: [AWS::LanguageExtensions, AWS::Serverless-2016-10-31]
Resources:
  Keep: { Type: AWS::SNS::Topic }
  Fn::ForEach::Logs:
    - Fn
    - [OneFunction, TwoFunction]
    - \${Fn}LogGroup:
        Type: AWS::Logs::LogGroup
        Properties: { LogGroupName: !Sub '/aws/lambda/\${\${Fn}}', Tag: !Ref Fn }
      Fn::ForEach::Alarms:
        - Metric
        - [Errors, Throttles]
        - \${Fn}\${Metric}Alarm:
            Type: AWS::CloudWatch::Alarm
            Properties: { MetricName: !Ref Metric, Value: !Sub '\${\${Fn}}', Other: !Ref Keep }
`),
    );
    const resources = t.Resources as Record<string, JsonObject>;
    expect(Object.keys(resources)).toEqual([
      'Keep',
      'OneFunctionLogGroup',
      'OneFunctionErrorsAlarm',
      'OneFunctionThrottlesAlarm',
      'TwoFunctionLogGroup',
      'TwoFunctionErrorsAlarm',
      'TwoFunctionThrottlesAlarm',
    ]);
    expect(resources.TwoFunctionLogGroup!.Properties).toEqual({
      LogGroupName: { 'Fn::Sub': '/aws/lambda/${TwoFunction}' },
      Tag: 'TwoFunction',
    });
    expect(resources.OneFunctionThrottlesAlarm!.Properties).toEqual({
      MetricName: 'Throttles',
      Value: { 'Fn::Sub': '${OneFunction}' },
      Other: { Ref: 'Keep' },
    });
  });

  it('takes a collection from a CommaDelimitedList parameter, strips &{} for keys, and works in Outputs and properties', () => {
    const t = expandLanguageExtensions(
      load(`
Transform: AWS::LanguageExtensions
Parameters:
  Names: { Type: CommaDelimitedList, Default: 'a-b, c' }
Resources:
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      Tags:
        Fn::ForEach::Tags: [N, !Ref Names, { 'Tag&{N}': '\${N}' }]
Outputs:
  Fn::ForEach::Out: [N, !Ref Names, { 'Out&{N}': { Value: '\${N}' } }]
`),
    );
    expect((t.Resources as Record<string, JsonObject>).Topic!.Properties).toEqual({ Tags: { Tagab: 'a-b', Tagc: 'c' } });
    expect(t.Outputs).toEqual({ Outab: { Value: 'a-b' }, Outc: { Value: 'c' } });
  });

  it('refuses a loop that would declare a key twice, and a malformed loop', () => {
    expect(() =>
      expandLanguageExtensions(
        load(`
Transform: AWS::LanguageExtensions
Resources:
  OneTopic: { Type: AWS::SNS::Topic }
  Fn::ForEach::Dup: [X, [One], { '\${X}Topic': { Type: AWS::SNS::Topic } }]
`),
      ),
    ).toThrow(/OneTopic is declared twice/);
    expect(() =>
      expandLanguageExtensions(
        load(`
Transform: AWS::LanguageExtensions
Resources:
  Fn::ForEach::Bad: [X, [One]]
`),
      ),
    ).toThrow(/Identifier, Collection/);
  });

  it('leaves a template without the transform as it is', () => {
    const raw = load('Resources:\n  Fn::ForEach::X: [A, [B], { C: {} }]\n');
    expect(expandLanguageExtensions(raw)).toBe(raw);
  });
});
