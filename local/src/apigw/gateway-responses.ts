/**
 * API Gateway's own answers (gateway responses), from the template as API Gateway applies
 * them: an API's `GatewayResponses` (SAM) and AWS::ApiGateway::GatewayResponse resources,
 * each with its StatusCode, response headers (`'literal'`, `method.request.header.X`,
 * `method.request.querystring.X`, `method.request.path.X`) and a body template with
 * `$context` variables; a type the template does not configure falls back to its
 * DEFAULT_4XX / DEFAULT_5XX configuration, then to API Gateway's default (status, and
 * `{"message":$context.error.messageString}`). Only the `application/json` template is used.
 */
import type { IncomingMessage } from 'node:http';
import { resourcesOfType, textOf, type ResolvedTemplate } from '../template';
import { substituteContext, type ContextVariables } from './context-variables';

/** The response types the local API Gateway produces, with API Gateway's defaults. */
export const RESPONSE_DEFAULTS = {
  MISSING_AUTHENTICATION_TOKEN: { status: 403, message: 'Missing Authentication Token', errorType: 'MissingAuthenticationTokenException' },
  UNAUTHORIZED: { status: 401, message: 'Unauthorized', errorType: 'UnauthorizedException' },
  ACCESS_DENIED: {
    status: 403,
    message: 'User is not authorized to access this resource with an explicit deny',
    errorType: 'AccessDeniedException',
  },
  AUTHORIZER_CONFIGURATION_ERROR: { status: 500, message: null, errorType: 'AuthorizerConfigurationException' },
  AUTHORIZER_FAILURE: { status: 500, message: null, errorType: 'AuthorizerConfigurationException' },
  REQUEST_TOO_LARGE: { status: 413, message: 'Request Too Long', errorType: 'RequestTooLargeException' },
  // A Lambda proxy integration that failed or answered something that is not a proxy response.
  DEFAULT_5XX: { status: 502, message: 'Internal server error', errorType: 'InternalServerErrorException' },
} as const;

export type ResponseType = keyof typeof RESPONSE_DEFAULTS;

interface Configured {
  status?: number;
  headers: Record<string, string>;
  template?: string;
}

/** `'literal'` → literal; `method.request.header.X` etc. → from the request; anything else as written. */
function headerValue(spec: string, req: IncomingMessage, url: URL, pathParams: Record<string, string>): string {
  const literal = /^'(.*)'$/s.exec(spec);
  if (literal) return literal[1]!;
  const m = /^method\.request\.(header|querystring|path)\.(.+)$/.exec(spec);
  if (!m) return spec;
  const v = m[1] === 'header' ? req.headers[m[2]!.toLowerCase()] : m[1] === 'querystring' ? url.searchParams.get(m[2]!) : pathParams[m[2]!];
  return Array.isArray(v) ? v.join(',') : (v ?? '');
}

function configuredOf(c: Record<string, unknown>): Configured {
  const params = (c.ResponseParameters ?? {}) as Record<string, unknown>;
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries((params.Headers ?? {}) as Record<string, unknown>)) headers[k] = String(v);
  for (const [k, v] of Object.entries(params))
    if (k.startsWith('gatewayresponse.header.')) headers[k.slice('gatewayresponse.header.'.length)] = String(v);
  const template = ((c.ResponseTemplates ?? {}) as Record<string, unknown>)['application/json'];
  return {
    ...(c.StatusCode !== undefined ? { status: Number(c.StatusCode) } : {}),
    headers,
    ...(typeof template === 'string' ? { template } : {}),
  };
}

/** Gateway responses by API logical id and type. */
export function gatewayResponsesOf(t: ResolvedTemplate): Record<string, Record<string, Configured>> {
  const out: Record<string, Record<string, Configured>> = {};
  for (const [id, r] of resourcesOfType(t, 'AWS::Serverless::Api', 'AWS::ApiGateway::RestApi')) {
    for (const [type, c] of Object.entries((r.Properties.GatewayResponses ?? {}) as Record<string, Record<string, unknown>>))
      (out[id] ??= {})[type] = configuredOf(c);
  }
  for (const [id, r] of resourcesOfType(t, 'AWS::ApiGateway::GatewayResponse')) {
    const api = Object.keys(t.refs).find((k) => t.refs[k] === r.Properties.RestApiId);
    if (api) (out[api] ??= {})[textOf(r.Properties.ResponseType, 'DEFAULT_4XX', `${id} ResponseType`)] = configuredOf(r.Properties);
  }
  return out;
}

export interface RenderedResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The answer for a response type, as the API's configuration (or API Gateway's default) shapes it. */
export function renderGatewayResponse(
  configured: Readonly<Record<string, Configured>> | undefined,
  type: ResponseType,
  vars: ContextVariables,
  request: { req: IncomingMessage; url: URL; pathParams?: Record<string, string> },
): RenderedResponse {
  const d = RESPONSE_DEFAULTS[type];
  const own = configured?.[type];
  const c = own ?? configured?.[d.status >= 500 ? 'DEFAULT_5XX' : 'DEFAULT_4XX'];
  const error = { message: d.message, messageString: JSON.stringify(d.message), responseType: type };
  const all: ContextVariables = { ...vars, error };
  const template =
    c?.template ?? (type === 'ACCESS_DENIED' ? '{"Message":$context.error.messageString}' : '{"message":$context.error.messageString}');
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-amzn-errortype': d.errorType };
  for (const [k, spec] of Object.entries(c?.headers ?? {}))
    headers[k.toLowerCase()] = headerValue(spec, request.req, request.url, request.pathParams ?? {});
  const status: number = own?.status && own.status > 0 ? own.status : d.status;
  return { status, headers, body: substituteContext(template, all, '') };
}
