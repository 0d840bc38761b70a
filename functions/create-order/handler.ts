/**
 * POST /orders: validate, price from the catalogue, write a PLACED order, answer 202.
 * Idempotent on a client-chosen orderId (Powertools idempotency in the layer); the table
 * stream turns the new order into OrderCreated, which starts the workflow.
 */
import { apiHandler, reply } from '@myapp/shared/api';
import { config } from '@myapp/shared/http';
import { idempotentPlaceOrder } from '@myapp/shared/idempotency';
import { MetricUnit, dynamoDbClient, logger, metrics, once } from '@myapp/shared/lambda';
import { repositories, toPublicOrder } from '@myapp/shared/repositories';

const placeOrder = once(() =>
  idempotentPlaceOrder(
    {
      orders: repositories.orders,
      products: repositories.products,
      staleOrderSeconds: config.staleOrderSeconds(),
      stateMachineArn: config.orderStateMachineArn(),
    },
    { tableName: config.idempotencyTable(), client: dynamoDbClient() },
  ),
);

export const handler = apiHandler('CreateOrderFunction', {
  'POST /orders': async ({ caller, body, context }) => {
    logger.appendKeys({ userId: caller.sub });
    const place = placeOrder();
    place.registerLambdaContext(context);
    const { order, replayed } = await place({ userId: caller.sub, ...body });
    logger.appendKeys({ orderId: order.orderId });
    if (replayed) {
      logger.info('Replayed an idempotent order request');
    } else {
      // Counted once per order: a replay is not a second sale.
      logger.info('Order placed', { total: order.total, lines: order.items.length });
      metrics.addMetric('SuccessfulOrder', MetricUnit.Count, 1);
      metrics.addMetric('OrderTotal', MetricUnit.NoUnit, order.total);
    }
    return reply(toPublicOrder(order), { headers: { Location: `/orders/${encodeURIComponent(order.orderId)}` } });
  },
});
