/**
 * The API Gateway REST API server (service.ts is the module): routes from
 * AWS::Serverless::Api and the functions' Api events, Lambda proxy events in API Gateway's
 * shape, a cached TOKEN authorizer with IAM policy evaluation, CORS from the template.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { InvokeResult } from '../contract';
import type { LogLine } from '../log-bus';
import { closeServer, listenLoopback } from '../ports';
import { resourcesOfType, textOf, type ResolvedTemplate } from '../template';
import { authorizerOutcome, UNAUTHORIZED, type GatewayRefusal } from './authorizer-result';
import { substituteContext, type ContextVariables } from './context-variables';
import { gatewayResponsesOf, renderGatewayResponse, type ResponseType } from './gateway-responses';
import { clfTime, proxyEvent, requestFacts, type RequestFacts } from './proxy-event';

export interface Route {
  method: string;
  path: string;
  pattern: RegExp;
  params: string[];
  functionId: string;
  authorizer?: string;
  apiId: string;
}

interface AuthorizerDef {
  name: string;
  functionId: string;
  header: string;
  ttlSeconds: number;
}

interface ApiDef {
  logicalId: string;
  stage: string;
  defaultAuthorizer?: string;
  authorizers: Record<string, AuthorizerDef>;
  cors?: { origin: string; headers: string; methods: string; maxAge?: string; credentials?: boolean };
  /** AccessLogSetting: the log group (from DestinationArn) and the line format. */
  accessLog?: { group: string; format: string };
}

type Rec = Record<string, unknown>;
const MAX_BODY = 10 * 1024 * 1024;

function unquote(v: unknown): string | undefined {
  // SAM Cors values are quoted strings: "'*'".
  return typeof v === 'string' ? v.replace(/^'(.*)'$/, '$1') : undefined;
}

export function apisFromTemplate(
  t: ResolvedTemplate,
  functionIdOf: (arn: string) => string | undefined,
): { apis: Record<string, ApiDef>; routes: Route[] } {
  const apis: Record<string, ApiDef> = {};
  for (const [id, r] of resourcesOfType(t, 'AWS::Serverless::Api')) {
    const p = r.Properties as Rec;
    const auth = (p.Auth ?? {}) as Rec;
    const authorizers: Record<string, AuthorizerDef> = {};
    for (const [name, a] of Object.entries((auth.Authorizers ?? {}) as Record<string, Rec>)) {
      const fid = functionIdOf(String(a.FunctionArn));
      if (!fid) continue;
      const identity = (a.Identity ?? {}) as Rec;
      authorizers[name] = {
        name,
        functionId: fid,
        header: textOf(identity.Header, 'Authorization', `${id} authorizer ${name} Identity.Header`),
        ttlSeconds: Number(identity.ReauthorizeEvery ?? 300),
      };
    }
    const c = p.Cors;
    const cors =
      typeof c === 'string'
        ? { origin: unquote(c)!, headers: '*', methods: '*' }
        : c && typeof c === 'object'
          ? {
              origin: unquote((c as Rec).AllowOrigin) ?? '*',
              headers: unquote((c as Rec).AllowHeaders) ?? '*',
              methods: unquote((c as Rec).AllowMethods) ?? '*',
              maxAge: unquote((c as Rec).MaxAge),
              credentials: (c as Rec).AllowCredentials === true,
            }
          : undefined;
    const access = (p.AccessLogSetting ?? {}) as Rec;
    const group = typeof access.DestinationArn === 'string' ? /:log-group:([^:]+)/.exec(access.DestinationArn)?.[1] : undefined;
    const accessLog = group && typeof access.Format === 'string' ? { group, format: access.Format } : undefined;
    apis[id] = {
      logicalId: id,
      stage: textOf(p.StageName, 'Prod', `${id} StageName`),
      authorizers,
      ...(typeof auth.DefaultAuthorizer === 'string' ? { defaultAuthorizer: auth.DefaultAuthorizer } : {}),
      ...(cors ? { cors } : {}),
      ...(accessLog ? { accessLog } : {}),
    };
  }
  const routes: Route[] = [];
  for (const [fid, r] of resourcesOfType(t, 'AWS::Serverless::Function')) {
    for (const ev of Object.values(((r.Properties as Rec).Events ?? {}) as Record<string, Rec>)) {
      if (ev.Type !== 'Api') continue;
      const p = ev.Properties as Rec;
      // RestApiId resolves to the api's physical id; map it back to the logical id.
      const apiId = Object.keys(apis).find((a) => t.refs[a] === p.RestApiId) ?? Object.keys(apis)[0] ?? 'ServerlessRestApi';
      if (!apis[apiId]) apis[apiId] = { logicalId: apiId, stage: 'Prod', authorizers: {} };
      const api = apis[apiId];
      const authName = ((p.Auth ?? {}) as Rec).Authorizer;
      const authorizer = authName === 'NONE' ? undefined : typeof authName === 'string' ? authName : api.defaultAuthorizer;
      const path = String(p.Path);
      const params: string[] = [];
      const pattern = new RegExp(
        '^' +
          path
            .replace(/\{([^}]+?)(\+?)\}/g, (_m, name: string, plus: string) => (params.push(name), plus ? '(.+)' : '([^/]+)'))
            .replace(/\/$/, '') +
          '/?$',
      );
      routes.push({
        method: String(p.Method).toUpperCase(),
        path,
        pattern,
        params,
        functionId: fid,
        apiId,
        ...(authorizer ? { authorizer } : {}),
      });
    }
  }
  // Static segments win over parameters, as in API Gateway.
  routes.sort((a, b) => a.params.length - b.params.length);
  return { apis, routes };
}

