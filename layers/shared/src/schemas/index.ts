/** Every zod schema of SPEC 4: request bodies (strict) and responses, for handlers and OpenAPI. */
export * from './common';
export * from './products';
export * from './orders';
export * from './users';
export * from './todos';
export * from './uploads';
