import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { ZodError, type ZodType } from 'zod';
import { AppError, badRequest, payloadTooLarge, unauthorized, unsupportedMediaType, type ErrorDetail } from './errors';
import { config } from './config';

/** Largest accepted request body, in bytes after base64 decoding. */
export const MAX_BODY_BYTES = 16 * 1024;

/** Where errorResponse reports real faults (Powertools' Logger, in the functions). */
export interface HttpLogger {
  error(message: string, error: Error): void;
}

export function corsHeaders(): Record<string, string> {
  const origin = config.corsAllowOrigin();
  const headers: Record<string, string> = {
    'Access-Control-Allow-Origin': origin,
    'Access-Control-Allow-Headers': 'Content-Type,Authorization',
    'Access-Control-Allow-Methods': 'GET,POST,PUT,DELETE,OPTIONS',
  };
  // A specific origin makes the response depend on it: caches must key on Origin.
  if (origin !== '*') headers.Vary = 'Origin';
  return headers;
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return {
    statusCode: status,
    headers: { 'Content-Type': 'application/json', ...corsHeaders(), ...headers },
    body: body === undefined ? '' : JSON.stringify(body),
  };
}

export function noContent(): APIGatewayProxyResult {
  return { statusCode: 204, headers: corsHeaders(), body: '' };
}

/** `items.0.sku` style paths, as clients name fields. */
export function issuePath(path: ReadonlyArray<PropertyKey>): string {
  return path.map((p) => String(p)).join('.');
}

export function zodDetails(err: ZodError, prefix?: string): ErrorDetail[] {
  const join = (...parts: string[]) => [prefix, ...parts].filter((p) => p !== undefined && p !== '').join('.');
  return err.issues.flatMap((i) =>
    // Name each refused field itself, so a client sees `items.0.color`, not the parent object.
    i.code === 'unrecognized_keys'
      ? i.keys.map((k) => ({ path: join(issuePath(i.path), k), message: `Unknown field ${k}` }))
      : [{ path: join(issuePath(i.path)), message: i.message }],
  );
}

/** Maps any thrown value to SPEC 4's error JSON; internals of real faults never reach the body. */
export function errorResponse(err: unknown, requestId: string, logger?: HttpLogger): APIGatewayProxyResult {
  if (err instanceof AppError) {
    const error: Record<string, unknown> = { code: err.code, message: err.message };
    if (err.details !== undefined) error.details = err.details;
    return json(err.status, { error, requestId });
  }
  if (err instanceof ZodError) {
    return json(400, {
      error: { code: 'VALIDATION_ERROR', message: 'Request validation failed', details: zodDetails(err) },
      requestId,
    });
  }
  if (isServiceUnavailable(err)) {
    logger?.error('Backing service unavailable', err instanceof Error ? err : new Error(String(err)));
    return json(
      503,
      { error: { code: 'SERVICE_UNAVAILABLE', message: 'Service temporarily unavailable; retry shortly' }, requestId },
      { 'Retry-After': String(RETRY_AFTER_SECONDS) },
    );
  }
  logger?.error('Unhandled error', err instanceof Error ? err : new Error(String(err)));
  return json(500, { error: { code: 'INTERNAL_ERROR', message: 'Internal server error' }, requestId });
}

/** Seconds a client should wait after a 503 before retrying. */
export const RETRY_AFTER_SECONDS = 2;
/** Socket-level failures reaching an AWS endpoint (Node error codes). */
const NETWORK_ERROR_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
/** SDK errors that mean "the service is busy or out of reach", not "the request is wrong". */
const UNAVAILABLE_ERROR_NAMES = new Set([
  'TimeoutError',
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'ServiceUnavailable',
  'ServiceUnavailableException',
]);

/**
 * True for an error (or one it wraps in `cause`, as Powertools idempotency does) that means
 * an AWS service could not be reached or answered in time: a 503 the client may retry, not
 * a 500 bug.
 */
