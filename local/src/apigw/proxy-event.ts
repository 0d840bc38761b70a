/**
 * The Lambda proxy integration's event as API Gateway (REST, regional) builds it: the
 * client's headers plus what API Gateway adds (Host, X-Forwarded-For / -Proto / -Port,
 * X-Amzn-Trace-Id), and the requestContext (path with the stage, domainName, domainPrefix,
 * stage, request time in API Gateway's format, identity). Locally the scheme is http and the
 * port the local API's, so `${X-Forwarded-Proto}://${domainName}` plus the stage names the
 * API as the client reached it, as it does deployed.
 * Not added: the CloudFront-* and Via headers of an edge-optimized endpoint.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

// A table, not toLocaleString: that builds an Intl formatter per call (a fifth of the gateway's CPU per request).
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `09/Apr/2015:12:34:56 +0000`, as requestContext.requestTime and access logs write it. */
export function clfTime(d: Date): string {
  const month = MONTHS[d.getUTCMonth()]!;
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${month}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

/** An X-Ray trace header's Root (`1-<epoch seconds hex>-<24 hex>`). */
export const newTraceId = (now = Date.now()) => `1-${Math.floor(now / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;

export interface RequestFacts {
  requestId: string;
  traceId: string;
  sourceIp: string;
  /** The Host header: API Gateway's domainName (with the port locally). */
  host: string;
  port: number;
  stage: string;
  /** The path without the stage. */
  path: string;
  time: Date;
}

export function requestFacts(req: IncomingMessage, stage: string, path: string, requestId: string): RequestFacts {
  const sent = /Root=([^;]+)/.exec(String(req.headers['x-amzn-trace-id'] ?? ''))?.[1];
  return {
    requestId,
    traceId: sent ?? newTraceId(),
    sourceIp: req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1',
    host: String(req.headers.host ?? `127.0.0.1:${req.socket.localPort ?? 80}`),
    port: req.socket.localPort ?? 80,
    stage,
    path,
    time: new Date(),
  };
}

/** The client's headers with API Gateway's own added (or extended: X-Forwarded-For gets the client's address appended). */
function integrationHeaders(req: IncomingMessage, f: RequestFacts): { headers: Record<string, string>; multi: Record<string, string[]> } {
  const headers: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  const own = new Set(['host', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-port', 'x-amzn-trace-id']);
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!;
    if (own.has(name.toLowerCase())) continue;
    headers[name] = req.rawHeaders[i + 1]!;
    (multi[name] ??= []).push(req.rawHeaders[i + 1]!);
  }
  const forwarded = req.headers['x-forwarded-for'];
  const added: Record<string, string> = {
    Host: f.host,
    'X-Amzn-Trace-Id': `Root=${f.traceId}`,
    'X-Forwarded-For': forwarded ? `${String(forwarded)}, ${f.sourceIp}` : f.sourceIp,
    'X-Forwarded-Port': String(f.port),
    'X-Forwarded-Proto': 'http',
  };
  for (const [k, v] of Object.entries(added)) {
    headers[k] = v;
    multi[k] = [v];
  }
  return { headers, multi };
}

export interface ProxyRoute {
  path: string;
  apiId: string;
}

export function proxyEvent(
  req: IncomingMessage,
  url: URL,
  m: { route: ProxyRoute; facts: RequestFacts; pathParameters: Record<string, string> | null },
  body: Buffer,
  ids: { accountId: string; apiId: string },
  authorizer?: Record<string, unknown>,
): Record<string, unknown> {
  const { route, facts } = m;
  const { headers, multi } = integrationHeaders(req, facts);
  const query: Record<string, string> = {};
  const multiQuery: Record<string, string[]> = {};
  for (const [k, v] of url.searchParams) {
    query[k] = v;
    (multiQuery[k] ??= []).push(v);
  }
  const ct = String(req.headers['content-type'] ?? '');
  const binary = body.length > 0 && !/^(text\/|application\/(json|xml|x-www-form-urlencoded|.*\+json))/i.test(ct) && ct !== '';
  const method = (req.method ?? 'GET').toUpperCase();
  return {
    resource: route.path,
    path: url.pathname,
    httpMethod: method,
    headers,
    multiValueHeaders: multi,
    queryStringParameters: Object.keys(query).length ? query : null,
    multiValueQueryStringParameters: Object.keys(multiQuery).length ? multiQuery : null,
    pathParameters: m.pathParameters,
    stageVariables: null,
    requestContext: {
      accountId: ids.accountId,
      apiId: ids.apiId,
      resourceId: 'local',
      resourcePath: route.path,
      httpMethod: method,
      path: `/${facts.stage}${facts.path === '/' ? '/' : facts.path}`,
      stage: facts.stage,
      requestId: facts.requestId,
      extendedRequestId: facts.requestId,
      protocol: `HTTP/${req.httpVersion}`,
      requestTime: clfTime(facts.time),
      requestTimeEpoch: facts.time.getTime(),
      domainName: facts.host,
      domainPrefix: facts.host.split(/[.:]/)[0],
      identity: {
        sourceIp: facts.sourceIp,
        userAgent: String(req.headers['user-agent'] ?? ''),
        accessKey: null,
        accountId: null,
        caller: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        user: null,
        userArn: null,
      },
      ...(authorizer ? { authorizer } : {}),
    },
    body: body.length ? (binary ? body.toString('base64') : body.toString('utf8')) : null,
    isBase64Encoded: binary,
  };
}
