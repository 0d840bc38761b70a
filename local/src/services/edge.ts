/**
 * The local CloudFront: serves the built web app (/app/) and the docs (/docs/) from
 * web/dist, runs the template's viewer-request CloudFront Function on every request and
 * adds the response headers policy's headers (the CSP's connect-src pointed at the local
 * endpoints), as the distribution does. `/config.json` is generated from the runtime's
 * outputs (in AWS, deploy-web.sh writes it from the stack).
 * Not emulated: the distribution's cache behaviours, origins and caching (paths are fixed:
 * /app/, /docs/, /config.json), origin access control, TLS, Lambda@Edge, geo restrictions.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import type { ResourceKind, ServiceContext, ServiceModule, StartedService } from '../contract';
import { notEmulated } from '../kinds';
import { closeServer, listenLoopback } from '../ports';
import { ALNUM, declaredName, stableId } from '../template';
import { ensureWebBuilt, webBuildState } from './web-build';
import { compileViewerRequest, isResponse, loadEdgeConfig, viewerRequestEvent, type ViewerRequestFunction } from './edge-function';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

export interface EdgeOptions {
  port?: number;
  /** Site root (default web/dist under the repo). */
  siteDir?: string;
  /** Build the web app when it is missing or its sources changed (default true). */
  build?: boolean;
}

const origin = (url: string | undefined) => {
  try {
    return url ? new URL(url).origin : undefined;
  } catch {
    return undefined;
  }
};

/** The template's CSP names the cloud endpoints; locally the app talks to the local ones. */
export function localizeCsp(csp: string, connect: string[]): string {
  const directive = `connect-src 'self' ${connect.join(' ')}`.trim();
  return /connect-src [^;]*/.test(csp) ? csp.replace(/connect-src [^;]*/, directive) : `${csp}; ${directive}`;
}

type Send = (res: ServerResponse, status: number, headers: Record<string, string>, body?: string | Buffer) => void;

/** The viewer-request function's verdict: a response of its own, or the (rewritten) uri. */
async function viewerRequestOf(
  fn: ViewerRequestFunction,
  req: IncomingMessage,
  uri: string,
  url: URL,
): Promise<{ uri: string; response?: { status: number; headers: Record<string, string>; body?: string | Buffer } }> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
  const out = await fn(viewerRequestEvent(uri, { method: req.method, query: url.search.slice(1), headers, host: req.headers.host }));
  if (!isResponse(out)) return { uri: out.uri };
  const h: Record<string, string> = {};
  for (const [k, v] of Object.entries(out.headers ?? {})) h[k] = v.value;
  const body =
    typeof out.body === 'string'
      ? out.body
      : out.body
        ? Buffer.from(out.body.data, out.body.encoding === 'base64' ? 'base64' : 'utf8')
        : undefined;
  return { uri, response: { status: out.statusCode, headers: h, body } };
}

/** A file of the site root (no ../ escapes); hashed assets are immutable, the rest revalidated. */
function serveFile(
  req: IncomingMessage,
  res: ServerResponse,
  siteDir: string,
  uri: string,
  policy: Record<string, string>,
  send: Send,
): void {
  const file = normalize(join(siteDir, uri));
  if (!file.startsWith(siteDir + sep) || !existsSync(file) || !statSync(file).isFile()) {
    return send(res, 404, { 'content-type': 'text/plain; charset=utf-8' }, 'Not found\n');
  }
  res.writeHead(200, {
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    'content-length': String(statSync(file).size),
    // Vite's hashed assets never change; everything else is revalidated.
    'cache-control': /\/assets\//.test(uri) ? 'public, max-age=31536000, immutable' : 'no-cache',
    ...policy,
  });
  if (req.method === 'HEAD') return void res.end();
  createReadStream(file).pipe(res);
}

