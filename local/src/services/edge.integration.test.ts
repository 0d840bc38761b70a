/**
 * The local edge on its own: a real HTTP server on a free port serving the built site
 * (web/dist, built by `npm run web:build` if missing) through the template's CloudFront Function.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StartedService } from '../contract';
import { serviceContext } from '../../test/service-context';
import { localizeCsp, startEdge } from './edge';

const rootDir = join(__dirname, '..', '..', '..');
let stateDir: string;
let svc: StartedService;
let base: string;
const logs: string[] = [];

/** Raw GET (fetch would follow redirects and hide the 302). */
function get(path: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method: 'GET', timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'myapp-edge-'));
  const endpoints: Record<string, string> = {
    APIEndpoint: 'http://127.0.0.1:39001/Prod',
    CognitoEndpoint: 'http://127.0.0.1:39002',
    S3Endpoint: 'http://127.0.0.1:39003',
  };
  const outputs = { ...endpoints, Region: 'eu-west-1', UserPoolId: 'eu-west-1_Abc123', UserPoolClientId: 'client123' };
  const rt = serviceContext({ rootDir, stateDir, outputs, region: 'eu-west-1', log: (_s: string, m: string) => logs.push(m) });
  svc = await startEdge(rt, { port: 0 });
  base = svc.url!;
}, 180_000);

afterAll(async () => {
  await svc?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

describe('local edge', () => {
  it('redirects / to /docs/ through the CloudFront Function', async () => {
    const r = await get('/');
    expect(r.status).toBe(302);
    expect(r.headers.location).toBe('/docs/');
  });

  it('serves the docs index with the response headers policy, CSP localized', async () => {
    const r = await get('/docs/');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/text\/html/);
    expect(r.body).toContain('swagger-ui-bundle.js');
    expect(r.body).not.toMatch(/<script>[^<]/); // no inline scripts
    expect(r.headers['x-frame-options']).toBe('DENY');
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['content-security-policy']).toContain(
      "connect-src 'self' http://127.0.0.1:39001 http://127.0.0.1:39002 http://127.0.0.1:39003",
    );
  });

  it('falls back to the app shell for client routes and serves hashed assets immutable', async () => {
    const shell = await get('/app/orders/abc');
    expect(shell.status).toBe(200);
    const asset = /src="(\/app\/assets\/[^"]+\.js)"/.exec(shell.body)?.[1];
    expect(asset).toBeDefined();
    const js = await get(asset!);
    expect(js.status).toBe(200);
    expect(js.headers['cache-control']).toContain('immutable');
  });

  it('generates /config.json from the runtime outputs', async () => {
    const r = await get('/config.json');
    // Without a CognitoHostedUIURL output, the hosted UI is the Cognito endpoint (as `npm start` serves it).
    expect(JSON.parse(r.body)).toEqual({
      apiUrl: 'http://127.0.0.1:39001/Prod',
      region: 'eu-west-1',
      userPoolId: 'eu-west-1_Abc123',
      clientId: 'client123',
      cognitoEndpoint: 'http://127.0.0.1:39002',
      hostedUiUrl: 'http://127.0.0.1:39002',
    });
  });

  it('stays inside the site root and answers 404 for missing files', async () => {
    expect((await get('/docs/..%2f..%2fpackage.json')).status).toBe(404);
    expect((await get('/docs/nope.js')).status).toBe(404);
  });

  it('rewrites only connect-src of a CSP', () => {
    expect(localizeCsp("default-src 'self'; connect-src 'self' https://x.example; img-src 'self'", ['http://a'])).toBe(
      "default-src 'self'; connect-src 'self' http://a; img-src 'self'",
    );
  });
});
