/**
 * The OpenAPI 3.1 document, generated from the route table (routes.ts) and the zod schemas it
 * holds (zod 4's own `z.toJSONSchema`, so no second schema dialect to keep in step). A route
 * appears here because it is in the table; its schemas are the objects the handler validates
 * with. Component names are the schemas' export names from ./schemas, for readers only.
 */
import { z } from './schemas/zod';
import * as S from './schemas';
import { ROUTES, routeInput, routeKeys, routeResponse, splitRouteKey } from './routes';

const ERRORS: Record<string, string> = {
  '400': 'Validation failed (details lists the failing fields)',
  '401': 'Missing or invalid token',
  '403': 'Not allowed for this caller',
  '404': 'Not found',
  '409': 'Rule or version conflict',
  '413': 'Body too large',
  '415': 'Body is not JSON',
  '500': 'Internal fault (no internals in the body)',
  '503': 'A backing service (DynamoDB) is unavailable or timed out; retry after Retry-After seconds',
};

/** Routes that answer without touching a backing service, so never 503. */
const SELF_CONTAINED = new Set(['/health', '/openapi.json']);

/** Export name of each schema in ./schemas (the component's name). */
const schemaNames = new Map<unknown, string>();
for (const [name, value] of Object.entries(S)) if (value instanceof z.ZodType) schemaNames.set(value, name);

/** JSON Schema (2020-12, which OpenAPI 3.1 uses) of a schema, for the direction it is used in. */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const out = z.toJSONSchema(schema, { io, target: 'draft-2020-12', unrepresentable: 'any' }) as Record<string, unknown>;
  delete out.$schema;
  return out;
}

export interface OpenApiOptions {
  /** Server URL (the API's invoke URL); relative when absent. */
  serverUrl?: string;
  version?: string;
}

/** `get /orders/{orderId}` → `getOrdersByOrderId`. */
const operationId = (method: string, path: string): string =>
  `${method}${path.replace(/\{(\w+)\}/g, 'By-$1').replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())}`;

/** Parameters of one kind (path or query) from the route's schema for them. */
function parameters(schema: z.ZodType | undefined, where: 'path' | 'query'): Record<string, unknown>[] {
  if (!schema) return [];
  const js = jsonSchema(schema, 'input') as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(js.properties ?? {}).map(([name, s]) => ({
    name,
    in: where,
    required: where === 'path' || (js.required?.includes(name) ?? false),
    schema: s,
  }));
}

export function buildOpenApiDocument(opts: OpenApiOptions = {}): Record<string, unknown> {
  const components: Record<string, Record<string, unknown>> = {};
  const ref = (schema: z.ZodType, io: 'input' | 'output', fallback: string): Record<string, unknown> => {
    const name = schemaNames.get(schema) ?? fallback;
    // Requests and responses can differ (defaults, coercions), so each direction is its own component.
    const key = io === 'input' ? name : name.replace(/Request$/, '');
    components[key] ??= jsonSchema(schema, io);
    return { $ref: `#/components/schemas/${key}` };
  };
  components.ErrorResponse = jsonSchema(S.ErrorResponse, 'output');

  const paths: Record<string, Record<string, unknown>> = {};
  for (const key of routeKeys) {
    const r: { auth: string; status?: number; summary: string; tag: string } = ROUTES[key];
    const { method, path } = splitRouteKey(key);
    const id = operationId(method.toLowerCase(), path);
    const input = routeInput(key);
    const response = routeResponse(key);
    const status = String(r.status ?? 200);
    const responses: Record<string, unknown> = {
      [status]:
        status === '204'
          ? { description: 'Done, no body' }
          : {
              description: 'Success',
              content: { 'application/json': { schema: response ? ref(response, 'output', `${id}Response`) : { type: 'object' } } },
            },
    };
    const errorCodes = r.auth === 'public' ? ['500'] : ['400', '401', '403', '404', '409', '500'];
    if (input.body) errorCodes.push('413', '415');
    if (!SELF_CONTAINED.has(path)) errorCodes.push('503');
    for (const code of errorCodes.sort()) {
      responses[code] = {
        description: ERRORS[code],
        content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorResponse' } } },
      };
    }
    const params = [...parameters(input.params, 'path'), ...parameters(input.query, 'query')];
    const pathItem = (paths[path] ??= {});
    pathItem[method.toLowerCase()] = {
      operationId: id,
      summary: r.summary,
      tags: [r.tag],
      security: r.auth === 'public' ? [] : [{ bearerAuth: [] }],
      ...(params.length ? { parameters: params } : {}),
      ...(input.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: ref(input.body, 'input', `${id}Request`) } } } }
        : {}),
      responses,
    };
  }

  return {
    openapi: '3.1.0',
    info: {
      title: 'myapp API',
      version: opts.version ?? '1.0.0',
      description: 'Users, profiles, orders, to-dos and uploads. Errors are `{"error":{"code","message","details?"},"requestId"}`.',
    },
    servers: [{ url: opts.serverUrl ?? '/' }],
    security: [{ bearerAuth: [] }],
    tags: [...new Set(routeKeys.map((k) => ROUTES[k].tag))].map((name) => ({ name })),
    paths,
    components: {
      schemas: components,
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'Cognito ID token (Authorization: Bearer <token>)',
        },
      },
    },
  };
}
