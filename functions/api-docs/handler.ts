/**
 * GET /openapi.json (public): the OpenAPI document built from the layer's route table.
 * Built once per container and server URL; the server URL comes from the request so the same
 * document works behind the stage URL, a custom domain and the local API.
 */
import { apiHandler, reply } from '@myapp/shared/api';
import { config } from '@myapp/shared/http';
import { buildOpenApiDocument } from '@myapp/shared/openapi';
import type { APIGatewayProxyEvent } from 'aws-lambda';

const documents = new Map<string, Record<string, unknown>>();

function serverUrl(event: APIGatewayProxyEvent): string {
  const host = event.headers?.Host ?? event.headers?.host;
  const stage = event.requestContext?.stage;
  if (!host) return '/';
  const proto = event.headers?.['X-Forwarded-Proto'] ?? event.headers?.['x-forwarded-proto'] ?? 'https';
  // execute-api hosts carry the stage in the path; custom domains map it away.
  const withStage = stage && host.includes('.execute-api.') ? `/${stage}` : '';
  return `${proto}://${host}${withStage}`;
}

export const handler = apiHandler('ApiDocsFunction', {
  'GET /openapi.json': async ({ event }) => {
    const url = serverUrl(event);
    let doc = documents.get(url);
    if (!doc) documents.set(url, (doc = buildOpenApiDocument({ serverUrl: url, version: config.appVersion() })));
    return reply(doc, { headers: { 'Cache-Control': 'public, max-age=300' } });
  },
});
