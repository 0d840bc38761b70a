/**
 * The API functions' handler: `apiHandler('OrdersFunction', { 'GET /orders': ..., ... })`
 * serves exactly the routes routes.ts gives that function (the compiler checks the list and
 * the types of what each receives and returns). Per request: the route from the event's
 * method and resource, the caller (401 without one, 403 for a non-admin on an admin route),
 * path, query and body validated with the route's schemas (400 naming the fields, 413, 415),
 * then the route's function; its result is the JSON body with the route's status. Every error
 * becomes SPEC 4's JSON in one middleware.
 */
import { cleanupMiddlewares } from '@aws-lambda-powertools/commons';
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { forbidden, notFound } from './errors';
import { callerOf, errorResponse, json, noContent, parseBody, parsePath, parseQuery, requestIdOf, type Caller } from './http';
import { lambdaHandler, type LambdaHandler } from './lambda';
import { logger } from './observability';
import { ROUTES, routeInput, type ApiFunction, type RouteInput, type RouteKey, type RouteKeyOf } from './routes';
import type { z } from './schemas/zod';

type Spec<K extends RouteKey> = (typeof ROUTES)[K];
type InputOf<K extends RouteKey> = Spec<K> extends { input: (...args: never[]) => infer I } ? I : Record<never, never>;
type Parsed<I, P extends keyof RouteInput> = I extends { [Q in P]: infer S extends z.ZodType } ? z.output<S> : undefined;

/** What a route's function receives: the validated input and, unless the route is public, the caller. */
export interface ApiRequest<K extends RouteKey> {
  event: APIGatewayProxyEvent;
  context: Context;
  caller: Spec<K>['auth'] extends 'public' ? undefined : Caller;
  params: Parsed<InputOf<K>, 'params'>;
  query: Parsed<InputOf<K>, 'query'>;
  body: Parsed<InputOf<K>, 'body'>;
}

/** A route's success body, as its response schema describes it. */
export type ApiResponseBody<K extends RouteKey> =
  Spec<K> extends { response: (...args: never[]) => infer S extends z.ZodType } ? z.output<S> : unknown;

/** A body with a status or headers other than the route's default (201 vs 200, Location). */
export class Reply<T> {
  constructor(
    readonly body: T,
    readonly status?: number,
    readonly headers: Record<string, string> = {},
  ) {}
}
export const reply = <T>(body: T, opts: { status?: number; headers?: Record<string, string> } = {}): Reply<T> =>
  new Reply(body, opts.status, opts.headers);

export type RouteFn<K extends RouteKey> = (req: ApiRequest<K>) => Promise<ApiResponseBody<K> | Reply<ApiResponseBody<K>>>;
export type RouteFns<F extends ApiFunction> = { [K in RouteKeyOf<F>]: RouteFn<K> };

/**
 * Maps every error to SPEC 4's JSON (errorResponse in http.ts). A client's mistake (4xx) is
 * answered here and is no fault: Powertools' cleanup closes the trace subsegment, drops the
 * request's log keys and flushes metrics without recording an error. A fault (5xx) is logged,
 * and the other middlewares record it as they unwind.
 */
export function httpErrors(): MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> {
  return {
    onError: async (request) => {
      const response = errorResponse(request.error, requestIdOf(request.event, request.context), logger);
      if (response.statusCode >= 500) {
        request.response = response;
        return undefined;
      }
      await cleanupMiddlewares(request);
      return response;
    },
  };
}

export function apiHandler<F extends ApiFunction>(fn: F, routes: RouteFns<F>): LambdaHandler<APIGatewayProxyEvent, APIGatewayProxyResult> {
  const served = new Map<string, { input: RouteInput; run: RouteFn<RouteKey>; status: number; auth: string }>();
  for (const [key, run] of Object.entries(routes) as [RouteKey, RouteFn<RouteKey>][]) {
    const spec: { fn: string; auth: string; status?: number } = ROUTES[key];
    if (spec.fn !== fn) throw new Error(`${key} is served by ${spec.fn}, not ${fn} (layers/shared/src/routes.ts)`);
    served.set(key, { input: routeInput(key), run, status: spec.status ?? 200, auth: spec.auth });
  }
  return lambdaHandler(async (event: APIGatewayProxyEvent, context: Context) => {
    const key = `${event.httpMethod} ${event.resource}`;
    const route = served.get(key);
    // API Gateway only sends this function the routes the template gives it.
    if (!route) throw notFound(`No route ${key}`);
    const caller = route.auth === 'public' ? undefined : callerOf(event);
    if (route.auth === 'admin' && !caller?.isAdmin) throw forbidden('Administrators only');
    const params = route.input.params ? (parsePath(event, route.input.params) as Record<string, unknown>) : undefined;
    if (params) logger.appendKeys(params);
    const request = {
      event,
      context,
      caller,
      params,
      query: route.input.query ? parseQuery(event, route.input.query) : undefined,
      body: route.input.body ? parseBody(event, route.input.body) : undefined,
    } as ApiRequest<RouteKey>;
    const result = await route.run(request);
    if (result instanceof Reply) return toResponse(result.status ?? route.status, result.body, result.headers);
    return toResponse(route.status, result);
  }).use(httpErrors());
}

function toResponse(status: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return status === 204 ? noContent() : json(status, body, headers);
}
