import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { handler } from './handler';

const ctx = { awsRequestId: 'req-1' } as Context;
const event = (headers: Record<string, string>, stage = 'Prod') =>
  ({
    headers,
    requestContext: { stage, requestId: 'req-1' },
    httpMethod: 'GET',
    resource: '/openapi.json',
    path: '/openapi.json',
  }) as unknown as APIGatewayProxyEvent;

describe('api-docs handler', () => {
  it('serves the OpenAPI document with the stage URL of an execute-api host', async () => {
    const res = await handler(event({ Host: 'abc.execute-api.eu-west-1.amazonaws.com' }), ctx);
    expect(res.statusCode).toBe(200);
    expect(res.headers?.['Content-Type']).toBe('application/json');
    const doc = JSON.parse(res.body) as { openapi: string; servers: { url: string }[]; paths: Record<string, unknown> };
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.servers[0]?.url).toBe('https://abc.execute-api.eu-west-1.amazonaws.com/Prod');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/orders', '/todos/{todoId}/done']));
  });

  it('keeps a local host as given (no stage prefix, scheme from the request)', async () => {
    const res = await handler(event({ host: '127.0.0.1:3000', 'x-forwarded-proto': 'http' }), ctx);
    const doc = JSON.parse(res.body) as { servers: { url: string }[] };
    expect(doc.servers[0]?.url).toBe('http://127.0.0.1:3000');
  });
});
