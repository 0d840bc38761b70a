/**
 * Runs a CloudFront Function (cloudfront-js-2.0, viewer-request) as CloudFront would: the
 * template's inline FunctionCode evaluated in its own vm context with no Node globals
 * (no require, process or timers), `handler(event)` called with a CloudFront-shaped event.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { loadTemplateFile, type JsonObject } from '../template';

export interface CfHeader {
  value: string;
  multiValue?: { value: string }[];
}
export type CfHeaders = Record<string, CfHeader>;
export interface CfRequest {
  method: string;
  uri: string;
  querystring: Record<string, { value: string; multiValue?: { value: string }[] }>;
  headers: CfHeaders;
  cookies: Record<string, { value: string }>;
}
export interface CfResponse {
  statusCode: number;
  statusDescription?: string;
  headers?: CfHeaders;
  body?: string | { data: string; encoding: 'text' | 'base64' };
}
export interface ViewerRequestEvent {
  version: '1.0';
  context: { distributionDomainName: string; distributionId: string; eventType: 'viewer-request'; requestId: string };
  viewer: { ip: string };
  request: CfRequest;
}

/** Which of the two a viewer-request function returned. */
export const isResponse = (r: CfRequest | CfResponse): r is CfResponse => typeof (r as CfResponse).statusCode === 'number';

/**
 * CloudFront's limit for a viewer function is about 1 ms of compute. This is wall-clock time on
 * a shared laptop or CI box, so it is generous: it exists to stop an endless loop, not to
 * measure the function (a 50 ms limit failed start-up on a loaded 2-core machine).
 */
const TIMEOUT_MS = 1000;

export type ViewerRequestFunction = (event: ViewerRequestEvent) => Promise<CfRequest | CfResponse>;

export function compileViewerRequest(code: string): ViewerRequestFunction {
  // Return handler from the script; cloudfront-js-2.0 allows sync or async handlers.
  const fn = runInNewContext(`${code}\n;handler`, Object.create(null) as object, {
    timeout: TIMEOUT_MS,
    filename: 'cloudfront-function.js',
  }) as unknown;
  if (typeof fn !== 'function') throw new Error('CloudFront Function code defines no handler(event)');
  return async (event) => {
    // A copy through JSON, so the function cannot reach objects of this realm.
    const result = (await (fn as (e: unknown) => unknown)(JSON.parse(JSON.stringify(event)))) as CfRequest | CfResponse;
    if (!result || typeof result !== 'object') throw new Error('CloudFront Function returned neither a request nor a response');
    return JSON.parse(JSON.stringify(result)) as CfRequest | CfResponse;
  };
}

export function viewerRequestEvent(
  uri: string,
  opts: { method?: string; query?: string; headers?: Record<string, string>; host?: string } = {},
): ViewerRequestEvent {
  const querystring: CfRequest['querystring'] = {};
  for (const [k, v] of new URLSearchParams(opts.query ?? '')) querystring[k] = { value: v };
  const headers: CfHeaders = {};
  for (const [k, v] of Object.entries({ host: opts.host ?? 'd111111abcdef8.cloudfront.net', ...opts.headers }))
    headers[k.toLowerCase()] = { value: v };
  return {
    version: '1.0',
    context: {
      distributionDomainName: opts.host ?? 'd111111abcdef8.cloudfront.net',
      distributionId: 'ELOCAL',
      eventType: 'viewer-request',
      requestId: `local-${Date.now().toString(36)}`,
    },
    viewer: { ip: '127.0.0.1' },
    request: { method: opts.method ?? 'GET', uri, querystring, headers, cookies: {} },
  };
}

export interface EdgeConfig {
  /** Inline code of the viewer-request function, if the template has one. */
  viewerRequestCode?: string;
  /** Headers of the response headers policy (lower-case names). */
  responseHeaders: Record<string, string>;
}

