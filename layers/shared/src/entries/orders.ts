/** @myapp/shared/orders: the order rules (transitions, happy path, edit and cancel rules). No AWS SDK, no zod, no Node APIs: the web app imports it too. */
export * from '../orders/rules';
