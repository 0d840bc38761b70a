/**
 * GET /openapi.json (public): the OpenAPI document built from the layer's zod schemas.
 * Built once per container and server URL; the server URL is the API as the client reached it
 * (apiBaseUrl: X-Forwarded-Proto, requestContext.domainName and path), so "Try it out" on the
 * docs page calls the same API behind the stage URL, a custom domain and the local API.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { httpHandler, json } from '@myapp/shared/http';
import { apiBaseUrl, buildOpenApiDocument } from '@myapp/shared/openapi';

const logger = new Logger();
const cache = new Map<string, Record<string, unknown>>();

export const handler = httpHandler(
  async (event) => {
    const url = apiBaseUrl(event);
    let doc = cache.get(url);
    if (!doc) {
      doc = buildOpenApiDocument({ serverUrl: url, version: process.env.APP_VERSION });
      cache.set(url, doc);
    }
    return json(200, doc, { 'Cache-Control': 'public, max-age=300' });
  },
  { logger },
);