interface Policy {
  principalId: string;
  policyDocument?: { Statement?: { Effect: string; Action?: string | string[]; Resource?: string | string[] }[] };
  context?: Record<string, unknown>;
}

function arnMatches(pattern: string, arn: string): boolean {
  const re = new RegExp(
    '^' +
      pattern
        .split('*')
        .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*') +
      '$',
  );
  return re.test(arn);
}

/** IAM evaluation for execute-api: an explicit Deny wins, otherwise an Allow is needed. */
export function evaluatePolicy(policy: Policy, methodArn: string): 'Allow' | 'Deny' | 'None' {
  let allowed = false;
  for (const s of policy.policyDocument?.Statement ?? []) {
    const resources = ([] as string[]).concat(s.Resource ?? []);
    const actions = ([] as string[]).concat(s.Action ?? []);
    if (!actions.some((a) => a === '*' || a === 'execute-api:*' || a === 'execute-api:Invoke')) continue;
    if (!resources.some((r) => arnMatches(r, methodArn))) continue;
    if (s.Effect === 'Deny') return 'Deny';
    if (s.Effect === 'Allow') allowed = true;
  }
  return allowed ? 'Allow' : 'None';
}

export interface ApiServerDeps {
  template: ResolvedTemplate;
  region: string;
  accountId: string;
  invoke(logicalId: string, event: unknown): Promise<InvokeResult>;
  /** A plain function (passed on as a callback), not a method. */
  functionIdOf: (arn: string) => string | undefined;
  log(source: string, m: string): void;
  /** Where access log lines go (the API's AccessLogSetting), if anywhere. */
  publish?(line: LogLine): void;
}

/** What one request came to, for the access log and the runtime's log line. */
interface Outcome {
  status: number;
  length: number;
  route?: Route;
  principalId?: string;
  integrationLatency?: number;
  error?: string;
}

export class ApiGateway {
  readonly routes: Route[];
  readonly apis: Record<string, ApiDef>;
  private readonly responses: ReturnType<typeof gatewayResponsesOf>;
  private cache = new Map<string, { policy: Policy; expires: number }>();
  private server?: Server;

