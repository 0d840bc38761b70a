/**
 * The template loader and intrinsic resolver, on the fixture template and small inline ones,
 * with the registry's resource kinds (as `npm start` resolves it) and without.
 */
import { join } from 'node:path';
import { parse } from 'yaml';
import { cfnTags, parseParameterOverrides, resolveTemplate, textOf, type JsonObject } from '.';
import { tableDefinitionsFromTemplate } from '../dynamodb/tables';
import { loadStackTemplate as loadTemplate, resolveStackTemplate } from '../registry';

const FIXTURE = join(__dirname, '..', '..', 'test', 'fixtures', 'template.yaml');
const COGNITO = 'http://127.0.0.1:9229';

function inline(yaml: string): JsonObject {
  return parse(yaml, { customTags: cfnTags }) as JsonObject;
}

describe('loadTemplate (fixture)', () => {
  const t = loadTemplate(FIXTURE, { ctx: { urls: { cognito: COGNITO } } });
  const env = (id: string) => (t.resources[id]!.Properties.Environment as { Variables: Record<string, unknown> }).Variables;

  it('merges Globals into every function; the function’s own variables win and add', () => {
    expect(env('HelloFunction')).toMatchObject({ TABLE: 'myapp-ItemsTable', STAGE: 'dev', HOLD: '0', JOINED: 'myapp-b' });
    expect(env('PrivateFunction')).toEqual({ TABLE: 'myapp-ItemsTable', STAGE: 'dev', APP_VERSION: '0.0.1-dev' });
    expect(t.resources.SlowFunction!.Properties.Timeout).toBe(1);
    expect(t.resources.HelloFunction!.Properties.Timeout).toBe(3);
    expect(t.resources.HelloFunction!.Properties.Layers).toEqual([t.refs.FixtureLayer]);
  });

  it('drops AWS::NoValue and applies Conditions to resources', () => {
    expect(env('HelloFunction')).not.toHaveProperty('ONLY_PROD');
    expect(t.resources.ProdOnlyTopic).toBeUndefined();
    expect(t.skipped).toEqual(['ProdOnlyTopic']);
    expect(t.resources.Alarm?.Properties.AlarmName).toBe('myapp-errors');
  });

  it('resolves GetAtt in both forms, Sub with variables and escapes, and Cognito-shaped ids', () => {
    expect(env('HelloFunction').POOL_ARN).toBe(`arn:aws:cognito-idp:us-east-1:123456789012:userpool/${t.refs.UserPool}`);
    expect(env('HelloFunction').STREAM).toMatch(/^arn:aws:dynamodb:us-east-1:123456789012:table\/myapp-ItemsTable\/stream\//);
    expect(env('HelloFunction').SUBBED).toBe(
      'us-east-1/dev/myapp-ItemsTable/arn:aws:dynamodb:us-east-1:123456789012:table/myapp-ItemsTable/${Literal}',
    );
    expect(t.refs.UserPool).toMatch(/^us-east-1_[A-Za-z0-9]{9}$/);
    expect(loadTemplate(FIXTURE).refs.UserPool).toBe(t.refs.UserPool); // stable per logical id
    expect(t.refs.UploadsBucket).toBe('myapp-uploadsbucket');
  });

  it('rewrites Cognito URLs to the local endpoint', () => {
    expect(env('AuthorizerFunction').JWKS_URI).toBe(`${COGNITO}/${t.refs.UserPool}/.well-known/jwks.json`);
    expect(env('AuthorizerFunction').JWT_ISSUER).toBe(`${COGNITO}/${t.refs.UserPool}`);
  });

  it('localizes the hosted UI domain and the CloudFront web URL, in properties and outputs', () => {
    const local = resolveStackTemplate(
      inline(`
Resources:
  Pool: { Type: AWS::Cognito::UserPool }
  Domain: { Type: AWS::Cognito::UserPoolDomain, Properties: { UserPoolId: !Ref Pool, Domain: my-prefix } }
  Dist: { Type: AWS::CloudFront::Distribution, Properties: {} }
  Client:
    Type: AWS::Cognito::UserPoolClient
    Properties: { UserPoolId: !Ref Pool, CallbackURLs: [!Sub 'https://\${Dist.DomainName}/app/'] }
Outputs:
  Login: { Value: !Sub 'https://\${Domain}.auth.\${AWS::Region}.amazoncognito.com/login?redirect_uri=https://\${Dist.DomainName}/app/' }
`),
      { ctx: { urls: { cognito: COGNITO, edge: 'http://127.0.0.1:8080' } } },
    );
    expect(local.resources.Client!.Properties.CallbackURLs).toEqual(['http://127.0.0.1:8080/app/']);
    expect(local.outputs.Login).toBe(`${COGNITO}/login?redirect_uri=http://127.0.0.1:8080/app/`);
    expect(local.warnings).toEqual([]);
  });

  it('resolves Outputs', () => {
    expect(t.outputs.UserPool).toBe(t.refs.UserPool);
    expect(t.outputs.APIEndpoint).toBe(`https://${t.refs.Api}.execute-api.us-east-1.amazonaws.com/v1/`);
  });

  it('builds CreateTable inputs with GSIs, LSIs, stream and TTL', () => {
    const [d] = tableDefinitionsFromTemplate(t);
    expect(d!.input.TableName).toBe('myapp-ItemsTable');
    expect(d!.input.GlobalSecondaryIndexes?.[0]?.IndexName).toBe('ByGsi');
    expect(d!.input.LocalSecondaryIndexes?.[0]?.IndexName).toBe('ByCreated');
    expect(d!.input.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' });
    expect(d!.ttlAttribute).toBe('ttl');
  });
});

describe('parameters', () => {
  it('an override beats the local default; AllowedValues are checked; unknown names refused', () => {
    expect(loadTemplate(FIXTURE, { parameterOverrides: { OrderHoldSeconds: '12' } }).parameters.OrderHoldSeconds).toBe('12');
    expect(loadTemplate(FIXTURE, { localDefaults: false }).parameters.OrderHoldSeconds).toBe('30');
    expect(() => loadTemplate(FIXTURE, { parameterOverrides: { Stage: 'qa' } })).toThrow(/AllowedValues: dev, prod/);
    expect(() => loadTemplate(FIXTURE, { parameterOverrides: { Nope: '1' } })).toThrow(/not a parameter/);
    const prod = loadTemplate(FIXTURE, { parameterOverrides: { Stage: 'prod' } });
    expect(prod.conditions).toEqual({ IsProd: true, NotProd: false });
    expect(prod.resources.ProdOnlyTopic).toBeDefined();
    expect(prod.resources.Alarm).toBeUndefined();
  });

  it('parses Key=Value and SAM’s ParameterKey=,ParameterValue= forms', () => {
    expect(parseParameterOverrides(['A=1', 'B=x=y', 'ParameterKey=C,ParameterValue=3'])).toEqual({ A: '1', B: 'x=y', C: '3' });
    expect(() => parseParameterOverrides(['oops'])).toThrow(/Key=Value/);
  });
});

describe('intrinsics (inline)', () => {
  const base = `
Parameters:
  Env: { Type: String, Default: a }
  Nums: { Type: CommaDelimitedList, Default: "x,y,z" }
Resources:
  Q: { Type: AWS::SQS::Queue, Properties: {} }
  T:
    Type: AWS::Serverless::Function
    Properties:
      Select: !Select [2, !Ref Nums]
      Split: !Split ['.', 'a.b.c']
      B64: !Base64 'hi'
      AZ: !Select [0, !GetAZs '']
      And: !And [!Equals [a, a], !Not [!Equals [a, b]]]
      Or: !Or [!Equals [a, b], !Equals [b, b]]
      QUrl: !Ref Q
      QArn: !GetAtt [Q, Arn]
      Join: !Join [':', [!Ref AWS::Partition, !Ref AWS::URLSuffix, !Ref AWS::AccountId]]
      SubPlain: !Sub '\${AWS::StackName}-\${Env}'
      Unknown: !Ref Missing
`;
  it('evaluates each function', () => {
    const t = resolveStackTemplate(inline(base), { ctx: { urls: { sqs: 'http://127.0.0.1:9324' } } });
    expect(t.resources.T!.Properties).toEqual({
      Select: 'z',
      Split: ['a', 'b', 'c'],
      B64: 'aGk=',
      AZ: 'us-east-1a',
      And: true,
      Or: true,
      QUrl: 'http://127.0.0.1:9324/123456789012/myapp-Q',
      QArn: 'arn:aws:sqs:us-east-1:123456789012:myapp-Q',
      Join: 'aws:amazonaws.com:123456789012',
      SubPlain: 'myapp-a',
      Unknown: 'Missing',
    });
    expect(t.warnings.join('\n')).toMatch(/Ref Missing: unknown/);
  });

  it('reads the long forms the same as the short ones', () => {
    const t = resolveStackTemplate({
      Resources: {
        Q: { Type: 'AWS::SQS::Queue', Properties: {} },
        F: { Type: 'AWS::Serverless::Function', Properties: { A: { 'Fn::GetAtt': 'Q.Arn' }, B: { 'Fn::Sub': '${Q.QueueName}' } } },
      },
    });
    expect(t.resources.F!.Properties).toEqual({ A: 'arn:aws:sqs:us-east-1:123456789012:myapp-Q', B: 'myapp-Q' });
  });

  it('uses --region in every resolved value', () => {
    const t = resolveStackTemplate(inline(base), { ctx: { region: 'eu-west-1' } });
    expect(t.resources.T!.Properties.QArn).toBe('arn:aws:sqs:eu-west-1:123456789012:myapp-Q');
  });

  it('refuses an object where an intrinsic needs text, naming where, instead of writing "[object Object]"', () => {
    const sub = {
      Resources: { F: { Type: 'AWS::Serverless::Function', Properties: { A: { 'Fn::Sub': ['x-${V}', { V: { Nested: 1 } }] } } } },
    };
    expect(() => resolveTemplate(sub)).toThrow('Resources.F.A ${V}: expected text, got {"Nested":1}');
    const join = { Resources: { F: { Type: 'AWS::Serverless::Function', Properties: { A: { 'Fn::Join': ['-', ['a', { b: 1 }]] } } } } };
    expect(() => resolveTemplate(join)).toThrow('Resources.F.A: expected text, got {"b":1}');
    // A list parameter in a Sub is its items joined by commas, as before.
    expect(resolveStackTemplate(inline(`${base}      SubList: !Sub '\${Nums}'\n`)).resources.T!.Properties.SubList).toBe('x,y,z');
  });

  it('reads a template value as text: scalars as their text, a fallback when absent, an error for an object', () => {
    expect([textOf('a', 'f', 'X'), textOf(3, 'f', 'X'), textOf(true, 'f', 'X'), textOf(undefined, 'f', 'X')]).toEqual([
      'a',
      '3',
      'true',
      'f',
    ]);
    expect(() => textOf({ Ref: 'P' }, 'f', 'Api StageName')).toThrow('Api StageName: expected text, got {"Ref":"P"}');
  });
});

describe('names from the registry', () => {
  it('resolves SAM AutoPublishAlias references to the alias ARN, without a warning', () => {
    const t = resolveStackTemplate(
      inline(`
Resources:
  Pay: { Type: AWS::Serverless::Function, Properties: { AutoPublishAlias: live } }
  Flow:
    Type: AWS::Serverless::StateMachine
    Properties: { DefinitionSubstitutions: { PayArn: !Ref Pay.Alias, PayVersion: !Ref Pay.Version, ByLogicalId: !Ref PayAliaslive } }
`),
    );
    expect(t.resources.Flow!.Properties.DefinitionSubstitutions).toEqual({
      PayArn: 'arn:aws:lambda:us-east-1:123456789012:function:myapp-Pay:live',
      PayVersion: 'arn:aws:lambda:us-east-1:123456789012:function:myapp-Pay:1',
      ByLogicalId: 'arn:aws:lambda:us-east-1:123456789012:function:myapp-Pay:live',
    });
    expect(t.warnings).toEqual([]);
  });

  it('names a resource by its name property even when that is an intrinsic, so Ref, GetAtt and the service agree', () => {
    const t = resolveStackTemplate(
      inline(`
Parameters: { Env: { Type: String, Default: dev } }
Resources:
  Dlq: { Type: AWS::SQS::Queue, Properties: { QueueName: !Sub '\${AWS::StackName}-\${Env}-dlq' } }
  Table: { Type: AWS::DynamoDB::Table, Properties: { TableName: !Sub '\${Env}-items' } }
  Fn: { Type: AWS::Serverless::Function, Properties: { Environment: { Variables: { Q: !GetAtt Dlq.Arn, T: !Ref Table } } } }
`),
      { ctx: { urls: { sqs: 'http://127.0.0.1:1' } } },
    );
    expect(t.refs.Dlq).toBe('http://127.0.0.1:1/123456789012/myapp-dev-dlq');
    expect(t.arns.Dlq).toBe('arn:aws:sqs:us-east-1:123456789012:myapp-dev-dlq');
    expect(t.resources.Fn!.Properties.Environment).toEqual({
      Variables: { Q: 'arn:aws:sqs:us-east-1:123456789012:myapp-dev-dlq', T: 'dev-items' },
    });
  });

  it('refuses a name that refers to itself with a warning instead of looping', () => {
    const t = resolveStackTemplate({
      Resources: { Q: { Type: 'AWS::SQS::Queue', Properties: { QueueName: { 'Fn::GetAtt': ['Q', 'Arn'] } } } },
    });
    expect(t.warnings.join('\n')).toMatch(/Resources\.Q\.QueueName refers to itself/);
    expect(t.arns.Q).toMatch(/^arn:aws:sqs:us-east-1:123456789012:/);
  });

  it('points the template outputs at the local API, and knows no service without the registry', () => {
    const local = loadTemplate(FIXTURE, { ctx: { urls: { api: 'http://127.0.0.1:3000' } } });
    expect(local.outputs.APIEndpoint).toBe('http://127.0.0.1:3000/v1/');
    const bare = resolveTemplate({
      Resources: {
        Q: { Type: 'AWS::SQS::Queue', Properties: {} },
        T: { Type: 'AWS::Serverless::Function', Properties: { QArn: { 'Fn::GetAtt': ['Q', 'Arn'] } } },
      },
    });
    expect(bare.resources.T!.Properties.QArn).toBe('arn:aws:local:us-east-1:123456789012:myapp-Q');
    expect(bare.refs.Q).toBe('myapp-Q');
  });
});
