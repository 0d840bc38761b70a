import './testing/tracing-on';
/**
 * apiHandler: dispatch from the route table, auth, input validation with the table's schemas,
 * statuses, and what the error middleware does with Powertools' middlewares (a client's
 * mistake closes the trace subsegment without an error; a fault is recorded).
 */
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { apiHandler, reply } from './api';
import { conflict } from './errors';
import { MetricUnit, logger, metrics, tracer as maybeTracer } from './observability';

// Tracing is on wherever POWERTOOLS_TRACE_ENABLED is not "false" (deployed; here, testing/tracing-on).
if (!maybeTracer) throw new Error('the Tracer is loaded unless POWERTOOLS_TRACE_ENABLED=false');
const tracer = maybeTracer;

function event(method: string, resource: string, over: Partial<APIGatewayProxyEvent> & { groups?: string } = {}): APIGatewayProxyEvent {
  const { groups, ...rest } = over;
  return {
    httpMethod: method,
    resource,
    path: resource,
    headers: {},
    body: null,
    isBase64Encoded: false,
    pathParameters: null,
    queryStringParameters: null,
    requestContext: { requestId: 'req-1', authorizer: { sub: 'u-1', email: 'u@example.com', groups: groups ?? '' } },
    ...rest,
  } as unknown as APIGatewayProxyEvent;
}
const context = { awsRequestId: 'aws-1', functionName: 'fn' } as Context;
const body = (res: { body: string }) => JSON.parse(res.body) as Record<string, any>;
const user = {
  userId: 'u-2',
  name: 'B',
  email: 'b@example.com',
  plan: 'free' as const,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};

const users = apiHandler('UsersFunction', {
  'GET /users': async ({ query }) => ({ items: [], ...(query.nextToken ? { nextToken: query.nextToken } : {}) }),
  'POST /users': async ({ body }) => ({ ...user, ...body }),
  'GET /users/{userId}': async ({ params }) => {
    if (params.userId === 'taken') throw conflict('in use', 'SOME_RULE');
    if (params.userId === 'boom') throw new Error('secret internals');
    metrics.addMetric('UserRead', MetricUnit.Count, 1);
    return { ...user, userId: params.userId };
  },
  'PUT /users/{userId}': async ({ params, body }) => reply({ ...user, ...body, userId: params.userId }, { headers: { ETag: '"1"' } }),
  'DELETE /users/{userId}': async () => undefined,
});

describe('apiHandler dispatch', () => {
  it('runs the route for the method and resource, with validated params, query and body, and its status', async () => {
    const got = await users(event('GET', '/users/{userId}', { pathParameters: { userId: 'u-9' } }), context);
    expect([got.statusCode, body(got).userId]).toEqual([200, 'u-9']);
    const created = await users(
      event('POST', '/users', {
        groups: 'apiAdmins',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'N', email: 'n@example.com', plan: 'pro' }),
      }),
      context,
    );
    expect([created.statusCode, body(created).plan]).toEqual([201, 'pro']);
    const listed = await users(event('GET', '/users', { groups: 'apiAdmins', queryStringParameters: { nextToken: 'abc' } }), context);
    expect(body(listed)).toEqual({ items: [], nextToken: 'abc' });
    const deleted = await users(event('DELETE', '/users/{userId}', { pathParameters: { userId: 'u-1' } }), context);
    expect([deleted.statusCode, deleted.body]).toEqual([204, '']);
    const put = await users(
      event('PUT', '/users/{userId}', {
        pathParameters: { userId: 'u-1' },
        headers: { 'content-type': 'application/json' },
        body: '{"name":"X"}',
      }),
      context,
    );
    expect([put.statusCode, put.headers?.ETag, put.headers?.['Access-Control-Allow-Origin']]).toEqual([200, '"1"', '*']);
  });

  it('answers 401 without a caller, 403 for a non-admin on an admin route, before validating anything', async () => {
    const anonymous = await users(
      event('GET', '/users/{userId}', { pathParameters: { userId: 'u-9' }, requestContext: { requestId: 'r' } as never }),
      context,
    );
    expect(anonymous.statusCode).toBe(401);
    const notAdmin = await users(event('POST', '/users', { body: 'not json at all' }), context);
    expect([notAdmin.statusCode, body(notAdmin).error.code]).toEqual([403, 'FORBIDDEN']);
  });

  it('names the failing fields of params, query and body in a 400', async () => {
    const badParam = await users(event('GET', '/users/{userId}', { pathParameters: { userId: 'no spaces' } }), context);
    expect([badParam.statusCode, body(badParam).error.details[0].path]).toEqual([400, 'userId']);
    const badQuery = await users(event('GET', '/users', { groups: 'apiAdmins', queryStringParameters: { limit: '0' } }), context);
    expect([badQuery.statusCode, body(badQuery).error.details[0].path]).toEqual([400, 'limit']);
    const badBody = await users(
      event('POST', '/users', {
        groups: 'apiAdmins',
        headers: { 'content-type': 'application/json' },
        body: '{"name":"N","email":"x","plan":"pro","extra":1}',
      }),
      context,
    );
    expect(
      body(badBody)
        .error.details.map((d: { path: string }) => d.path)
        .sort(),
    ).toEqual(['email', 'extra']);
  });

  it('refuses a route the function does not serve, and a table entry served by another function', () => {
    expect(() =>
      apiHandler('HealthFunction', {
        'GET /health': async () => ({ ok: true, service: 's', version: 'v' }),
        'GET /products': async () => ({ items: [] }),
      } as never),
    ).toThrow(/GET \/products is served by ProductsFunction, not HealthFunction/);
  });
});

