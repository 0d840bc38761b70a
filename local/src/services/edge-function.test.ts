/**
 * The template's viewer-request CloudFront Function, run as CloudFront runs it
 * (cloudfront-js-2.0 in an isolated context) with CloudFront-shaped events.
 */
import { join } from 'node:path';
import { compileViewerRequest, isResponse, loadEdgeConfig, viewerRequestEvent, type CfRequest, type CfResponse } from './edge-function';

const root = join(__dirname, '..', '..', '..');
const cfg = loadEdgeConfig(root);
const run = compileViewerRequest(cfg.viewerRequestCode ?? '');

async function asResponse(uri: string): Promise<CfResponse> {
  const out = await run(viewerRequestEvent(uri));
  if (!isResponse(out)) throw new Error(`${uri}: expected a response, got request ${out.uri}`);
  return out;
}
async function asRequest(uri: string): Promise<CfRequest> {
  const out = await run(viewerRequestEvent(uri));
  if (isResponse(out)) throw new Error(`${uri}: expected the request to pass, got ${out.statusCode}`);
  return out;
}

describe('viewer-request CloudFront Function', () => {
  it('is declared inline as cloudfront-js-2.0 code', () => {
    expect(cfg.viewerRequestCode).toMatch(/function handler\(event\)/);
  });

  it('redirects / to /docs/ with security headers on the redirect', async () => {
    const res = await asResponse('/');
    expect(res.statusCode).toBe(302);
    expect(res.headers?.location?.value).toBe('/docs/');
    expect(res.headers?.['strict-transport-security']?.value).toMatch(/max-age=\d{7,}/);
    expect(res.headers?.['x-content-type-options']?.value).toBe('nosniff');
  });

  it('adds the trailing slash to /docs and /app', async () => {
    expect((await asResponse('/docs')).headers?.location?.value).toBe('/docs/');
    expect((await asResponse('/app')).headers?.location?.value).toBe('/app/');
  });

  it('serves /docs/ from its index document and marks the request as HTTPS', async () => {
    const req = await asRequest('/docs/');
    expect(req.uri).toBe('/docs/index.html');
    expect(req.headers['x-viewer-protocol']?.value).toBe('https');
  });

  it('passes assets through unchanged', async () => {
    expect((await asRequest('/app/assets/index-3f9a1c.js')).uri).toBe('/app/assets/index-3f9a1c.js');
    expect((await asRequest('/docs/swagger-ui.css')).uri).toBe('/docs/swagger-ui.css');
    expect((await asRequest('/config.json')).uri).toBe('/config.json');
  });

  it('falls back to the app shell for client routes', async () => {
    expect((await asRequest('/app/orders')).uri).toBe('/app/index.html');
    expect((await asRequest('/app/orders/ord-123')).uri).toBe('/app/index.html');
    expect((await asRequest('/app/todos/')).uri).toBe('/app/index.html');
  });

  it('keeps the query string and headers it did not touch', async () => {
    const out = await run(viewerRequestEvent('/app/assets/a.js', { query: 'v=2', headers: { 'Accept-Encoding': 'br' } }));
    expect(isResponse(out)).toBe(false);
    const req = out as CfRequest;
    expect(req.querystring.v?.value).toBe('2');
    expect(req.headers['accept-encoding']?.value).toBe('br');
  });

  it('has no Node globals in its context', async () => {
    const probe = compileViewerRequest(
      'function handler(event) { return { statusCode: 200, body: typeof require + "," + typeof process }; }',
    );
    const out = (await probe(viewerRequestEvent('/'))) as CfResponse;
    expect(out.body).toBe('undefined,undefined');
  });

  it('reads the security headers of the response headers policy', () => {
    expect(cfg.responseHeaders['strict-transport-security']).toMatch(/^max-age=\d+; includeSubDomains/);
    expect(cfg.responseHeaders['x-content-type-options']).toBe('nosniff');
    expect(cfg.responseHeaders['x-frame-options']).toBe('DENY');
    expect(cfg.responseHeaders['referrer-policy']).toBe('strict-origin-when-cross-origin');
    expect(cfg.responseHeaders['content-security-policy']).toMatch(/script-src 'self'[;]/);
    expect(cfg.responseHeaders['content-security-policy']).toMatch(/connect-src [^;]*cognito-idp/);
  });
});
