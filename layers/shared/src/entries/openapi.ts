/** @myapp/shared/openapi: the OpenAPI 3.1 document built from the zod schemas. */
export * from '../openapi';
export * from '../api-base-url';
