import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { z } from 'zod';
import { AppError, conflict } from './errors';
import { MAX_BODY_BYTES, RETRY_AFTER_SECONDS, callerOf, errorResponse, isServiceUnavailable, json, parseBody, parseQuery } from './http';
import { PaginationQuery } from './schemas/common';

function event(over: Partial<APIGatewayProxyEvent> = {}): APIGatewayProxyEvent {
  return {
    body: null,
    headers: {},
    multiValueHeaders: {},
    httpMethod: 'POST',
    isBase64Encoded: false,
    path: '/x',
    pathParameters: null,
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    stageVariables: null,
    resource: '/x',
    requestContext: { requestId: 'req-1', authorizer: { sub: 'u1', email: 'a@b.c', groups: 'staff,apiAdmins' } },
    ...over,
  } as unknown as APIGatewayProxyEvent;
}
const ctx = { awsRequestId: 'aws-1' } as Context;
const Body = z.strictObject({ name: z.string().min(1), qty: z.number().int().min(1) });

/** The answer for whatever `fn` returns or throws (errorResponse is what apiHandler's error middleware sends). */
const run = async (fn: () => unknown, ev = event(), logger = { error: jest.fn() }) => {
  try {
    return json(200, await fn());
  } catch (err) {
    return errorResponse(err, ev.requestContext?.requestId ?? ctx.awsRequestId, logger);
  }
};

describe('errorResponse', () => {
  it('maps an AppError to its status and the SPEC error body with CORS', async () => {
    const res = await run(() => {
      throw conflict('nope', 'SOME_RULE', [{ path: 'a', message: 'b' }]);
    });
    expect(res.statusCode).toBe(409);
    expect(res.headers?.['Access-Control-Allow-Origin']).toBe('*');
    expect(JSON.parse(res.body)).toEqual({
      error: { code: 'SOME_RULE', message: 'nope', details: [{ path: 'a', message: 'b' }] },
      requestId: 'req-1',
    });
  });

  it('hides internals of unexpected errors behind a 500 and logs them', async () => {
    const logger = { error: jest.fn() };
    const res = await run(
      () => {
        throw new Error('secret table name in stack');
      },
      event({ requestContext: {} as APIGatewayProxyEvent['requestContext'] }),
      logger,
    );
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain('secret');
    expect(JSON.parse(res.body)).toEqual({ error: { code: 'INTERNAL_ERROR', message: 'Internal server error' }, requestId: 'aws-1' });
    expect(logger.error).toHaveBeenCalledWith('Unhandled error', expect.any(Error));
  });

  it('answers 503 with Retry-After when an AWS service is unreachable or times out, without internals', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8000'), { code: 'ECONNREFUSED', $metadata: { attempts: 4 } });
    const timeout = Object.assign(new Error('@smithy/node-http-handler - a request has exceeded the configured 2000 ms requestTimeout.'), {
      name: 'TimeoutError',
      code: 'ETIMEDOUT',
    });
    // Powertools idempotency wraps persistence failures; the cause decides.
    const wrapped = Object.assign(new Error('Failed to put record for already existing idempotency key'), {
      name: 'IdempotencyPersistenceLayerError',
      cause: refused,
    });
    for (const err of [refused, timeout, wrapped]) {
      const res = await run(() => {
        throw err;
      });
      expect(res.statusCode).toBe(503);
      expect(res.headers?.['Retry-After']).toBe(String(RETRY_AFTER_SECONDS));
      expect(res.headers?.['Access-Control-Allow-Origin']).toBe('*');
      expect(JSON.parse(res.body)).toEqual({ error: { code: 'SERVICE_UNAVAILABLE', message: expect.any(String) }, requestId: 'req-1' });
      expect(res.body).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|smithy/);
    }
    expect(isServiceUnavailable(new Error('boom'))).toBe(false);
    expect(isServiceUnavailable(Object.assign(new Error('nope'), { name: 'ConditionalCheckFailedException' }))).toBe(false);
  });

  it('maps a ZodError to 400 with the failing paths', async () => {
    const res = await run(() => Body.parse({ name: '', qty: 1 }));
    expect(res.statusCode).toBe(400);
    const body = JSON.parse(res.body);
    expect(body.error.code).toBe('VALIDATION_ERROR');
    expect(body.error.details).toEqual([expect.objectContaining({ path: 'name' })]);
  });

  it('uses CORS_ALLOW_ORIGIN when set', async () => {
    process.env.CORS_ALLOW_ORIGIN = 'https://app.example.com';
    try {
      const res = await run(() => ({}));
      expect(res.headers?.['Access-Control-Allow-Origin']).toBe('https://app.example.com');
      expect(res.headers?.Vary).toBe('Origin');
    } finally {
      delete process.env.CORS_ALLOW_ORIGIN;
    }
  });
});

