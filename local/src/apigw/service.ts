/**
 * API Gateway REST APIs: the template's AWS::Serverless::Api (and the implicit one) with
 * the functions' Api events as routes, served under the stage prefix and bare, Lambda proxy
 * events in API Gateway's shape (with the headers API Gateway adds: X-Forwarded-For, -Proto,
 * -Port, X-Amzn-Trace-Id; proxy-event.ts), TOKEN Lambda authorizers (cached for
 * ReauthorizeEvery, their IAM policy evaluated), CORS preflights from the template, the
 * template's gateway responses (gateway-responses.ts) and access logs (AccessLogSetting's
 * Format, to the log bus and so the CloudWatch Logs endpoint). Template URLs
 * `https://<api>.execute-api.<region>.amazonaws.com/...` in outputs point here.
 * Not emulated: HTTP APIs (AWS::Serverless::HttpApi), REQUEST and Cognito authorizers,
 * usage plans and API keys, request validation and mapping templates, non-proxy
 * integrations, custom domains, caching, throttling, X-Ray, the 29-second integration
 * timeout, an edge-optimized endpoint's CloudFront headers.
 */
import type { ResourceKind, ServiceModule } from '../contract';
import { notEmulated, tracing } from '../kinds';
import { LOWER_ALNUM, resourcesOfType, stableId, textOf, type ResolvedTemplate } from '../template';
import { ApiGateway } from '.';

const restApiKind: ResourceKind = {
  types: ['AWS::Serverless::Api', 'AWS::ApiGateway::RestApi'],
  physicalId: (r, ctx) => stableId(`${ctx.stackName}/${r.logicalId}/api`, 10, LOWER_ALNUM),
  getAtt: (attr) => (attr === 'RootResourceId' ? 'root' : undefined),
  features: (p) => tracing(p),
};

/** The stage of the first API (what APIEndpoint ends with). */
function firstStage(t: ResolvedTemplate): string {
  const api = resourcesOfType(t, 'AWS::Serverless::Api')[0];
  return textOf(api?.[1].Properties.StageName, 'Prod', `${api?.[0]} StageName`);
}

const EXECUTE_API_URL = /^https:\/\/[a-z0-9]+\.execute-api\.[a-z0-9-]+\.amazonaws\.com(?=\/|$)/;

export const apiService: ServiceModule = {
  name: 'api',
  port: 3000,
  endpoints: (url, t) => ({ APIEndpoint: `${url}/${firstStage(t)}` }),
  kinds: [
    restApiKind,
    { types: ['AWS::ApiGateway::GatewayResponse'] },
    notEmulated(['AWS::ApiGateway::Account'], 'API Gateway account settings', 'not applied'),
  ],
  localize: (value, ctx) => (ctx.urls.api && EXECUTE_API_URL.test(value) ? value.replace(EXECUTE_API_URL, ctx.urls.api) : undefined),
  start: async (ctx) => {
    const api = new ApiGateway({
      template: ctx.template,
      region: ctx.region,
      accountId: ctx.accountId,
      invoke: (id, event) => ctx.functions.invoke(id, event),
      functionIdOf: (arn) => ctx.functions.functionId(arn),
      log: ctx.log,
      publish: (line) => ctx.logs.publish(line),
    });
    const port = await api.listen(ctx.port);
    const routes = api.routes.map(
      (r) => `  ${r.method.padEnd(7)} ${r.path.padEnd(32)} ${r.functionId.padEnd(30)} ${r.authorizer ?? 'public'}`,
    );
    return { url: `http://127.0.0.1:${port}`, describe: () => ['routes:', ...routes], stop: () => api.stop() };
  },
};
