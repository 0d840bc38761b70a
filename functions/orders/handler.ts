/**
 * Every /orders route except creation: list own orders, read one (owner or admin, optionally
 * with its workflow steps), edit and cancel while PLACED (owner), acknowledge and retry
 * (admin). Each change is one conditional write checked against the order rules. Step
 * Functions (steps, retry) is loaded on first use: most requests never need it.
 */
import { apiHandler } from '@myapp/shared/api';
import { config } from '@myapp/shared/http';
import { stepFunctions } from '@myapp/shared/lambda';
import { acknowledgeOrder, cancelOrder, editOrder, findOrderForCaller, listOrders } from '@myapp/shared/order-service';
import { repositories, toPublicOrder } from '@myapp/shared/repositories';
import { retryOrder, workflowOf } from '@myapp/shared/workflow';

export const handler = apiHandler('OrdersFunction', {
  'GET /orders': async ({ caller, query }) => {
    const page = await listOrders(repositories.orders, caller, query);
    return { ...page, items: page.items.map(toPublicOrder) };
  },
  'GET /orders/{orderId}': async ({ caller, params, query }) => {
    const order = await findOrderForCaller(repositories.orders, caller, params.orderId, { allowAdmin: true });
    if (query.include !== 'workflow') return toPublicOrder(order);
    return { ...toPublicOrder(order), workflow: await workflowOf(stepFunctions(), order) };
  },
  'PUT /orders/{orderId}': async ({ caller, params, body }) => toPublicOrder(await editOrder(repositories, caller, params.orderId, body)),
  'DELETE /orders/{orderId}': async ({ caller, params }) => toPublicOrder(await cancelOrder(repositories.orders, caller, params.orderId)),
  'POST /orders/{orderId}/acknowledge': async ({ caller, params }) =>
    toPublicOrder(await acknowledgeOrder(repositories.orders, caller, params.orderId)),
  'POST /orders/{orderId}/retry': async ({ caller, params }) => {
    const order = await findOrderForCaller(repositories.orders, caller, params.orderId, { allowAdmin: true });
    const options = { stateMachineArn: config.orderStateMachineArn(), staleOrderSeconds: config.staleOrderSeconds() };
    return toPublicOrder(await retryOrder(stepFunctions(), repositories.orders, order, options));
  },
});
