/**
 * @myapp/shared: the one shared layer. Functions mark it External and `require` it from
 * /opt/nodejs/node_modules in Lambda (CommonJS, so NODE_PATH applies).
 */
export * from './errors';
export * from './http';
export * from './config';
export * from './ddb';
export * from './schemas';
export * from './orders/rules';
export * from './orders/service';
export * from './repositories/pagination';
export * from './repositories/orders';
export * from './repositories/products';
export * from './repositories/users';
export * from './repositories/todos';
export * from './idempotency';
export * from './catalogue';
export * from './pipeline';
export * from './openapi';
