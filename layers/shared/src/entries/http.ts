/** @myapp/shared/http: errors, HTTP helpers (httpHandler, parseBody, json, callerOf) and config. No AWS SDK, no zod beyond ZodError. */
export * from '../errors';
export * from '../http';
export * from '../config';