  constructor(private d: ApiServerDeps) {
    const { apis, routes } = apisFromTemplate(d.template, d.functionIdOf);
    this.apis = apis;
    this.routes = routes;
    this.responses = gatewayResponsesOf(d.template);
  }

  listen(port: number): Promise<number> {
    this.server = createServer((req, res) => {
      // A fault here must answer 500, never crash the runtime with an unhandled rejection.
      this.handle(req, res).catch((e: Error) => {
        this.d.log('api', `internal error: ${e.stack ?? e.message}`);
        if (!res.headersSent)
          res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'Internal server error' }));
        else res.end();
      });
    });
    this.server.keepAliveTimeout = 65_000;
    return listenLoopback(this.server, port);
  }

  stop(): Promise<void> {
    return closeServer(this.server);
  }

  /** The API a bare path belongs to, with the stage prefix stripped if present. */
  private match(method: string, rawPath: string): { route?: Route; api?: ApiDef; stage: string; path: string; methodAllowed: boolean } {
    const apiDefs = Object.values(this.apis);
    let path = rawPath;
    let api = apiDefs[0];
    for (const a of apiDefs) {
      if (path === `/${a.stage}` || path.startsWith(`/${a.stage}/`)) {
        path = path.slice(a.stage.length + 1) || '/';
        api = a;
        break;
      }
    }
    let methodAllowed = false;
    for (const r of this.routes) {
      if (!r.pattern.test(path)) continue;
      methodAllowed = true;
      if (r.method === method || r.method === 'ANY')
        return { route: r, api: this.apis[r.apiId], stage: this.apis[r.apiId]?.stage ?? api?.stage ?? 'Prod', path, methodAllowed };
    }
    return { ...(api ? { api } : {}), stage: api?.stage ?? 'Prod', path, methodAllowed };
  }

  /** The preflight answer for a path some route serves, from the API's Cors settings (SAM's OPTIONS methods). */
  private preflight(res: ServerResponse, methodAllowed: boolean): boolean {
    const c = Object.values(this.apis).find((a) => a.cors)?.cors;
    if (!c || !methodAllowed) return false;
    res.writeHead(200, {
      'access-control-allow-origin': c.origin,
      'access-control-allow-headers': c.headers,
      'access-control-allow-methods': c.methods,
      ...(c.maxAge ? { 'access-control-max-age': c.maxAge } : {}),
      ...(c.credentials ? { 'access-control-allow-credentials': 'true' } : {}),
    });
    res.end();
    return true;
  }

  /**
   * Runs the route's TOKEN authorizer (its policy cached for ReauthorizeEvery): the
   * authorizer context for the event, or the gateway response to refuse with. A thrown
   * "Unauthorized" is UNAUTHORIZED; any other failure AUTHORIZER_CONFIGURATION_ERROR, as API
   * Gateway answers (authorizer-result.ts); an explicit Deny is ACCESS_DENIED.
   */
  private async authorize(
    route: Route,
    req: IncomingMessage,
    methodArn: string,
  ): Promise<{ context?: Record<string, unknown>; refuse?: GatewayRefusal }> {
    if (!route.authorizer) return {};
    const a = this.apis[route.apiId]!.authorizers[route.authorizer];
    if (!a) return { refuse: { type: 'AUTHORIZER_CONFIGURATION_ERROR', log: `authorizer ${route.authorizer} not found` } };
    const token = Object.entries(req.headers).find(([k]) => k === a.header.toLowerCase())?.[1];
    if (typeof token !== 'string' || !token) return { refuse: UNAUTHORIZED };
    const authStart = Date.now();
    let cached = this.cache.get(`${a.name}\n${token}`);
    if (!cached || cached.expires < Date.now()) {
      const outcome = authorizerOutcome(await this.d.invoke(a.functionId, { type: 'TOKEN', authorizationToken: token, methodArn }));
      if ('response' in outcome) return { refuse: outcome.response };
      cached = { policy: outcome.policy, expires: Date.now() + a.ttlSeconds * 1000 };
      if (a.ttlSeconds > 0) this.cache.set(`${a.name}\n${token}`, cached);
    }
    if (evaluatePolicy(cached.policy, methodArn) !== 'Allow') return { refuse: { type: 'ACCESS_DENIED' } };
    return {
      context: { principalId: cached.policy.principalId, ...(cached.policy.context ?? {}), integrationLatency: Date.now() - authStart },
    };
  }

  /** The function's proxy response as the HTTP answer (headers as the function set them, as API Gateway passes them), or undefined if it is not one. */
  private respond(res: ServerResponse, route: Route, r: InvokeResult, facts: RequestFacts): { status: number; length: number } | undefined {
    const out = r.payload as {
      statusCode?: unknown;
      headers?: Record<string, unknown>;
      multiValueHeaders?: Record<string, unknown[]>;
      body?: unknown;
      isBase64Encoded?: boolean;
    } | null;
    if (
      !r.ok ||
      !out ||
      typeof out !== 'object' ||
      typeof out.statusCode !== 'number' ||
      (out.body !== undefined && typeof out.body !== 'string')
    ) {
      if (r.ok) this.d.log('api', `${route.functionId} returned a malformed proxy response`);
      return undefined;
    }
    const h: Record<string, string | string[]> = { 'x-amzn-requestid': facts.requestId, 'x-amzn-trace-id': `Root=${facts.traceId}` };
    for (const [k, v] of Object.entries(out.headers ?? {})) h[k.toLowerCase()] = String(v);
    for (const [k, v] of Object.entries(out.multiValueHeaders ?? {})) h[k.toLowerCase()] = v.map(String);
    h['content-type'] ??= 'application/json';
    const payload = out.body ? (out.isBase64Encoded ? Buffer.from(out.body, 'base64') : Buffer.from(out.body)) : undefined;
    res.writeHead(out.statusCode, h);
    res.end(payload);
    return { status: out.statusCode, length: payload?.length ?? 0 };
  }

  /** A gateway response (from the template's GatewayResponses or API Gateway's default). */
  private refuse(
    res: ServerResponse,
    api: ApiDef | undefined,
    type: ResponseType,
    facts: RequestFacts,
    req: IncomingMessage,
    url: URL,
  ): Outcome {
    const vars = contextVariables(facts, req, this.d.template.refs[api?.logicalId ?? ''] ?? 'local', this.d.accountId);
    const r = renderGatewayResponse(api ? this.responses[api.logicalId] : undefined, type, vars, { req, url });
    res.writeHead(r.status, { ...r.headers, 'x-amzn-requestid': facts.requestId });
    res.end(r.body);
    return { status: r.status, length: Buffer.byteLength(r.body), error: type };
  }

  private async readBody(req: IncomingMessage): Promise<Buffer | undefined> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of req) {
      size += (c as Buffer).length;
      if (size > MAX_BODY) return undefined;
      chunks.push(c as Buffer);
    }
    return Buffer.concat(chunks);
  }

  /** Authorizer, then the integration: the outcome of a request that matched a route. */
  private async integrate(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    m: { route: Route; api?: ApiDef; facts: RequestFacts; body: Buffer },
  ): Promise<Outcome> {
    const { route, facts } = m;
    const method = (req.method ?? 'GET').toUpperCase();
    const apiId = this.d.template.refs[route.apiId] ?? 'local';
    const methodArn = `arn:aws:execute-api:${this.d.region}:${this.d.accountId}:${apiId}/${facts.stage}/${method}${facts.path}`;
    const auth = await this.authorize(route, req, methodArn);
    if (auth.refuse) {
      if (auth.refuse.log) this.d.log('api', `${method} ${url.pathname}: ${auth.refuse.log}`);
      return this.refuse(res, m.api, auth.refuse.type, facts, req, url);
    }
    const match = route.pattern.exec(facts.path)!;
    const pathParameters = route.params.length
      ? Object.fromEntries(route.params.map((p, i) => [p, decodePathSegment(match[i + 1]!)]))
      : null;
    const started = Date.now();
    const r = await this.d.invoke(
      route.functionId,
      proxyEvent(req, url, { route, facts, pathParameters }, m.body, { accountId: this.d.accountId, apiId }, auth.context),
    );
    const answered = this.respond(res, route, r, facts);
    const principalId = typeof auth.context?.principalId === 'string' ? auth.context.principalId : undefined;
    const base = { route, integrationLatency: Date.now() - started, ...(principalId ? { principalId } : {}) };
    if (!answered) return { ...this.refuse(res, m.api, 'DEFAULT_5XX', facts, req, url), ...base };
    return { ...answered, ...base };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    // An origin-form target is prefixed, not resolved: resolved, `//x/...` would parse as a host.
    const target = req.url ?? '/';
    const url = new URL(target.startsWith('/') ? `http://local${target}` : target, 'http://local');
    const method = (req.method ?? 'GET').toUpperCase();
    const m = this.match(method, url.pathname);
    const facts = requestFacts(req, m.stage, m.path, randomUUID());
    const body = await this.readBody(req);
    let outcome: Outcome;
    if (!body) outcome = this.refuse(res, m.api, 'REQUEST_TOO_LARGE', facts, req, url);
    else if (method === 'OPTIONS' && !m.route && this.preflight(res, m.methodAllowed)) outcome = { status: 200, length: 0 };
    // An unknown route (or method) is MISSING_AUTHENTICATION_TOKEN in API Gateway.
    else if (!m.route) outcome = this.refuse(res, m.api, 'MISSING_AUTHENTICATION_TOKEN', facts, req, url);
    else outcome = await this.integrate(req, res, url, { route: m.route, ...(m.api ? { api: m.api } : {}), facts, body });
    this.d.log('api', `${method} ${url.pathname} ${outcome.status} ${Date.now() - started} ms`);
    this.accessLog(m.api, facts, req, outcome, Date.now() - started);
  }

  /** One line in the API's access log group, in its AccessLogSetting Format. */
  private accessLog(api: ApiDef | undefined, facts: RequestFacts, req: IncomingMessage, o: Outcome, latency: number): void {
    if (!api?.accessLog || !this.d.publish) return;
    const vars = contextVariables(facts, req, this.d.template.refs[api.logicalId] ?? 'local', this.d.accountId, o, latency);
    const stream = createHash('md5').update(`${api.logicalId}/${api.stage}`).digest('hex');
    this.d.publish({
      logGroup: api.accessLog.group,
      logStream: stream,
      timestamp: Date.now(),
      message: substituteContext(api.accessLog.format, vars, '-'),
    });
  }
}

