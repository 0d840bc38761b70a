/** Gateway responses from a template: configured, DEFAULT_4XX/5XX fallbacks, API Gateway's defaults, $context variables. */
import type { IncomingMessage } from 'node:http';
import { parse } from 'yaml';
import { resolveStackTemplate } from '../registry';
import { cfnTags, type JsonObject } from '../template';
import { substituteContext } from './context-variables';
import { gatewayResponsesOf, renderGatewayResponse } from './gateway-responses';
import { clfTime } from './proxy-event';

const t = resolveStackTemplate(
  parse(
    `
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      GatewayResponses:
        MISSING_AUTHENTICATION_TOKEN:
          StatusCode: '404'
          ResponseParameters:
            Headers: { Access-Control-Allow-Origin: "'*'", X-Echo: method.request.header.x-client }
          ResponseTemplates:
            application/json: '{"error":{"code":"NOT_FOUND","message":"No route"},"requestId":"$context.requestId"}'
        UNAUTHORIZED:
          ResponseTemplates:
            application/json: '{"error":{"code":"UNAUTHORIZED","message":$context.error.messageString},"requestId":"\${context.requestId}"}'
        DEFAULT_5XX:
          ResponseParameters: { Headers: { Access-Control-Allow-Origin: "'*'" } }
  Other: { Type: AWS::ApiGateway::RestApi, Properties: {} }
  OtherDenied:
    Type: AWS::ApiGateway::GatewayResponse
    Properties: { RestApiId: !Ref Other, ResponseType: ACCESS_DENIED, StatusCode: '418', ResponseParameters: { gatewayresponse.header.X-Why: "'deny'" } }
`,
    { customTags: cfnTags },
  ) as JsonObject,
);
const configured = gatewayResponsesOf(t);
const req = { headers: { 'x-client': 'abc' } } as unknown as IncomingMessage;
const render = (api: string | undefined, type: Parameters<typeof renderGatewayResponse>[1]) =>
  renderGatewayResponse(api ? configured[api] : undefined, type, { requestId: 'req-1' }, { req, url: new URL('http://x/') });

describe('gateway responses', () => {
  it('applies a configured type: its status, headers (literal or from the request) and template', () => {
    const r = render('Api', 'MISSING_AUTHENTICATION_TOKEN');
    expect(r.status).toBe(404);
    expect(r.headers).toMatchObject({
      'access-control-allow-origin': '*',
      'x-echo': 'abc',
      'content-type': 'application/json',
      'x-amzn-errortype': 'MissingAuthenticationTokenException',
    });
    expect(JSON.parse(r.body)).toEqual({ error: { code: 'NOT_FOUND', message: 'No route' }, requestId: 'req-1' });
  });

  it('keeps the type’s default status when the configuration names none; messageString is the quoted message', () => {
    const r = render('Api', 'UNAUTHORIZED');
    expect(r.status).toBe(401);
    expect(JSON.parse(r.body)).toEqual({ error: { code: 'UNAUTHORIZED', message: 'Unauthorized' }, requestId: 'req-1' });
  });

  it('falls back to DEFAULT_5XX’s settings, then to API Gateway’s own answer', () => {
    const r = render('Api', 'AUTHORIZER_CONFIGURATION_ERROR');
    expect(r).toMatchObject({
      status: 500,
      headers: { 'access-control-allow-origin': '*', 'x-amzn-errortype': 'AuthorizerConfigurationException' },
    });
    expect(JSON.parse(r.body)).toEqual({ message: null });
    const plain = render(undefined, 'MISSING_AUTHENTICATION_TOKEN');
    expect(plain.status).toBe(403);
    expect(JSON.parse(plain.body)).toEqual({ message: 'Missing Authentication Token' });
    expect(plain.headers['access-control-allow-origin']).toBeUndefined();
    expect(JSON.parse(render(undefined, 'ACCESS_DENIED').body)).toEqual({
      Message: 'User is not authorized to access this resource with an explicit deny',
    });
  });

  it('reads AWS::ApiGateway::GatewayResponse resources for their API', () => {
    const r = render('Other', 'ACCESS_DENIED');
    expect(r).toMatchObject({ status: 418, headers: { 'x-why': 'deny' } });
  });
});

describe('$context variables', () => {
  it('substitutes $context.a.b and ${context.a.b}; a missing one becomes the placeholder', () => {
    const vars = { requestId: 'r', identity: { sourceIp: '1.2.3.4' }, status: 200, authorizer: { principalId: undefined } };
    expect(
      substituteContext(
        '{"id":"$context.requestId","ip":"${context.identity.sourceIp}","s":$context.status,"p":"$context.authorizer.principalId"}',
        vars,
        '-',
      ),
    ).toBe('{"id":"r","ip":"1.2.3.4","s":200,"p":"-"}');
  });

  it('writes request times as API Gateway does', () => {
    expect(clfTime(new Date(Date.UTC(2015, 3, 9, 12, 34, 56)))).toBe('09/Apr/2015:12:34:56 +0000');
  });
});
