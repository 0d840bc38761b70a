/** @myapp/shared/repositories: the DynamoDB document client and the four repositories (@aws-sdk/client-dynamodb, lib-dynamodb). */
export * from '../ddb';
export * from '../repositories/pagination';
export * from '../repositories/orders';
export * from '../repositories/products';
export * from '../repositories/users';
export * from '../repositories/todos';
