/** @myapp/shared/http: errors, config and the HTTP helpers (parseBody, json, callerOf, errorResponse). No AWS SDK, no zod beyond ZodError. */
export * from '../errors';
export * from '../http';
export * from '../config';
export * from '../authorizer-policy';