const obj = (v: unknown): JsonObject | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as JsonObject) : undefined);
const str = (v: unknown): string | undefined => {
  if (typeof v === 'string') return v;
  // A !Sub string: its text, with the ${...} left for the caller to rewrite.
  const sub = obj(v)?.['Fn::Sub'];
  if (typeof sub === 'string') return sub;
  if (Array.isArray(sub) && typeof sub[0] === 'string') return sub[0];
  return undefined;
};

/** The Strict-Transport-Security value of a response headers policy's StrictTransportSecurity. */
function hstsHeader(hsts: JsonObject): string {
  const maxAge = hsts.AccessControlMaxAgeSec;
  if (typeof maxAge !== 'number' && typeof maxAge !== 'string')
    throw new Error(`StrictTransportSecurity.AccessControlMaxAgeSec: expected a number, got ${JSON.stringify(maxAge)}`);
  return [`max-age=${maxAge}`, hsts.IncludeSubdomains ? 'includeSubDomains' : '', hsts.Preload ? 'preload' : ''].filter(Boolean).join('; ');
}

/** Reads the CloudFront Function and the response headers policy from a raw template. */
export function edgeConfigFromTemplate(raw: JsonObject): EdgeConfig {
  const resources = Object.values(obj(raw.Resources) ?? {}).map(obj);
  const fnRes = resources.find(
    (r) => r?.Type === 'AWS::CloudFront::Function' && str(obj(obj(r.Properties)?.FunctionConfig)?.Runtime)?.startsWith('cloudfront-js'),
  );
  const viewerRequestCode = str(obj(fnRes?.Properties)?.FunctionCode);
  const responseHeaders: Record<string, string> = {};
  const policy = resources.find((r) => r?.Type === 'AWS::CloudFront::ResponseHeadersPolicy');
  const cfg = obj(obj(policy?.Properties)?.ResponseHeadersPolicyConfig);
  const sec = obj(cfg?.SecurityHeadersConfig);
  if (sec) {
    const hsts = obj(sec.StrictTransportSecurity);
    if (hsts) responseHeaders['strict-transport-security'] = hstsHeader(hsts);
    if (sec.ContentTypeOptions) responseHeaders['x-content-type-options'] = 'nosniff';
    const frame = str(obj(sec.FrameOptions)?.FrameOption);
    if (frame) responseHeaders['x-frame-options'] = frame;
    const ref = str(obj(sec.ReferrerPolicy)?.ReferrerPolicy);
    if (ref) responseHeaders['referrer-policy'] = ref;
    const csp = str(obj(sec.ContentSecurityPolicy)?.ContentSecurityPolicy);
    if (csp) responseHeaders['content-security-policy'] = csp;
    const xss = obj(sec.XSSProtection);
    if (xss) responseHeaders['x-xss-protection'] = xss.Protection ? `1${xss.ModeBlock ? '; mode=block' : ''}` : '0';
  }
  for (const item of (obj(obj(cfg?.CustomHeadersConfig))?.Items as unknown[] | undefined) ?? []) {
    const h = obj(item);
    const name = str(h?.Header);
    const value = str(h?.Value);
    if (name && value !== undefined) responseHeaders[name.toLowerCase()] = value;
  }
  return { viewerRequestCode, responseHeaders };
}

/** The edge config from template.yaml, or from web/edge/cloudfront.yaml when the template has no edge section. */
export function loadEdgeConfig(rootDir: string, templatePath = join(rootDir, 'template.yaml')): EdgeConfig & { source: string } {
  if (existsSync(templatePath)) {
    const cfg = edgeConfigFromTemplate(loadTemplateFile(templatePath));
    if (cfg.viewerRequestCode) return { ...cfg, source: templatePath };
  }
  const fragment = join(rootDir, 'web', 'edge', 'cloudfront.yaml');
  return { ...edgeConfigFromTemplate(loadTemplateFile(fragment)), source: fragment };
}
