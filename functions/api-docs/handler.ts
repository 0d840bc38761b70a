/**
 * GET /openapi.json (public): the OpenAPI document built from the layer's zod schemas.
 * Built once per container; the server URL comes from the request so the same document
 * works behind the stage URL, a custom domain and the local API.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { config, httpHandler, json } from '@myapp/shared/http';
import { buildOpenApiDocument } from '@myapp/shared/openapi';
import type { APIGatewayProxyEvent } from 'aws-lambda';

const logger = new Logger();
const cache = new Map<string, Record<string, unknown>>();

function serverUrl(event: APIGatewayProxyEvent): string {
  const host = event.headers?.Host ?? event.headers?.host;
  const stage = event.requestContext?.stage;
  if (!host) return '/';
  const proto = event.headers?.['X-Forwarded-Proto'] ?? event.headers?.['x-forwarded-proto'] ?? 'https';
  // execute-api hosts carry the stage in the path; custom domains map it away.
  const withStage = stage && host.includes('.execute-api.') ? `/${stage}` : '';
  return `${proto}://${host}${withStage}`;
}

export const handler = httpHandler(
  async (event) => {
    const url = serverUrl(event);
    let doc = cache.get(url);
    if (!doc) {
      doc = buildOpenApiDocument({ serverUrl: url, version: config.appVersion() });
      cache.set(url, doc);
    }
    return json(200, doc, { 'Cache-Control': 'public, max-age=300' });
  },
  { logger },
);