/** The $context variables of a request (and of its outcome, once known). */
function contextVariables(
  f: RequestFacts,
  req: IncomingMessage,
  apiId: string,
  accountId: string,
  o?: Outcome,
  latency?: number,
): ContextVariables {
  return {
    accountId,
    apiId,
    requestId: f.requestId,
    extendedRequestId: f.requestId,
    httpMethod: (req.method ?? 'GET').toUpperCase(),
    path: `/${f.stage}${f.path}`,
    resourcePath: o?.route?.path,
    stage: f.stage,
    domainName: f.host,
    protocol: `HTTP/${req.httpVersion}`,
    requestTime: clfTime(f.time),
    requestTimeEpoch: f.time.getTime(),
    xrayTraceId: f.traceId,
    identity: { sourceIp: f.sourceIp, userAgent: String(req.headers['user-agent'] ?? '') },
    status: o?.status,
    responseLength: o?.length,
    responseLatency: latency,
    integrationLatency: o?.integrationLatency,
    authorizer: { principalId: o?.principalId },
    error: { responseType: o?.error },
  };
}

/**
 * Path parameters arrive decoded, as API Gateway passes them. A malformed escape (`%`, `%ZZ`)
 * is handed over as written, so the function's own validation answers it with a 4xx instead
 * of the emulator failing with a 500.
 */
export function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
