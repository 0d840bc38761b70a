/**
 * OrderWorkflow task. CHARGED → CONFIRMED; counts OrderConfirmed and ConfirmedOrderTotal once per
 * order. (SuccessfulOrder and OrderTotal are counted at creation, by CreateOrderFunction: the
 * dashboard compares the two to see orders entering and leaving the pipeline.)
 */
import { MetricUnit, logger, metrics } from '@myapp/shared/lambda';
import { confirmOrder, taskHandler } from '@myapp/shared/pipeline';

export const handler = taskHandler(async (deps, input) => {
  const result = await confirmOrder(deps, input);
  // Only the run that made the change counts, so a retried step is not a second sale.
  if (result.changed) {
    const order = await deps.orders.get(input);
    metrics.addMetric('OrderConfirmed', MetricUnit.Count, 1);
    metrics.addMetric('ConfirmedOrderTotal', MetricUnit.NoUnit, order?.total ?? 0);
  }
  logger.info('confirmOrder', { result });
  return result;
});
