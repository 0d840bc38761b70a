/** Scheduled (rate(1 hour)): marks EXPIRED the orders still PLACED past their expiresAt. */
import { Logger } from '@aws-lambda-powertools/logger';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { config } from '@myapp/shared/http';
import { expireStaleOrders } from '@myapp/shared/order-service';
import { DynamoOrdersRepository, documentClient } from '@myapp/shared/repositories';
import type { Context } from 'aws-lambda';

const logger = new Logger();
const tracer = new Tracer();

export const handler = async (_event: unknown, context: Context) => {
  logger.addContext(context);
  const orders = new DynamoOrdersRepository(documentClient(tracer.captureAWSv3Client(new DynamoDBClient({}))), config.ordersTable());
  const result = await expireStaleOrders(orders, Math.floor(Date.now() / 1000));
  logger.info('cleanup', { ...result });
  return result;
};
