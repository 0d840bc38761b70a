/**
 * POST /orders: validate, price from the catalogue, write a PLACED order, answer 202.
 * Idempotent on a client-chosen orderId (Powertools idempotency in the layer); the table
 * stream turns the new order into OrderCreated, which starts the workflow.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { callerOf, config, httpHandler, json, parseBody } from '@myapp/shared/http';
import { CreateOrderRequest } from '@myapp/shared/schemas';
import {
  DynamoOrdersRepository,
  DynamoProductsRepository,
  documentClient,
  toPublicOrder,
} from '@myapp/shared/repositories';
import { idempotentPlaceOrder, type IdempotentPlaceOrder } from '@myapp/shared/idempotency';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';

const logger = new Logger();
const metrics = new Metrics();
const tracer = new Tracer();
const ddbClient = tracer.captureAWSv3Client(new DynamoDBClient({}));

let placeOrder: IdempotentPlaceOrder | undefined;
/** Built on first use so a missing environment variable fails the request, not the import. */
function getPlaceOrder(): IdempotentPlaceOrder {
  if (!placeOrder) {
    const doc = documentClient(ddbClient);
    placeOrder = idempotentPlaceOrder(
      {
        orders: new DynamoOrdersRepository(doc, config.ordersTable()),
        products: new DynamoProductsRepository(doc, config.productsTable()),
        staleOrderSeconds: config.staleOrderSeconds(),
      },
      { tableName: config.idempotencyTable(), client: ddbClient },
    );
  }
  return placeOrder;
}

const route = httpHandler(
  async (event: APIGatewayProxyEvent, context: Context) => {
    const caller = callerOf(event);
    logger.appendKeys({ userId: caller.sub });
    const body = parseBody(event, CreateOrderRequest);
    const place = getPlaceOrder();
    place.registerLambdaContext(context);
    const { order, replayed } = await place({
      userId: caller.sub,
      items: body.items,
      ...(body.orderId !== undefined ? { orderId: body.orderId } : {}),
      ...(body.paymentToken !== undefined ? { paymentToken: body.paymentToken } : {}),
    });
    logger.appendKeys({ orderId: order.orderId });
    if (replayed) {
      logger.info('Replayed an idempotent order request');
    } else {
      // Counted once per order: a replay is not a second sale.
      logger.info('Order placed', { total: order.total, lines: order.items.length });
      metrics.addMetric('SuccessfulOrder', MetricUnit.Count, 1);
      metrics.addMetric('OrderTotal', MetricUnit.NoUnit, order.total);
    }
    return json(202, toPublicOrder(order), { Location: `/orders/${encodeURIComponent(order.orderId)}` });
  },
  { logger },
);

export const handler = async (event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> => {
  logger.addContext(context);
  metrics.captureColdStartMetric();
  try {
    return await route(event, context);
  } finally {
    logger.removeKeys(['orderId', 'userId']);
    // Failed requests add no metrics; publishing nothing would only log a warning.
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  }
};
