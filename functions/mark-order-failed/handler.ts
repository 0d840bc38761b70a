/** OrderWorkflow task. Compensation end: marks the order FAILED with the caught error as reason. */
import { MetricUnit, logger, metrics } from '@myapp/shared/lambda';
import { CompensationInput, markOrderFailed, taskHandler } from '@myapp/shared/pipeline';

export const handler = taskHandler(
  async (deps, input) => {
    const result = await markOrderFailed(deps, input);
    logger.info('markOrderFailed', { result, error: input.error?.Error });
    // Failures by cause (the error the failing step raised: PaymentDeclined, OutOfStock, ...),
    // so the dashboard shows where orders fall out of the pipeline.
    const failure = metrics.singleMetric();
    failure.addDimension('error', input.error?.Error ?? 'Unknown');
    failure.addMetric('OrderFailed', MetricUnit.Count, 1);
    return result;
  },
  { input: CompensationInput },
);
