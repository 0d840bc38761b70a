/** @myapp/shared/repositories: the four repositories over DynamoDB (@aws-sdk/client-dynamodb, lib-dynamodb) and the registry handlers take them from. */
export * from '../repositories/pagination';
export * from '../repositories/orders';
export * from '../repositories/products';
export * from '../repositories/users';
export * from '../repositories/todos';
export * from '../repositories/registry';
