/**
 * Typed access to the environment variables the template sets (ARCHITECTURE section 3).
 * A required variable that is missing is a deployment fault: fail loudly with its name.
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
  adminGroup: (): string => optional('ADMIN_GROUP', 'apiAdmins'),
  orderHoldSeconds: (): number => seconds('ORDER_HOLD_SECONDS', 0),
  staleOrderSeconds: (): number => seconds('STALE_ORDER_SECONDS', 3600),
  orderStateMachineArn: (): string => required('ORDER_STATE_MACHINE_ARN'),
  eventBusName: (): string => optional('EVENT_BUS_NAME', 'default'),
  jwtIssuer: (): string => required('JWT_ISSUER'),
  jwksUri: (): string => required('JWKS_URI'),
  userPoolClientId: (): string => required('USER_POOL_CLIENT_ID'),
  appVersion: (): string => optional('APP_VERSION', '0.0.0'),
  serviceName: (): string => optional('POWERTOOLS_SERVICE_NAME', 'myapp'),
  corsAllowOrigin: (): string => optional('CORS_ALLOW_ORIGIN', '*'),
};

export type Config = typeof config;