describe('parseBody', () => {
  const status = (fn: () => unknown): number | undefined => {
    try {
      fn();
      return undefined;
    } catch (err) {
      return err instanceof AppError ? err.status : -1;
    }
  };
  const withBody = (body: string, headers: Record<string, string> = { 'Content-Type': 'application/json' }, b64 = false) =>
    event({ body, headers, isBase64Encoded: b64 });

  it('parses valid JSON with any header case and charset', () => {
    expect(parseBody(withBody('{"name":"x","qty":2}', { 'CONTENT-TYPE': 'application/json; charset=utf-8' }), Body)).toEqual({
      name: 'x',
      qty: 2,
    });
  });
  it('decodes base64 bodies', () => {
    const b64 = Buffer.from('{"name":"x","qty":3}').toString('base64');
    expect(parseBody(withBody(b64, { 'content-type': 'application/json' }, true), Body).qty).toBe(3);
  });
  it('refuses non-JSON content types with 415', () => {
    expect(status(() => parseBody(withBody('{"name":"x","qty":1}', { 'content-type': 'text/plain' }), Body))).toBe(415);
    expect(status(() => parseBody(withBody('{"name":"x","qty":1}', {}), Body))).toBe(415);
  });
  it('refuses bodies over the limit with 413, measured after base64 decoding', () => {
    const big = JSON.stringify({ name: 'x'.repeat(MAX_BODY_BYTES), qty: 1 });
    expect(status(() => parseBody(withBody(big), Body))).toBe(413);
    const justUnder = 'x'.repeat(MAX_BODY_BYTES - 40);
    const b64 = Buffer.from(JSON.stringify({ name: justUnder, qty: 1 })).toString('base64');
    expect(b64.length).toBeGreaterThan(MAX_BODY_BYTES);
    expect(parseBody(withBody(b64, { 'content-type': 'application/json' }, true), Body).name).toBe(justUnder);
  });
  it('answers malformed JSON with 400, not 500', () => {
    expect(status(() => parseBody(withBody('{"name":'), Body))).toBe(400);
  });
  it('refuses unknown fields (strict schemas) naming them', () => {
    try {
      parseBody(withBody('{"name":"x","qty":1,"admin":true}'), Body);
      throw new Error('expected a failure');
    } catch (err) {
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).status).toBe(400);
      expect(JSON.stringify((err as AppError).details)).toContain('admin');
    }
  });
  it('accepts no content-type and no body for routes whose schema allows it', () => {
    expect(parseBody(event(), Body.optional())).toBeUndefined();
    expect(status(() => parseBody(event(), Body))).toBe(400);
  });
});

describe('parseQuery', () => {
  it('coerces and bounds limit', () => {
    expect(parseQuery(event(), PaginationQuery)).toEqual({ limit: 20 });
    expect(parseQuery(event({ queryStringParameters: { limit: '5' } }), PaginationQuery).limit).toBe(5);
    expect(() => parseQuery(event({ queryStringParameters: { limit: '0' } }), PaginationQuery)).toThrow(AppError);
    expect(() => parseQuery(event({ queryStringParameters: { limit: '101' } }), PaginationQuery)).toThrow(AppError);
  });
});

describe('callerOf', () => {
  it('reads sub, email and groups; admin is membership, not the first group', () => {
    expect(callerOf(event())).toEqual({ sub: 'u1', email: 'a@b.c', groups: ['staff', 'apiAdmins'], isAdmin: true });
  });
  it('is not admin without the group, and honours ADMIN_GROUP', () => {
    const ev = event({
      requestContext: { authorizer: { sub: 'u2', groups: 'staff' } } as unknown as APIGatewayProxyEvent['requestContext'],
    });
    expect(callerOf(ev).isAdmin).toBe(false);
    process.env.ADMIN_GROUP = 'staff';
    try {
      expect(callerOf(ev).isAdmin).toBe(true);
    } finally {
      delete process.env.ADMIN_GROUP;
    }
  });
  it('reads groups rendered as a list', () => {
    for (const groups of ['[apiAdmins staff]', '["staff","apiAdmins"]', 'staff, apiAdmins']) {
      const ev = event({ requestContext: { authorizer: { sub: 'u3', groups } } as unknown as APIGatewayProxyEvent['requestContext'] });
      expect(callerOf(ev).groups.sort()).toEqual(['apiAdmins', 'staff']);
    }
  });
  it('is 401 without a sub', () => {
    const ev = event({ requestContext: { authorizer: {} } as unknown as APIGatewayProxyEvent['requestContext'] });
    expect(() => callerOf(ev)).toThrow(expect.objectContaining({ status: 401 }));
  });
});
