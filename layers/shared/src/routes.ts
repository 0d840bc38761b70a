/**
 * The API's routes, declared once (SPEC 4). Each says who may call it, the function that
 * serves it (its logical id in template.yaml), its success status and its zod schemas. From
 * this table: the handlers' dispatch and input validation (api.ts), the OpenAPI document
 * (openapi.ts), and a test that template.yaml's Api events are exactly these routes.
 *
 * The schemas are given as functions of the schemas module, resolved when needed: reading the
 * table (dispatch, auth, status) does not evaluate zod, so a function whose routes validate
 * nothing (GET /health, GET /products) never loads it. A function that validates input
 * resolves its schemas when its handler is built, at init.
 */
import type * as Schemas from './schemas';
import type { z } from './schemas/zod';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
/** public: no token; user: any signed-in caller (owner rules are the handler's); admin: ADMIN_GROUP members. */
export type Auth = 'public' | 'user' | 'admin';

/** What a route validates: path parameters, query string and JSON body. */
export interface RouteInput {
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
}

export interface RouteSpec {
  fn: string;
  auth: Auth;
  /** Success status (default 200); 204 answers without a body. */
  status?: number;
  summary: string;
  tag: string;
  input?: (s: typeof Schemas) => RouteInput;
  response?: (s: typeof Schemas) => z.ZodType;
}

