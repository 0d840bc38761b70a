/**
 * The API Gateway REST API server (service.ts is the module): routes from
 * AWS::Serverless::Api and the functions' Api events, Lambda proxy events in API Gateway's
 * shape, a cached TOKEN authorizer with IAM policy evaluation, CORS from the template.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { resourcesOfType, textOf, type ResolvedTemplate } from '../template';
import type { InvokeResult } from '../contract';
import { closeServer, listenLoopback } from '../ports';
import { authorizerOutcome, UNAUTHORIZED, type GatewayResponse } from './authorizer-result';

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
    apis[id] = {
      logicalId: id,
      stage: textOf(p.StageName, 'Prod', `${id} StageName`),
      authorizers,
      ...(typeof auth.DefaultAuthorizer === 'string' ? { defaultAuthorizer: auth.DefaultAuthorizer } : {}),
      ...(cors ? { cors } : {}),
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
}

export class ApiGateway {
  readonly routes: Route[];
  readonly apis: Record<string, ApiDef>;
  private cache = new Map<string, { policy: Policy; expires: number }>();
  private server?: Server;

  constructor(private d: ApiServerDeps) {
    const { apis, routes } = apisFromTemplate(d.template, d.functionIdOf);
    this.apis = apis;
    this.routes = routes;
  }

  listen(port: number): Promise<number> {
    this.server = createServer((req, res) => {
      // A fault here must answer 500, never crash the runtime with an unhandled rejection.
      this.handle(req, res).catch((e: Error) => {
        this.d.log('api', `internal error: ${e.stack ?? e.message}`);
        if (!res.headersSent) this.send(res, 500, { message: 'Internal server error' });
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
  private match(method: string, rawPath: string): { route?: Route; stage: string; path: string; methodAllowed: boolean } {
    const apiDefs = Object.values(this.apis);
    let path = rawPath;
    let stage = apiDefs[0]?.stage ?? 'Prod';
    for (const a of apiDefs) {
      if (path === `/${a.stage}` || path.startsWith(`/${a.stage}/`)) {
        path = path.slice(a.stage.length + 1) || '/';
        stage = a.stage;
        break;
      }
    }
    let methodAllowed = false;
    for (const r of this.routes) {
      if (!r.pattern.test(path)) continue;
      methodAllowed = true;
      if (r.method === method || r.method === 'ANY') return { route: r, stage, path, methodAllowed };
    }
    return { stage, path, methodAllowed };
  }

  private corsHeaders(): Record<string, string> {
    const c = Object.values(this.apis).find((a) => a.cors)?.cors;
    if (!c) return {};
    return { 'access-control-allow-origin': c.origin, ...(c.credentials ? { 'access-control-allow-credentials': 'true' } : {}) };
  }

  private send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-requestid': randomUUID(), ...this.corsHeaders(), ...headers });
    res.end(text);
  }

  /** The preflight answer for a path some route serves, from the API's Cors settings. */
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
   * authorizer context for the event, or the answer to refuse with. A thrown "Unauthorized"
   * is a 401; any other failure a 500, as API Gateway answers (authorizer-result.ts).
   */
  private async authorize(
    route: Route,
    req: IncomingMessage,
    methodArn: string,
  ): Promise<{ context?: Record<string, unknown>; refuse?: GatewayResponse }> {
    if (!route.authorizer) return {};
    const a = this.apis[route.apiId]!.authorizers[route.authorizer];
    if (!a) return { refuse: { status: 500, body: { message: `Authorizer ${route.authorizer} not found` }, headers: {} } };
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
    if (evaluatePolicy(cached.policy, methodArn) !== 'Allow') {
      return {
        refuse: {
          status: 403,
          body: { Message: 'User is not authorized to access this resource with an explicit deny' },
          headers: { 'x-amzn-errortype': 'AccessDeniedException' },
        },
      };
    }
    return {
      context: { principalId: cached.policy.principalId, ...(cached.policy.context ?? {}), integrationLatency: Date.now() - authStart },
    };
  }

  /** The Lambda proxy integration's event. */
  private proxyEvent(
    req: IncomingMessage,
    url: URL,
    m: { route: Route; stage: string; path: string },
    body: Buffer,
    requestId: string,
    authorizer?: Record<string, unknown>,
  ): Record<string, unknown> {
    const { route, stage, path } = m;
    const headers: Record<string, string> = {};
    const multiHeaders: Record<string, string[]> = {};
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      headers[req.rawHeaders[i]!] = req.rawHeaders[i + 1]!;
      (multiHeaders[req.rawHeaders[i]!] ??= []).push(req.rawHeaders[i + 1]!);
    }
    const query: Record<string, string> = {};
    const multiQuery: Record<string, string[]> = {};
    for (const [k, v] of url.searchParams) {
      query[k] = v;
      (multiQuery[k] ??= []).push(v);
    }
    const match = route.pattern.exec(path)!;
    const ct = String(req.headers['content-type'] ?? '');
    const binary = body.length > 0 && !/^(text\/|application\/(json|xml|x-www-form-urlencoded|.*\+json))/i.test(ct) && ct !== '';
    const now = new Date();
    const method = (req.method ?? 'GET').toUpperCase();
    return {
      resource: route.path,
      path: url.pathname,
      httpMethod: method,
      headers,
      multiValueHeaders: multiHeaders,
      queryStringParameters: Object.keys(query).length ? query : null,
      multiValueQueryStringParameters: Object.keys(multiQuery).length ? multiQuery : null,
      pathParameters: route.params.length ? Object.fromEntries(route.params.map((p, i) => [p, decodePathSegment(match[i + 1]!)])) : null,
      stageVariables: null,
      requestContext: {
        accountId: this.d.accountId,
        apiId: this.d.template.refs[route.apiId] ?? 'local',
        resourceId: 'local',
        resourcePath: route.path,
        httpMethod: method,
        path: `/${stage}${path}`,
        stage,
        requestId,
        extendedRequestId: requestId,
        protocol: `HTTP/${req.httpVersion}`,
        requestTime: now.toUTCString(),
        requestTimeEpoch: now.getTime(),
        domainName: String(req.headers.host ?? '127.0.0.1'),
        identity: {
          sourceIp: req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1',
          userAgent: String(req.headers['user-agent'] ?? ''),
        },
        ...(authorizer ? { authorizer } : {}),
      },
      body: body.length ? (binary ? body.toString('base64') : body.toString('utf8')) : null,
      isBase64Encoded: binary,
    };
  }

  /** The function's proxy response as the HTTP answer: its status, or undefined if it is not one (502). */
  private respond(res: ServerResponse, route: Route, r: InvokeResult, requestId: string): number | undefined {
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
      this.send(res, 502, { message: 'Internal server error' });
      return undefined;
    }
    const h: Record<string, string | string[]> = { 'x-amzn-requestid': requestId, ...this.corsHeaders() };
    for (const [k, v] of Object.entries(out.headers ?? {})) h[k.toLowerCase()] = String(v);
    for (const [k, v] of Object.entries(out.multiValueHeaders ?? {})) h[k.toLowerCase()] = v.map(String);
    h['content-type'] ??= 'application/json';
    res.writeHead(out.statusCode, h);
    res.end(out.body ? (out.isBase64Encoded ? Buffer.from(out.body, 'base64') : out.body) : undefined);
    return out.statusCode;
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

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    // An origin-form target is prefixed, not resolved: resolved, `//x/...` would parse as a host.
    const target = req.url ?? '/';
    const url = new URL(target.startsWith('/') ? `http://local${target}` : target, 'http://local');
    const method = (req.method ?? 'GET').toUpperCase();
    const body = await this.readBody(req);
    if (!body) return this.send(res, 413, { message: 'Request Too Long' });
    const { route, stage, path, methodAllowed } = this.match(method, url.pathname);
    if (method === 'OPTIONS' && !route && this.preflight(res, methodAllowed)) return;
    if (!route) {
      // API Gateway answers an unknown route with 403 "Missing Authentication Token"; SPEC 4 asks for JSON 404.
      return this.send(res, 404, {
        error: { code: 'NOT_FOUND', message: `No route for ${method} ${url.pathname}` },
        requestId: randomUUID(),
      });
    }
    const requestId = randomUUID();
    const methodArn = `arn:aws:execute-api:${this.d.region}:${this.d.accountId}:${this.d.template.refs[route.apiId] ?? 'local'}/${stage}/${method}${path}`;
    const auth = await this.authorize(route, req, methodArn);
    if (auth.refuse) {
      if (auth.refuse.log) this.d.log('api', `${method} ${url.pathname}: ${auth.refuse.log}`);
      return this.send(res, auth.refuse.status, auth.refuse.body, auth.refuse.headers);
    }
    const r = await this.d.invoke(route.functionId, this.proxyEvent(req, url, { route, stage, path }, body, requestId, auth.context));
    const status = this.respond(res, route, r, requestId);
    if (status !== undefined) this.d.log('api', `${method} ${url.pathname} ${status} ${Date.now() - started} ms`);
  }
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
