/** GET /products (public): the catalogue with live stock, from ProductsTable. */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { config, httpHandler, json } from '@myapp/shared/http';
import type { ProductList } from '@myapp/shared/schemas';
import { DynamoProductsRepository, documentClient } from '@myapp/shared/repositories';

const logger = new Logger();
const metrics = new Metrics();
const tracer = new Tracer();
const ddbClient = tracer.captureAWSv3Client(new DynamoDBClient({}));
const products = () => new DynamoProductsRepository(documentClient(ddbClient), config.productsTable());

export const handler = httpHandler(async () => {
  const items = await products().list();
  const body: ProductList = {
    items: items.map(({ sku, name, description, price, currency, stock }) => ({
      sku,
      name,
      ...(description !== undefined ? { description } : {}),
      price,
      currency,
      stock,
    })),
  };
  return json(200, body);
}, { logger, metrics });