export const ROUTES = {
  'GET /health': { fn: 'HealthFunction', auth: 'public', tag: 'Service', summary: 'Service health', response: (s) => s.HealthResponse },
  'GET /openapi.json': { fn: 'ApiDocsFunction', auth: 'public', tag: 'Service', summary: 'This document' },
  'GET /products': {
    fn: 'ProductsFunction',
    auth: 'public',
    tag: 'Products',
    summary: 'Catalogue with stock',
    response: (s) => s.ProductList,
  },

  'GET /users': {
    fn: 'UsersFunction',
    auth: 'admin',
    tag: 'Users',
    summary: 'List users (admin)',
    input: (s) => ({ query: s.PaginationQuery }),
    response: (s) => s.UserList,
  },
  'POST /users': {
    fn: 'UsersFunction',
    auth: 'admin',
    tag: 'Users',
    summary: 'Create a user (admin); emits UserCreated',
    status: 201,
    input: (s) => ({ body: s.CreateUserRequest }),
    response: (s) => s.User,
  },
  'GET /users/{userId}': {
    fn: 'UsersFunction',
    auth: 'user',
    tag: 'Users',
    summary: 'Get a user (owner or admin)',
    input: (s) => ({ params: s.UserPathParams }),
    response: (s) => s.User,
  },
  'PUT /users/{userId}': {
    fn: 'UsersFunction',
    auth: 'user',
    tag: 'Users',
    summary: 'Update a user (owner or admin)',
    input: (s) => ({ params: s.UserPathParams, body: s.UpdateUserRequest }),
    response: (s) => s.User,
  },
  'DELETE /users/{userId}': {
    fn: 'UsersFunction',
    auth: 'user',
    tag: 'Users',
    summary: 'Delete a user (owner or admin)',
    status: 204,
    input: (s) => ({ params: s.UserPathParams }),
  },

  'POST /profiles': {
    fn: 'ProfilesFunction',
    auth: 'user',
    tag: 'Profiles',
    summary: "Upsert the caller's own profile (201 when created)",
    input: (s) => ({ body: s.UpsertProfileRequest }),
    response: (s) => s.User,
  },
  'GET /profiles/{userId}': {
    fn: 'ProfilesFunction',
    auth: 'user',
    tag: 'Profiles',
    summary: 'Get a profile (owner or admin)',
    input: (s) => ({ params: s.UserPathParams }),
    response: (s) => s.User,
  },

  'POST /orders': {
    fn: 'CreateOrderFunction',
    auth: 'user',
    tag: 'Orders',
    summary: 'Place an order (idempotent on orderId)',
    status: 202,
    input: (s) => ({ body: s.CreateOrderRequest }),
    response: (s) => s.OrderResponse,
  },
  'GET /orders': {
    fn: 'OrdersFunction',
    auth: 'user',
    tag: 'Orders',
    summary: "The caller's orders, newest first",
    input: (s) => ({ query: s.PaginationQuery }),
    response: (s) => s.OrderListResponse,
  },
  'GET /orders/{orderId}': {
    fn: 'OrdersFunction',
    auth: 'user',
    tag: 'Orders',
    summary: 'An order with its history (owner or admin)',
    input: (s) => ({ params: s.OrderPathParams, query: s.GetOrderQuery }),
    response: (s) => s.OrderResponse,
  },
  'PUT /orders/{orderId}': {
    fn: 'OrdersFunction',
    auth: 'user',
    tag: 'Orders',
    summary: 'Change lines while PLACED (version check)',
    input: (s) => ({ params: s.OrderPathParams, body: s.UpdateOrderRequest }),
    response: (s) => s.OrderResponse,
  },
  'DELETE /orders/{orderId}': {
    fn: 'OrdersFunction',
    auth: 'user',
    tag: 'Orders',
    summary: 'Cancel while PLACED and under 10 minutes old',
    input: (s) => ({ params: s.OrderPathParams }),
    response: (s) => s.OrderResponse,
  },
  'POST /orders/{orderId}/acknowledge': {
    fn: 'OrdersFunction',
    auth: 'admin',
    tag: 'Orders',
    summary: 'CONFIRMED → ACKNOWLEDGED (admin)',
    input: (s) => ({ params: s.OrderPathParams }),
    response: (s) => s.OrderResponse,
  },
  'POST /orders/{orderId}/retry': {
    fn: 'OrdersFunction',
    auth: 'admin',
    tag: 'Orders',
    summary: 'FAILED → new workflow execution (admin)',
    status: 202,
    input: (s) => ({ params: s.OrderPathParams }),
    response: (s) => s.OrderResponse,
  },

  'GET /todos': {
    fn: 'TodosFunction',
    auth: 'user',
    tag: 'Todos',
    summary: "The caller's to-dos",
    input: (s) => ({ query: s.PaginationQuery }),
    response: (s) => s.TodoList,
  },
  'POST /todos': {
    fn: 'TodosFunction',
    auth: 'user',
    tag: 'Todos',
    summary: 'Add a to-do',
    status: 201,
    input: (s) => ({ body: s.CreateTodoRequest }),
    response: (s) => s.Todo,
  },
  'GET /todos/{todoId}': {
    fn: 'TodosFunction',
    auth: 'user',
    tag: 'Todos',
    summary: 'Get a to-do (owner)',
    input: (s) => ({ params: s.TodoPathParams }),
    response: (s) => s.Todo,
  },
  'PUT /todos/{todoId}': {
    fn: 'TodosFunction',
    auth: 'user',
    tag: 'Todos',
    summary: 'Edit a to-do (owner)',
    input: (s) => ({ params: s.TodoPathParams, body: s.UpdateTodoRequest }),
    response: (s) => s.Todo,
  },
  'DELETE /todos/{todoId}': {
    fn: 'TodosFunction',
    auth: 'user',
    tag: 'Todos',
    summary: 'Delete a to-do (owner)',
    status: 204,
    input: (s) => ({ params: s.TodoPathParams }),
  },
  'POST /todos/{todoId}/done': {
    fn: 'TodosFunction',
    auth: 'user',
    tag: 'Todos',
    summary: 'Mark a to-do complete (owner)',
    input: (s) => ({ params: s.TodoPathParams }),
    response: (s) => s.Todo,
  },

  'POST /uploads': {
    fn: 'UploadsFunction',
    auth: 'user',
    tag: 'Uploads',
    summary: "Presigned PUT under the caller's prefix",
    status: 201,
    input: (s) => ({ body: s.CreateUploadRequest }),
    response: (s) => s.UploadResponse,
  },
} as const satisfies Record<`${Method} /${string}`, RouteSpec>;

export type RouteKey = keyof typeof ROUTES;
export type ApiFunction = (typeof ROUTES)[RouteKey]['fn'];
/** The routes one function serves. */
export type RouteKeyOf<F extends ApiFunction> = { [K in RouteKey]: (typeof ROUTES)[K]['fn'] extends F ? K : never }[RouteKey];

export const routeKeys = Object.keys(ROUTES) as RouteKey[];

export function splitRouteKey(key: RouteKey): { method: Method; path: string } {
  const [method, path] = key.split(' ') as [Method, string];
  return { method, path };
}

/** The schemas module, loaded on first use (see the top of this file). */
function schemas(): typeof Schemas {
  return require('./schemas') as typeof Schemas;
}

/** A route's input schemas (none for a route that validates nothing). */
export function routeInput(key: RouteKey): RouteInput {
  const spec: RouteSpec = ROUTES[key];
  return spec.input ? spec.input(schemas()) : {};
}

/** A route's success body schema, undefined when it has none (204, or not described). */
export function routeResponse(key: RouteKey): z.ZodType | undefined {
  const spec: RouteSpec = ROUTES[key];
  return spec.response?.(schemas());
}
