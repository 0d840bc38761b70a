/**
 * The URL a client used to reach the API, from what API Gateway hands the function:
 * `X-Forwarded-Proto`, `requestContext.domainName` (the Host the client used) and the part of
 * `requestContext.path` before the route (the stage on an execute-api URL, a base path
 * mapping on a custom domain, nothing on a custom domain mapped at its root). The local API
 * Gateway sends the same fields, so the same code names `http://127.0.0.1:3000/prod` there.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';

/** `/orders/{orderId}` → a regex matching the end of a path that route serves. */
const routeTail = (resource: string) =>
  new RegExp(
    `${resource
      .replace(/[.*?^$()|[\]\\]/g, '\\$&')
      .replace(/\\?\{[^}]+\+\}/g, '.+')
      .replace(/\{[^}]+\}/g, '[^/]+')}$`,
  );

export function apiBaseUrl(event: Pick<APIGatewayProxyEvent, 'headers' | 'requestContext' | 'resource' | 'path'>): string {
  const header = (name: string) => Object.entries(event.headers ?? {}).find(([k]) => k.toLowerCase() === name)?.[1] ?? undefined;
  const host = event.requestContext?.domainName ?? header('host');
  if (!host) return '/';
  const proto = header('x-forwarded-proto') ?? 'https';
  const port = header('x-forwarded-port');
  const defaultPort = (proto === 'https' && port === '443') || (proto === 'http' && port === '80');
  const authority = port && !defaultPort && !host.includes(':') ? `${host}:${port}` : host;
  const fullPath = event.requestContext?.path ?? event.path ?? '';
  const prefix = event.resource ? fullPath.replace(routeTail(event.resource), '') : '';
  return `${proto}://${authority}${prefix.replace(/\/$/, '')}`;
}