describe('apiHandler errors and observability', () => {
  let segment: { close: jest.Mock };
  let recordedError: jest.SpyInstance;
  let resetKeys: jest.SpyInstance;
  let publish: jest.SpyInstance;
  beforeEach(() => {
    segment = { close: jest.fn() };
    jest.spyOn(tracer, 'isTracingEnabled').mockReturnValue(true);
    jest.spyOn(tracer, 'getSegment').mockReturnValue({ addNewSubsegment: () => segment } as never);
    jest.spyOn(tracer, 'setSegment').mockImplementation(() => undefined);
    jest.spyOn(tracer, 'annotateColdStart').mockImplementation(() => undefined);
    jest.spyOn(tracer, 'addServiceNameAnnotation').mockImplementation(() => undefined);
    recordedError = jest.spyOn(tracer, 'addErrorAsMetadata').mockImplementation(() => undefined);
    resetKeys = jest.spyOn(logger, 'resetKeys');
    publish = jest.spyOn(metrics, 'publishStoredMetrics');
  });
  afterEach(() => jest.restoreAllMocks());

  it("answers a client's mistake with SPEC 4's JSON, closing the trace subsegment without an error", async () => {
    const res = await users(event('GET', '/users/{userId}', { pathParameters: { userId: 'taken' } }), context);
    expect([res.statusCode, body(res)]).toEqual([409, { error: { code: 'SOME_RULE', message: 'in use' }, requestId: 'req-1' }]);
    expect(segment.close).toHaveBeenCalledTimes(1);
    expect(recordedError).not.toHaveBeenCalled();
    expect(resetKeys).toHaveBeenCalledTimes(1);
  });

  it('hides a fault behind a 500, logs it and records it on the trace', async () => {
    const logged = jest.spyOn(logger, 'error').mockImplementation(() => undefined);
    const res = await users(event('GET', '/users/{userId}', { pathParameters: { userId: 'boom' } }), context);
    expect([res.statusCode, res.body.includes('secret')]).toEqual([500, false]);
    expect(logged).toHaveBeenCalledWith('Unhandled error', expect.objectContaining({ message: 'secret internals' }));
    expect(recordedError).toHaveBeenCalledWith(expect.objectContaining({ message: 'secret internals' }));
    expect(segment.close).toHaveBeenCalledTimes(1);
    expect(resetKeys).toHaveBeenCalledTimes(1);
  });

  it('publishes the metrics a request added, once, and none for a request that added none', async () => {
    await users(event('GET', '/users/{userId}', { pathParameters: { userId: 'u-3' } }), context);
    expect(publish).toHaveBeenCalledTimes(1);
    publish.mockClear();
    await users(event('DELETE', '/users/{userId}', { pathParameters: { userId: 'u-3' } }), context);
    expect(publish).not.toHaveBeenCalled();
  });
});
