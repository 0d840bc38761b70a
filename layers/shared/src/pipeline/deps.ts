import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { config } from '../config';
import { documentClient } from '../ddb';
import { DynamoOrdersRepository } from '../repositories/orders';
import { DynamoProductsRepository } from '../repositories/products';
import type { PipelineDeps } from './tasks';

/** The workflow tasks' dependencies from the template's environment (one per environment). */
export function pipelineDeps(client?: DynamoDBClient): PipelineDeps {
  const doc = documentClient(client);
  const ordersTable = config.ordersTable();
  const productsTable = config.productsTable();
  return {
    orders: new DynamoOrdersRepository(doc, ordersTable, productsTable),
    products: new DynamoProductsRepository(doc, productsTable),
  };
}