export function isServiceUnavailable(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; depth < 5 && e && typeof e === 'object'; depth++) {
    const { name, code } = e as { name?: unknown; code?: unknown };
    if (typeof code === 'string' && NETWORK_ERROR_CODES.has(code)) return true;
    if (typeof name === 'string' && UNAVAILABLE_ERROR_NAMES.has(name)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

export function requestIdOf(event: APIGatewayProxyEvent | undefined, context: Context | undefined): string {
  return event?.requestContext?.requestId ?? context?.awsRequestId ?? 'unknown';
}

function header(event: APIGatewayProxyEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [k, v] of Object.entries(event.headers ?? {})) {
    if (k.toLowerCase() === wanted && v !== undefined) return v;
  }
  return undefined;
}

function isJsonContentType(value: string): boolean {
  const mediaType = value.split(';')[0]?.trim().toLowerCase() ?? '';
  return mediaType === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(mediaType);
}

/** Validates a value with a schema; failures become a 400 naming each failing field. */
export function validate<T>(schema: ZodType<T>, value: unknown, message = 'Request validation failed'): T {
  const result = schema.safeParse(value);
  if (!result.success) throw badRequest(message, zodDetails(result.error));
  return result.data;
}

/**
 * Reads a JSON body: 415 unless it is JSON, 413 over MAX_BODY_BYTES, 400 on malformed JSON,
 * then the (strict) schema. A route without a body may receive no content-type and no body:
 * the schema then sees `undefined`.
 */
export function parseBody<T>(event: APIGatewayProxyEvent, schema: ZodType<T>): T {
  const raw = event.body ?? '';
  const contentType = header(event, 'content-type');
  if (raw === '' && contentType === undefined) return validate(schema, undefined, 'Request body is required');
  if (contentType === undefined || !isJsonContentType(contentType)) throw unsupportedMediaType();
  const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (bytes.byteLength > MAX_BODY_BYTES) throw payloadTooLarge(MAX_BODY_BYTES);
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw badRequest('Malformed JSON body', [{ path: '', message: 'Body is not valid JSON' }], 'MALFORMED_JSON');
  }
  return validate(schema, parsed);
}

export function parsePath<T>(event: APIGatewayProxyEvent, schema: ZodType<T>): T {
  return validate(schema, event.pathParameters ?? {}, 'Invalid path parameters');
}

export function parseQuery<T>(event: APIGatewayProxyEvent, schema: ZodType<T>): T {
  return validate(schema, event.queryStringParameters ?? {}, 'Invalid query parameters');
}

export interface Caller {
  sub: string;
  email?: string;
  groups: string[];
  isAdmin: boolean;
}

function groupsOf(value: unknown): string[] {
  if (Array.isArray(value))
    return value
      .map(String)
      .map((g) => g.trim())
      .filter(Boolean);
  if (typeof value !== 'string' || value === '') return [];
  // Cognito authorizers render a list as "[a b]"; our TOKEN authorizer sends "a,b".
  return value
    .replace(/^\[|\]$/g, '')
    .split(/[,\s]+/)
    .map((g) => g.replace(/^"|"$/g, ''))
    .map((g) => g.trim())
    .filter(Boolean);
}

/**
 * The signed-in caller, from the authorizer context (TOKEN authorizer: `sub`, `email`,
 * `groups` as a comma-separated string). Admin is membership of ADMIN_GROUP.
 */
export function callerOf(event: APIGatewayProxyEvent): Caller {
  const auth = (event.requestContext?.authorizer ?? {}) as Record<string, unknown>;
  const claims = (auth.claims ?? {}) as Record<string, unknown>;
  const sub = auth.sub ?? claims.sub ?? auth.principalId;
  if (typeof sub !== 'string' || sub === '') throw unauthorized();
  const email = auth.email ?? claims.email;
  const groups = groupsOf(auth.groups ?? claims['cognito:groups']);
  return {
    sub,
    ...(typeof email === 'string' && email !== '' ? { email } : {}),
    groups,
    isAdmin: groups.includes(config.adminGroup()),
  };
}
