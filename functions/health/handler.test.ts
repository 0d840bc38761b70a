import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { handler } from './handler';

const ev = {
  resource: '/health',
  path: '/health',
  httpMethod: 'GET',
  headers: {},
  requestContext: { requestId: 'r' },
} as unknown as APIGatewayProxyEvent;
const context = { awsRequestId: 'aws-req' } as Context;

describe('GET /health', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('reports service and version from the environment', async () => {
    process.env.POWERTOOLS_SERVICE_NAME = 'myapp-test';
    process.env.APP_VERSION = '1.2.3';
    const res = await handler(ev, context);
    expect(res.statusCode).toBe(200);
    expect(res.headers?.['Content-Type']).toBe('application/json');
    expect(JSON.parse(res.body)).toEqual({ ok: true, service: 'myapp-test', version: '1.2.3' });
  });

  it('reads the environment per request, not at import', async () => {
    process.env.POWERTOOLS_SERVICE_NAME = 'other';
    process.env.APP_VERSION = '9.9.9';
    expect(JSON.parse((await handler(ev, context)).body)).toEqual({ ok: true, service: 'other', version: '9.9.9' });
  });
});
