/** @myapp/shared/idempotency: Powertools idempotency for order creation. */
export * from '../idempotency';
