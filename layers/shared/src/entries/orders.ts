/** @myapp/shared/orders: order rules (transition table, guards), pricing and placement, stale-order expiry. No AWS SDK, no zod. */
export * from '../orders/rules';
export * from '../orders/service';
export * from '../orders/expiry';
