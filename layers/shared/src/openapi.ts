/**
 * The OpenAPI 3.1 document, generated from the same zod schemas the handlers validate with
 * (zod 4's own `z.toJSONSchema`, so no second schema dialect to keep in step).
 *
 * Schemas are looked up by export name in `./schemas`: a route whose schema is not exported
 * yet still appears (with a generic object body), so the route list never lags the template.
 */
import { z } from './schemas/zod';
import * as S from './schemas';

type Method = 'get' | 'post' | 'put' | 'delete';

export interface RouteDoc {
  method: Method;
  path: string;
  summary: string;
  /** Public routes carry no security requirement. */
  public?: boolean;
  /** Export name in ./schemas of the JSON request body. */
  body?: string;
  /** Export name in ./schemas of the success body. */
  response?: string;
  status?: number;
  query?: string;
  tag: string;
}

/** SPEC 4, one entry per method and path. The contract test checks this against template.yaml. */
export const ROUTES: readonly RouteDoc[] = [
  { method: 'get', path: '/health', summary: 'Service health', public: true, response: 'HealthResponse', tag: 'Service' },
  { method: 'get', path: '/openapi.json', summary: 'This document', public: true, tag: 'Service' },
  { method: 'get', path: '/products', summary: 'Catalogue with stock', public: true, response: 'ProductList', tag: 'Products' },
  { method: 'get', path: '/users', summary: 'List users (admin)', query: 'PaginationQuery', response: 'UserList', tag: 'Users' },
  { method: 'post', path: '/users', summary: 'Create a user (admin); emits UserCreated', body: 'CreateUserRequest', response: 'User', status: 201, tag: 'Users' },
  { method: 'get', path: '/users/{userId}', summary: 'Get a user (owner or admin)', response: 'User', tag: 'Users' },
  { method: 'put', path: '/users/{userId}', summary: 'Update a user (owner or admin)', body: 'UpdateUserRequest', response: 'User', tag: 'Users' },
  { method: 'delete', path: '/users/{userId}', summary: 'Delete a user (owner or admin)', status: 204, tag: 'Users' },
  { method: 'post', path: '/profiles', summary: "Upsert the caller's own profile", body: 'UpsertProfileRequest', response: 'Profile', tag: 'Profiles' },
  { method: 'get', path: '/profiles/{userId}', summary: 'Get a profile (owner or admin)', response: 'Profile', tag: 'Profiles' },
  { method: 'post', path: '/orders', summary: 'Place an order (idempotent on orderId)', body: 'CreateOrderRequest', response: 'OrderResponse', status: 202, tag: 'Orders' },
  { method: 'get', path: '/orders', summary: "The caller's orders, newest first", query: 'PaginationQuery', response: 'OrderListResponse', tag: 'Orders' },
  { method: 'get', path: '/orders/{orderId}', summary: 'An order with its history (owner or admin)', query: 'GetOrderQuery', response: 'OrderResponse', tag: 'Orders' },
  { method: 'put', path: '/orders/{orderId}', summary: 'Change lines while PLACED (version check)', body: 'UpdateOrderRequest', response: 'OrderResponse', tag: 'Orders' },
  { method: 'delete', path: '/orders/{orderId}', summary: 'Cancel while PLACED and under 10 minutes old', response: 'OrderResponse', tag: 'Orders' },
  { method: 'post', path: '/orders/{orderId}/acknowledge', summary: 'CONFIRMED → ACKNOWLEDGED (admin)', response: 'OrderResponse', tag: 'Orders' },
  { method: 'post', path: '/orders/{orderId}/retry', summary: 'FAILED → new workflow execution (admin)', response: 'OrderResponse', tag: 'Orders' },
  { method: 'get', path: '/todos', summary: "The caller's to-dos", query: 'PaginationQuery', response: 'TodoList', tag: 'Todos' },
  { method: 'post', path: '/todos', summary: 'Add a to-do', body: 'CreateTodoRequest', response: 'Todo', status: 201, tag: 'Todos' },
  { method: 'get', path: '/todos/{todoId}', summary: 'Get a to-do (owner)', response: 'Todo', tag: 'Todos' },
  { method: 'put', path: '/todos/{todoId}', summary: 'Edit a to-do (owner)', body: 'UpdateTodoRequest', response: 'Todo', tag: 'Todos' },
  { method: 'delete', path: '/todos/{todoId}', summary: 'Delete a to-do (owner)', status: 204, tag: 'Todos' },
  { method: 'post', path: '/todos/{todoId}/done', summary: 'Mark a to-do complete (owner)', response: 'Todo', tag: 'Todos' },
  { method: 'post', path: '/uploads', summary: "Presigned PUT under the caller's prefix", body: 'CreateUploadRequest', response: 'UploadResponse', status: 201, tag: 'Uploads' },
];

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

function schemaNamed(name: string | undefined): z.ZodType | undefined {
  if (!name) return undefined;
  const found = (S as Record<string, unknown>)[name];
  return found instanceof z.ZodType ? found : undefined;
}

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

export function buildOpenApiDocument(opts: OpenApiOptions = {}): Record<string, unknown> {
  const components: Record<string, Record<string, unknown>> = {};
  const ref = (name: string, io: 'input' | 'output'): Record<string, unknown> => {
    const schema = schemaNamed(name);
    if (!schema) return { type: 'object' };
    // Requests and responses can differ (defaults, coercions), so each direction is its own component.
    const key = io === 'input' ? name : name.replace(/Request$/, '');
    components[key] ??= jsonSchema(schema, io);
    return { $ref: `#/components/schemas/${key}` };
  };
  components.ErrorResponse = jsonSchema(S.ErrorResponse, 'output');

  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of ROUTES) {
    const params = [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: jsonSchema(S.SafeId, 'input'),
    }));
    const query = schemaNamed(r.query);
    if (query) {
      const js = jsonSchema(query, 'input') as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, schema] of Object.entries(js.properties ?? {})) {
        params.push({ name, in: 'query', required: js.required?.includes(name) ?? false, schema: schema as never });
      }
    }
    const status = String(r.status ?? 200);
    const responses: Record<string, unknown> = {
      [status]:
        status === '204'
          ? { description: 'Done, no body' }
          : { description: 'Success', content: { 'application/json': { schema: r.response ? ref(r.response, 'output') : { type: 'object' } } } },
    };
    const errorCodes = r.public ? ['500'] : ['400', '401', '403', '404', '409', '500'];
    if (r.body) errorCodes.push('413', '415');
    if (!SELF_CONTAINED.has(r.path)) errorCodes.push('503');
    for (const code of errorCodes.sort()) {
      responses[code] = { description: ERRORS[code], content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorResponse' } } } };
    }
    const pathItem = (paths[r.path] ??= {});
    pathItem[r.method] = {
      operationId: `${r.method}${r.path.replace(/\{(\w+)\}/g, 'By-$1').replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())}`,
      summary: r.summary,
      tags: [r.tag],
      security: r.public ? [] : [{ bearerAuth: [] }],
      ...(params.length ? { parameters: params } : {}),
      ...(r.body ? { requestBody: { required: true, content: { 'application/json': { schema: ref(r.body, 'input') } } } } : {}),
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
    tags: [...new Set(ROUTES.map((r) => r.tag))].map((name) => ({ name })),
    paths,
    components: {
      schemas: components,
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'Cognito ID token (Authorization: Bearer <token>)' },
      },
    },
  };
}