export async function startEdge(ctx: ServiceContext, opts: EdgeOptions = {}): Promise<StartedService> {
  const siteDir = opts.siteDir ?? join(ctx.rootDir, 'web', 'dist');
  const cfg = loadEdgeConfig(ctx.rootDir);
  const viewerRequest = cfg.viewerRequestCode ? compileViewerRequest(cfg.viewerRequestCode) : undefined;
  if (!viewerRequest) ctx.log('edge', 'no CloudFront Function in the template: serving without one');
  // Rebuilt when its sources changed (web-build.ts), so an edit or a pull never serves a stale app.
  const failed = opts.build === false ? undefined : await ensureWebBuilt({ rootDir: ctx.rootDir, siteDir, log: (m) => ctx.log('edge', m) });
  const missing = webBuildState(ctx.rootDir, siteDir) === 'missing';
  const notBuilt = missing ? (failed ?? 'the web app is not built: run `npm run web:build`') : undefined;
  if (failed || notBuilt) ctx.log('edge', missing ? notBuilt! : `${failed}: serving the previous build`);
  const o = ctx.outputs;
  const policy = { ...cfg.responseHeaders };
  // HSTS over plain-HTTP loopback would be ignored by browsers anyway; kept to mirror the cloud.
  if (policy['content-security-policy'])
    policy['content-security-policy'] = localizeCsp(
      policy['content-security-policy'],
      [o.APIEndpoint, o.CognitoEndpoint, o.S3Endpoint].map(origin).filter((x): x is string => !!x),
    );
  const appConfig = JSON.stringify({
    apiUrl: o.APIEndpoint,
    region: o.Region ?? ctx.region,
    userPoolId: o.UserPoolId ?? o.UserPool,
    clientId: o.UserPoolClientId ?? o.UserPoolClient,
    cognitoEndpoint: o.CognitoEndpoint,
    // The template's CognitoHostedUIURL, localized: the hosted UI on the Cognito port.
    hostedUiUrl: o.CognitoHostedUIURL ?? o.CognitoEndpoint,
  });
  const send: Send = (res, status, headers, body) => {
    res.writeHead(status, { ...headers, ...policy });
    res.end(body);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://edge.local');
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return send(res, 405, { 'content-type': 'text/plain', allow: 'GET, HEAD' }, 'Method not allowed');
    let uri = decodeURIComponent(url.pathname);
    if (viewerRequest) {
      const v = await viewerRequestOf(viewerRequest, req, uri, url);
      if (v.response) return send(res, v.response.status, v.response.headers, v.response.body);
      uri = v.uri;
    }
    if (uri === '/config.json') return send(res, 200, { 'content-type': 'application/json', 'cache-control': 'no-store' }, appConfig);
    if (notBuilt && (uri.startsWith('/app/') || uri.startsWith('/docs/')))
      return send(res, 503, { 'content-type': 'text/plain; charset=utf-8' }, `The web app is not available: ${notBuilt}\n`);
    serveFile(req, res, siteDir, uri, policy, send);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: Error) => {
      ctx.log('edge', `error on ${req.url}: ${e.message}`);
      if (!res.headersSent) send(res, 502, { 'content-type': 'text/plain' }, 'The CloudFront Function failed\n');
      else res.destroy();
    });
  });
  const base = `http://127.0.0.1:${await listenLoopback(server, opts.port ?? ctx.port)}`;
  const source = cfg.source.startsWith(ctx.rootDir) ? cfg.source.slice(ctx.rootDir.length + 1) : cfg.source;
  return {
    url: base,
    describe: () => [`edge: web app ${base}/app/, docs ${base}/docs/ (CloudFront Function from ${source})`],
    stop: () => closeServer(server),
  };
}

/** The local edge's host (what GetAtt Distribution.DomainName gives locally), or a CloudFront-shaped one. */
const domainOf = (ctx: { urls: Readonly<Record<string, string>>; stackName: string }, logicalId: string) =>
  ctx.urls.edge
    ? new URL(ctx.urls.edge).host
    : `d${stableId(`${ctx.stackName}/${logicalId}`, 13, 'abcdefghijklmnopqrstuvwxyz0123456789')}.cloudfront.net`;
const cloudFrontId = (ctx: { stackName: string }, logicalId: string) =>
  `E${stableId(`${ctx.stackName}/${logicalId}/cf`, 13, ALNUM).toUpperCase()}`;

const functionKind: ResourceKind = {
  types: ['AWS::CloudFront::Function'],
  physicalId: (r, ctx) => `arn:aws:cloudfront::${ctx.accountId}:function/${declaredName(r, 'Name', ctx)}`,
  arn: (r) => r.ref,
  getAtt: (attr, r) => (attr === 'FunctionARN' || attr === 'FunctionMetadata.FunctionARN' ? r.ref : attr === 'Stage' ? 'LIVE' : undefined),
};

const headersPolicyKind: ResourceKind = {
  types: ['AWS::CloudFront::ResponseHeadersPolicy'],
  physicalId: (r, ctx) => cloudFrontId(ctx, r.logicalId),
  getAtt: (attr, r) => (attr === 'Id' ? r.ref : undefined),
};

const distributionKind = notEmulated(
  ['AWS::CloudFront::Distribution'],
  'CloudFront distributions',
  'the edge serves web/dist in their place (cache behaviours and origins are not read)',
  {
    physicalId: (r, ctx) => cloudFrontId(ctx, r.logicalId),
    getAtt: (attr, r, ctx) => (attr === 'DomainName' ? domainOf(ctx, r.logicalId) : attr === 'Id' ? r.ref : undefined),
  },
);

const originAccessControlKind = notEmulated(
  ['AWS::CloudFront::OriginAccessControl'],
  'CloudFront origin access controls',
  'the edge reads web/dist directly',
  {
    physicalId: (r, ctx) => cloudFrontId(ctx, r.logicalId),
    getAtt: (attr, r) => (attr === 'Id' ? r.ref : undefined),
  },
);

export const edgeService: ServiceModule = {
  name: 'edge',
  port: 8080,
  endpoints: (url) => ({ WebURL: `${url}/app/`, DocsURL: `${url}/docs/` }),
  kinds: [functionKind, headersPolicyKind, distributionKind, originAccessControlKind],
  // `https://${Distribution.DomainName}` (the app client's callback URLs, WebURL) is the edge's plain-http origin.
  localize: (value, ctx) => {
    if (!ctx.urls.edge) return undefined;
    const { host, origin } = new URL(ctx.urls.edge);
    return value.includes(`https://${host}`) ? value.split(`https://${host}`).join(origin) : undefined;
  },
  start: (ctx) => startEdge(ctx),
};
