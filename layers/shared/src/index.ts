/**
 * @myapp/shared: the one shared layer. Functions mark it External and `require` it from
 * /opt/nodejs/node_modules in Lambda (CommonJS, so NODE_PATH applies).
 *
 * Functions import a subpath (`@myapp/shared/http`, `/repositories`, ...; one per file in
 * entries/, see docs/ARCHITECTURE.md section 5) so a cold start evaluates only what the
 * function uses. The package root re-exports every entry, for tools and tests.
 */
export * from './entries/http';
export * from './entries/lambda';
export * from './entries/api';
export * from './entries/schemas';
export * from './entries/orders';
export * from './entries/order-service';
export * from './entries/repositories';
export * from './entries/idempotency';
export * from './entries/pipeline';
export * from './entries/events';
export * from './entries/workflow';
export * from './entries/catalogue';
export * from './entries/openapi';
