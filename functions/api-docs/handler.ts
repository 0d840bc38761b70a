/**
 * GET /openapi.json (public): the OpenAPI document built from the layer's route table.
 * Built once per container and server URL; the server URL is the API as the client reached it
 * (apiBaseUrl: X-Forwarded-Proto, requestContext.domainName and path), so "Try it out" on the
 * docs page calls the same API behind the stage URL, a custom domain and the local API.
 */
import { apiHandler, reply } from '@myapp/shared/api';
import { config } from '@myapp/shared/http';
import { apiBaseUrl, buildOpenApiDocument } from '@myapp/shared/openapi';

const documents = new Map<string, Record<string, unknown>>();

export const handler = apiHandler('ApiDocsFunction', {
  'GET /openapi.json': async ({ event }) => {
    const url = apiBaseUrl(event);
    let doc = documents.get(url);
    if (!doc) documents.set(url, (doc = buildOpenApiDocument({ serverUrl: url, version: config.appVersion() })));
    return reply(doc, { headers: { 'Cache-Control': 'public, max-age=300' } });
  },
});
