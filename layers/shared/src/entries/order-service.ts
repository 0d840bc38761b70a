/** @myapp/shared/order-service: pricing, placing and reading orders over the repositories, stale-order expiry. No AWS SDK, no zod. */
export * from '../orders/service';
export * from '../orders/expiry';
