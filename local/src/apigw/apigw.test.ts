/** Authorizer policy evaluation and route extraction from a template. */
import { parse } from 'yaml';
import { apisFromTemplate, decodePathSegment, evaluatePolicy } from '.';
import { cfnTags, type JsonObject } from '../template';
import { resolveStackTemplate as resolveTemplate } from '../registry';

const arn = 'arn:aws:execute-api:us-east-1:123456789012:abc/v1/GET/orders/42';
const stmt = (Effect: string, Resource: string | string[], Action: string | string[] = 'execute-api:Invoke') => ({
  Effect,
  Resource,
  Action,
});

describe('evaluatePolicy', () => {
  it('allows on a wildcard resource covering the method', () => {
    expect(
      evaluatePolicy(
        { principalId: 'u', policyDocument: { Statement: [stmt('Allow', 'arn:aws:execute-api:us-east-1:123456789012:abc/v1/*')] } },
        arn,
      ),
    ).toBe('Allow');
    expect(
      evaluatePolicy(
        { principalId: 'u', policyDocument: { Statement: [stmt('Allow', ['arn:aws:execute-api:*:*:abc/*/GET/orders/*'])] } },
        arn,
      ),
    ).toBe('Allow');
  });
  it('an explicit Deny wins over an Allow; no match is not an Allow', () => {
    expect(
      evaluatePolicy(
        {
          principalId: 'u',
          policyDocument: {
            Statement: [stmt('Allow', '*'), stmt('Deny', 'arn:aws:execute-api:us-east-1:123456789012:abc/v1/GET/orders/*')],
          },
        },
        arn,
      ),
    ).toBe('Deny');
    expect(
      evaluatePolicy(
        { principalId: 'u', policyDocument: { Statement: [stmt('Allow', 'arn:aws:execute-api:us-east-1:123456789012:abc/v1/POST/*')] } },
        arn,
      ),
    ).toBe('None');
    expect(evaluatePolicy({ principalId: 'u', policyDocument: { Statement: [stmt('Allow', '*', 's3:GetObject')] } }, arn)).toBe('None');
    expect(evaluatePolicy({ principalId: 'u' }, arn)).toBe('None');
  });
  it('treats regex characters in resources literally', () => {
    expect(
      evaluatePolicy(
        {
          principalId: 'u',
          policyDocument: { Statement: [stmt('Allow', 'arn:aws:execute-api:us-east-1:123456789012:abc/v1/GET/orders/4.')] },
        },
        arn,
      ),
    ).toBe('None');
  });
});

describe('apisFromTemplate', () => {
  const t = resolveTemplate(
    parse(
      `
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      Auth:
        DefaultAuthorizer: Tok
        Authorizers: { Tok: { FunctionArn: !GetAtt Auth.Arn, Identity: { ReauthorizeEvery: 0 } } }
  Auth: { Type: AWS::Serverless::Function, Properties: {} }
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        A: { Type: Api, Properties: { RestApiId: !Ref Api, Path: '/orders/{orderId}', Method: GET } }
        B: { Type: Api, Properties: { RestApiId: !Ref Api, Path: /orders/mine, Method: get, Auth: { Authorizer: NONE } } }
        C: { Type: Api, Properties: { RestApiId: !Ref Api, Path: '/files/{proxy+}', Method: any } }
`,
      { customTags: cfnTags },
    ) as JsonObject,
  );
  const { apis, routes } = apisFromTemplate(t, (a) => (a.endsWith(':function:myapp-Auth') ? 'Auth' : undefined));

  it('reads the stage, the authorizer (with its TTL) and per-route Auth NONE', () => {
    expect(apis.Api).toMatchObject({
      stage: 'prod',
      defaultAuthorizer: 'Tok',
      authorizers: { Tok: { functionId: 'Auth', header: 'Authorization', ttlSeconds: 0 } },
    });
    expect(routes.find((r) => r.path === '/orders/mine')?.authorizer).toBeUndefined();
    expect(routes.find((r) => r.path === '/orders/{orderId}')?.authorizer).toBe('Tok');
  });

  it('puts static routes before parameter routes, and {proxy+} matches several segments', () => {
    const match = (p: string) => routes.find((r) => r.pattern.test(p))?.path;
    expect(match('/orders/mine')).toBe('/orders/mine');
    expect(match('/orders/42')).toBe('/orders/{orderId}');
    expect(match('/files/a/b/c')).toBe('/files/{proxy+}');
    expect(routes.find((r) => r.path === '/files/{proxy+}')?.method).toBe('ANY');
  });
});

describe('path parameters', () => {
  it('are decoded, and a malformed escape is passed through instead of failing the request', () => {
    expect(decodePathSegment('a%20b')).toBe('a b');
    expect(decodePathSegment('%')).toBe('%');
    expect(decodePathSegment('a%ZZ')).toBe('a%ZZ');
    expect(decodePathSegment('%E0%A4%A')).toBe('%E0%A4%A');
  });
});
