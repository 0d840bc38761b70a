/**
 * The local CloudFront: serves the built web app (/app/) and the docs (/docs/) from
 * web/dist, runs the template's viewer-request CloudFront Function on every request and
 * adds the response headers policy's headers, as the distribution does. `/config.json`
 * is generated from the runtime's outputs (in AWS, deploy-web.sh writes it from the stack).
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import type { LocalService, Runtime } from '../types';
import { compileViewerRequest, isResponse, loadEdgeConfig, viewerRequestEvent, type CfHeaders } from './edge-function';
import { closeServer } from '../ports';

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
  port: number;
  /** Site root (default web/dist under the repo). */
  siteDir?: string;
  /** Build the web app when it is missing (default true). */
  build?: boolean;
}

const origin = (url: string | undefined) => {
  try { return url ? new URL(url).origin : undefined; } catch { return undefined; }
};

/** The template's CSP names the cloud endpoints; locally the app talks to the local ones. */
export function localizeCsp(csp: string, connect: string[]): string {
  const directive = `connect-src 'self' ${connect.join(' ')}`.trim();
  return /connect-src [^;]*/.test(csp) ? csp.replace(/connect-src [^;]*/, directive) : `${csp}; ${directive}`;
}

function ensureBuilt(rt: Runtime, siteDir: string, build: boolean): string | undefined {
  const ready = () => existsSync(join(siteDir, 'app', 'index.html')) && existsSync(join(siteDir, 'docs', 'index.html'));
  if (ready()) return undefined;
  if (!build) return 'the web app is not built: run `npm run web:build`';
  rt.log('edge', 'web app not built yet: running `npm run web:build` (once)');
  const r = spawnSync('npm', ['run', 'web:build'], { cwd: rt.rootDir, encoding: 'utf8', timeout: 180_000 });
  if (r.status !== 0 || !ready()) return `\`npm run web:build\` failed (${r.error?.message ?? `exit ${r.status}`}): ${(r.stderr ?? '').slice(-500)}`;
  return undefined;
}

export async function startEdge(rt: Runtime, opts: EdgeOptions): Promise<LocalService> {
  const siteDir = opts.siteDir ?? join(rt.rootDir, 'web', 'dist');
  const cfg = loadEdgeConfig(rt.rootDir);
  const viewerRequest = cfg.viewerRequestCode ? compileViewerRequest(cfg.viewerRequestCode) : undefined;
  if (!viewerRequest) rt.log('edge', 'no CloudFront Function in the template: serving without one');
  const notBuilt = ensureBuilt(rt, siteDir, opts.build !== false);
  if (notBuilt) rt.log('edge', notBuilt);

  const outputs = (): Record<string, string> => {
    const p = join(rt.stateDir, 'outputs.json');
    // outputs.json is written once every service is up; until then the endpoints stand in.
    const file = existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as Record<string, string>) : {};
    return { ...rt.endpoints, ...file };
  };
  const policyHeaders = (): Record<string, string> => {
    const o = outputs();
    const h = { ...cfg.responseHeaders };
    if (h['content-security-policy']) {
      h['content-security-policy'] = localizeCsp(h['content-security-policy'], [o.APIEndpoint, o.CognitoEndpoint, o.S3Endpoint].map(origin).filter((x): x is string => !!x));
    }
    // HSTS over plain-HTTP loopback would be ignored by browsers anyway; keep it to mirror the cloud.
    return h;
  };
  const appConfig = () => {
    const o = outputs();
    return {
      apiUrl: o.APIEndpoint,
      region: o.Region ?? rt.region,
      userPoolId: o.UserPoolId ?? o.UserPool,
      clientId: o.UserPoolClientId ?? o.UserPoolClient,
      cognitoEndpoint: o.CognitoEndpoint,
      // The template's CognitoHostedUIURL, localized: the hosted UI on the Cognito port.
      hostedUiUrl: o.CognitoHostedUIURL ?? o.CognitoEndpoint,
    };
  };

  const send = (res: ServerResponse, status: number, headers: Record<string, string>, body?: string | Buffer) => {
    res.writeHead(status, { ...headers, ...policyHeaders() });
    res.end(body);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://edge.local');
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, { 'content-type': 'text/plain', allow: 'GET, HEAD' }, 'Method not allowed');
    let uri = decodeURIComponent(url.pathname);
    if (viewerRequest) {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
      const out = await viewerRequest(viewerRequestEvent(uri, { method: req.method, query: url.search.slice(1), headers, host: req.headers.host }));
      if (isResponse(out)) {
        const h: Record<string, string> = {};
        for (const [k, v] of Object.entries(out.headers ?? ({} as CfHeaders))) h[k] = v.value;
        const body = typeof out.body === 'string' ? out.body : out.body ? Buffer.from(out.body.data, out.body.encoding === 'base64' ? 'base64' : 'utf8') : undefined;
        return send(res, out.statusCode, h, body);
      }
      uri = out.uri;
    }
    if (uri === '/config.json') return send(res, 200, { 'content-type': 'application/json', 'cache-control': 'no-store' }, JSON.stringify(appConfig()));
    if (notBuilt && (uri.startsWith('/app/') || uri.startsWith('/docs/'))) {
      return send(res, 503, { 'content-type': 'text/plain; charset=utf-8' }, `The web app is not available: ${notBuilt}\n`);
    }
    // Resolve inside the site root only (no ../ escapes).
    const file = normalize(join(siteDir, uri));
    if (!file.startsWith(siteDir + sep) || !existsSync(file) || !statSync(file).isFile()) {
      return send(res, 404, { 'content-type': 'text/plain; charset=utf-8' }, 'Not found\n');
    }
    const hashed = /\/assets\//.test(uri);
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'content-length': String(statSync(file).size),
      // Vite's hashed assets never change; everything else is revalidated.
      'cache-control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
      ...policyHeaders(),
    });
    if (req.method === 'HEAD') return void res.end();
    createReadStream(file).pipe(res);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: Error) => {
      rt.log('edge', `error on ${req.url}: ${e.message}`);
      if (!res.headersSent) send(res, 502, { 'content-type': 'text/plain' }, 'The CloudFront Function failed\n');
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const base = `http://127.0.0.1:${port}`;
  rt.endpoints.WebURL = `${base}/app/`;
  rt.endpoints.DocsURL = `${base}/docs/`;
  return {
    name: 'edge',
    url: base,
    describe: () => [`edge: web app ${base}/app/, docs ${base}/docs/ (CloudFront Function from ${cfg.source.startsWith(rt.rootDir) ? cfg.source.slice(rt.rootDir.length + 1) : cfg.source})`],
    stop: () => closeServer(server),
  };
}
