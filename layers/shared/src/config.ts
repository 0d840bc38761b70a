/**
 * Every environment variable the code reads, and only here (ARCHITECTURE section 3). Getters,
 * not values: a function reads what it uses when it first uses it, so a missing variable fails
 * that request with its name rather than the import, and tests may set variables late.
 * Powertools reads its own POWERTOOLS_* variables, and the AWS SDK its AWS_* ones.
 */
export class ConfigError extends Error {
  constructor(name: string) {
    super(`Missing required environment variable ${name}`);
    this.name = 'ConfigError';
  }
}

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new ConfigError(name);
  return value;
}

function optional(name: string, fallback: string): string {
  const value = process.env[name];
  return value === undefined || value === '' ? fallback : value;
}

function seconds(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`Environment variable ${name} must be a non-negative integer, got "${raw}"`);
  return n;
}

export const config = {
  usersTable: (): string => required('USERS_TABLE'),
  ordersTable: (): string => required('ORDERS_TABLE'),
  productsTable: (): string => required('PRODUCTS_TABLE'),
  todosTable: (): string => required('TODOS_TABLE'),
  idempotencyTable: (): string => required('IDEMPOTENCY_TABLE'),
  uploadsBucket: (): string => required('UPLOADS_BUCKET'),
  /** Members of this Cognito group are administrators of the API. */
  adminGroup: (): string => optional('ADMIN_GROUP', 'apiAdmins'),
  /** A still-PLACED order this old is stale: cleanup marks it EXPIRED. */
  staleOrderSeconds: (): number => seconds('STALE_ORDER_SECONDS', 3600),
  orderStateMachineArn: (): string => required('ORDER_STATE_MACHINE_ARN'),
  eventBusName: (): string => optional('EVENT_BUS_NAME', 'default'),
  jwtIssuer: (): string => required('JWT_ISSUER'),
  jwksUri: (): string => required('JWKS_URI'),
  userPoolClientId: (): string => required('USER_POOL_CLIENT_ID'),
  appVersion: (): string => optional('APP_VERSION', '0.0.0'),
  serviceName: (): string => optional('POWERTOOLS_SERVICE_NAME', 'myapp'),
  /** The API's Access-Control-Allow-Origin; not set by the template (any origin, as its Cors). */
  corsAllowOrigin: (): string => optional('CORS_ALLOW_ORIGIN', '*'),
  /**
   * Whether the Tracer is loaded at all: unless POWERTOOLS_TRACE_ENABLED is "false" (the local
   * runtime sets it; Powertools' own switch, read here too so the module is not even loaded).
   * Where it is loaded, Powertools still applies its own rules (no X-Ray outside Lambda).
   */
  tracingEnabled: (): boolean => optional('POWERTOOLS_TRACE_ENABLED', 'true').toLowerCase() !== 'false',
  /** A local S3 endpoint (s3rver, the local runtime) serves buckets by path, not by host name. */
  s3ForcePathStyle: (): boolean => optional('AWS_ENDPOINT_URL_S3', '') !== '',
};

export type Config = typeof config;
