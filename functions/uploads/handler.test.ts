import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
// Typed by local/src/s3/s3rver.d.ts (the package ships no types).
import S3rver from 's3rver';

// The real S3 client and presigner, and an S3 API (s3rver on a free loopback port) that the
// presigned URL must work against.
const saved = { ...process.env };
const context = { awsRequestId: 'aws-req' } as Context;
let handler: typeof import('./handler').handler;
let s3rver: InstanceType<typeof S3rver>;
let endpoint: string;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'uploads-test-'));
  s3rver = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: dir, configureBuckets: [{ name: 'uploads-bucket' }] });
  const { port } = await s3rver.run();
  endpoint = `http://127.0.0.1:${port}`;
  Object.assign(process.env, {
    UPLOADS_BUCKET: 'uploads-bucket',
    AWS_ENDPOINT_URL_S3: endpoint,
    // s3rver's own key pair, in case it checks a signature.
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
  });
  ({ handler } = await import('./handler'));
});
afterAll(async () => {
  await s3rver.close();
  rmSync(dir, { recursive: true, force: true });
  process.env = saved;
});

function ev(body: unknown, sub = 'sub-1'): APIGatewayProxyEvent {
  return {
    resource: '/uploads',
    path: '/uploads',
    httpMethod: 'POST',
    headers: { 'content-type': 'application/json' },
    queryStringParameters: null,
    pathParameters: null,
    isBase64Encoded: false,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    requestContext: { requestId: 'req-1', authorizer: { sub, email: 'me@example.com', groups: '' } },
  } as unknown as APIGatewayProxyEvent;
}
async function call(body: unknown, sub?: string) {
  const res = await handler(ev(body, sub), context);
  return { status: res.statusCode, body: JSON.parse(res.body) as Record<string, any> };
}

describe('POST /uploads', () => {
  it("presigns a PUT under the caller's prefix with type and length signed, 300 s", async () => {
    const res = await call({ fileName: 'report 2026.pdf', contentType: 'application/pdf', size: 12345 });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ method: 'PUT', headers: { 'Content-Type': 'application/pdf' }, expiresIn: 300 });
    expect(res.body.key).toMatch(/^uploads\/sub-1\/[0-9a-f-]{36}\/report 2026\.pdf$/);
    const url = new URL(res.body.uploadUrl);
    // Path style because a local endpoint is set.
    expect(`${url.origin}${decodeURIComponent(url.pathname)}`).toBe(`${endpoint}/uploads-bucket/${res.body.key}`);
    expect(url.searchParams.get('X-Amz-Expires')).toBe('300');
    expect(url.searchParams.get('X-Amz-SignedHeaders')?.split(';')).toEqual(
      expect.arrayContaining(['content-length', 'content-type', 'host']),
    );
    // No checksum of an empty body baked into the URL.
    expect([...url.searchParams.keys()].some((k) => k.toLowerCase().startsWith('x-amz-checksum'))).toBe(false);
  });

  it('issues a URL that an S3 API accepts for the declared upload', async () => {
    const content = 'a,b\n1,2\n';
    const res = await call({ fileName: 'data.csv', contentType: 'text/csv', size: Buffer.byteLength(content) });
    const put = (url: string) =>
      fetch(url, { method: 'PUT', headers: { 'Content-Type': 'text/csv' }, body: content, signal: AbortSignal.timeout(5000) });
    // s3rver does not enforce presigned signatures (measured), so it proves the URL's shape
    // and the object's key; real S3's refusal of other types and sizes rests on SignedHeaders above.
    expect((await put(res.body.uploadUrl)).status).toBe(200);
    const got = await fetch(`${endpoint}/uploads-bucket/${res.body.key.split('/').map(encodeURIComponent).join('/')}`, {
      signal: AbortSignal.timeout(5000),
    });
    expect(await got.text()).toBe(content);
  });

  it('gives each request its own key', async () => {
    const a = await call({ fileName: 'a.png', contentType: 'image/png', size: 1 });
    const b = await call({ fileName: 'a.png', contentType: 'image/png', size: 1 });
    expect(a.body.key).not.toBe(b.body.key);
  });

  it.each([
    [{ fileName: 'x.exe', contentType: 'application/x-msdownload', size: 10 }, 'contentType'],
    [{ fileName: 'x.png', contentType: 'image/png', size: 10 * 1024 * 1024 + 1 }, 'size'],
    [{ fileName: 'x.png', contentType: 'image/png', size: 0 }, 'size'],
    [{ fileName: 'x.png', contentType: 'image/png', size: 1.5 }, 'size'],
    [{ fileName: '../other/x.png', contentType: 'image/png', size: 10 }, 'fileName'],
    [{ fileName: '', contentType: 'image/png', size: 10 }, 'fileName'],
    [{ fileName: 'a'.repeat(201), contentType: 'image/png', size: 10 }, 'fileName'],
    [{ fileName: 'x.png', contentType: 'image/png', size: 10, key: 'uploads/other/x' }, 'key'],
  ])('is 400 naming the failing field for %j', async (body, field) => {
    const res = await call(body);
    expect(res.status).toBe(400);
    expect(new Set(res.body.error.details.map((d: { path: string }) => d.path))).toEqual(new Set([field]));
  });

  it('accepts exactly 10 MiB', async () => {
    expect((await call({ fileName: 'big.csv', contentType: 'text/csv', size: 10 * 1024 * 1024 })).status).toBe(201);
  });

  it('is 400 on malformed JSON', async () => {
    expect((await call('{"fileName"')).status).toBe(400);
  });
});
