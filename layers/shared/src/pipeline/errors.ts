/**
 * Errors the workflow tasks throw. Lambda reports `error.name` as the errorType, and Step
 * Functions matches Retry/Catch on it, so each name here is part of the ASL contract.
 */
export class PipelineError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/** Transient: the ASL retries it with backoff. */
export const paymentProviderUnavailable = (orderId: string): PipelineError =>
  new PipelineError('PaymentProviderUnavailable', `Payment provider unavailable for order ${orderId}; try again`);
/**
 * Transient: an AWS service (DynamoDB) was unreachable or timed out. The ASL retries it for
 * about a minute on the forward steps and longer on compensation, so an outage delays an
 * order instead of failing it.
 */
export const serviceUnavailable = (cause: unknown): PipelineError =>
  Object.assign(
    new PipelineError('ServiceUnavailable', `A backing service is unavailable: ${(cause as Error)?.message ?? String(cause)}`),
    { cause },
  );
/** Final: the card was declined; compensation follows. */
export const paymentDeclined = (orderId: string): PipelineError =>
  new PipelineError('PaymentDeclined', `Payment declined for order ${orderId}`);
export const outOfStock = (skus: readonly string[]): PipelineError =>
  new PipelineError('OutOfStock', `Not enough stock for ${skus.join(', ')}`);
export const orderInvalid = (message: string): PipelineError => new PipelineError('OrderInvalid', message);
export const orderNotFound = (orderId: string): PipelineError => new PipelineError('OrderNotFound', `Order ${orderId} not found`);
