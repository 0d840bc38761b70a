/** The API's base URL from API Gateway's event fields, deployed (execute-api, custom domains) and local. */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { apiBaseUrl } from './api-base-url';

const event = (o: { host?: string; domainName?: string; path: string; resource: string; proto?: string; port?: string }) =>
  ({
    resource: o.resource,
    path: o.path,
    headers: {
      ...(o.host ? { Host: o.host } : {}),
      ...(o.proto ? { 'X-Forwarded-Proto': o.proto } : {}),
      ...(o.port ? { 'X-Forwarded-Port': o.port } : {}),
    },
    requestContext: { ...(o.domainName ? { domainName: o.domainName } : {}), path: o.path },
  }) as unknown as APIGatewayProxyEvent;

describe('apiBaseUrl', () => {
  it('an execute-api URL keeps its stage', () => {
    const e = event({
      domainName: 'abc123.execute-api.eu-west-1.amazonaws.com',
      path: '/prod/openapi.json',
      resource: '/openapi.json',
      proto: 'https',
      port: '443',
    });
    expect(apiBaseUrl(e)).toBe('https://abc123.execute-api.eu-west-1.amazonaws.com/prod');
  });

  it('a custom domain keeps its base path mapping, or none', () => {
    expect(
      apiBaseUrl(
        event({ domainName: 'api.example.com', path: '/v1/openapi.json', resource: '/openapi.json', proto: 'https', port: '443' }),
      ),
    ).toBe('https://api.example.com/v1');
    expect(
      apiBaseUrl(event({ domainName: 'api.example.com', path: '/openapi.json', resource: '/openapi.json', proto: 'https', port: '443' })),
    ).toBe('https://api.example.com');
  });

  it('the local API Gateway: http, its port in the host, the stage in the path', () => {
    expect(
      apiBaseUrl(
        event({ domainName: '127.0.0.1:3000', path: '/prod/orders/o-1', resource: '/orders/{orderId}', proto: 'http', port: '3000' }),
      ),
    ).toBe('http://127.0.0.1:3000/prod');
  });

  it('adds a port that is not the scheme’s default, and falls back to the Host header and https', () => {
    expect(apiBaseUrl(event({ host: 'localhost', path: '/dev/files/a/b', resource: '/files/{proxy+}', port: '8443' }))).toBe(
      'https://localhost:8443/dev',
    );
    expect(apiBaseUrl(event({ path: '/x', resource: '/x' }))).toBe('/');
  });
});
