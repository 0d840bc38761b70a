import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { handler } from './handler';

const ctx = { awsRequestId: 'req-1' } as Context;
/** The fields API Gateway (and the local one) sends for GET /<stage>/openapi.json. */
const event = (domainName: string, proto: string, port: string, stage = 'prod') =>
  ({
    resource: '/openapi.json',
    path: '/openapi.json',
    httpMethod: 'GET',
    headers: { Host: domainName, 'X-Forwarded-Proto': proto, 'X-Forwarded-Port': port },
    requestContext: { stage, requestId: 'req-1', domainName, path: `/${stage}/openapi.json` },
  }) as unknown as APIGatewayProxyEvent;

describe('api-docs handler', () => {
  it('serves the OpenAPI document with the stage URL of an execute-api host', async () => {
    const res = await handler(event('abc.execute-api.eu-west-1.amazonaws.com', 'https', '443', 'Prod'), ctx);
    expect(res.statusCode).toBe(200);
    expect(res.headers?.['Content-Type']).toBe('application/json');
    const doc = JSON.parse(res.body) as { openapi: string; servers: { url: string }[]; paths: Record<string, unknown> };
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.servers[0]?.url).toBe('https://abc.execute-api.eu-west-1.amazonaws.com/Prod');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/orders', '/todos/{todoId}/done']));
  });

  it('names the local API as the local API Gateway describes it (http, its port, the stage)', async () => {
    const res = await handler(event('127.0.0.1:3000', 'http', '3000'), ctx);
    const doc = JSON.parse(res.body) as { servers: { url: string }[] };
    expect(doc.servers[0]?.url).toBe('http://127.0.0.1:3000/prod');
  });
});
