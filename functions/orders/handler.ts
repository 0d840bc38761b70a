/**
 * Every /orders route except creation, in one function routed on resource + method:
 * list own orders, read one (owner or admin, optionally with its workflow steps), edit and
 * cancel while PLACED (owner), acknowledge and retry (admin). Status changes go through the
 * layer's transition table; each is one conditional write.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { HistoryEvent, SFNClient } from '@aws-sdk/client-sfn';
import {
  callerOf,
  config,
  forbidden,
  httpHandler,
  json,
  notFound,
  parseBody,
  parsePath,
  parseQuery,
  type Caller,
} from '@myapp/shared/http';
import {
  GetOrderQuery,
  OrderPathParams,
  PaginationQuery,
  UpdateOrderRequest,
  type WorkflowInfo,
} from '@myapp/shared/schemas';
import { assertCancellable, assertEditable, assertTransition } from '@myapp/shared/orders';
import { findOrderForCaller, priceLines } from '@myapp/shared/order-service';
import {
  DynamoOrdersRepository,
  DynamoProductsRepository,
  documentClient,
  toPublicOrder,
  type OrderRecord,
} from '@myapp/shared/repositories';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';

const logger = new Logger();
const tracer = new Tracer();
const ddbClient = tracer.captureAWSv3Client(new DynamoDBClient({}));

type StepFunctionsSdk = typeof import('@aws-sdk/client-sfn');
let stepFunctions: { sdk: StepFunctionsSdk; client: SFNClient } | undefined;

/**
 * Step Functions serves only admin and `?include=workflow` paths (steps, retry), so its client
 * is loaded on first use rather than at every cold start. `require`, not `import()`: the SDK
 * is resolved through NODE_PATH (the Lambda runtime's), which ESM resolution does not search.
 */
function sfn(): { sdk: StepFunctionsSdk; client: SFNClient } {
  if (!stepFunctions) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const sdk = require('@aws-sdk/client-sfn') as StepFunctionsSdk;
    stepFunctions = { sdk, client: tracer.captureAWSv3Client(new sdk.SFNClient({})) };
  }
  return stepFunctions;
}

const orders = () => new DynamoOrdersRepository(documentClient(ddbClient), config.ordersTable());
const products = () => new DynamoProductsRepository(documentClient(ddbClient), config.productsTable());

function requireAdmin(caller: Caller): void {
  if (!caller.isAdmin) throw forbidden('Administrators only');
}

/** Condenses an execution history to one entry per state visit. */
export function stepsOf(events: readonly HistoryEvent[]): NonNullable<WorkflowInfo['steps']> {
  const steps: NonNullable<WorkflowInfo['steps']> = [];
  for (const e of events) {
    const at = (e.timestamp ?? new Date(0)).toISOString();
    const type = e.type ?? '';
    if (type.endsWith('StateEntered') && e.stateEnteredEventDetails?.name) {
      steps.push({ name: e.stateEnteredEventDetails.name, status: 'ENTERED', at });
    } else if (type.endsWith('StateExited') && e.stateExitedEventDetails?.name) {
      const name = e.stateExitedEventDetails.name;
      const open = [...steps].reverse().find((s) => s.name === name && s.status === 'ENTERED');
      if (open) Object.assign(open, { status: 'SUCCEEDED', at });
    } else if (/(TaskFailed|LambdaFunctionFailed|TaskTimedOut|LambdaFunctionTimedOut)$/.test(type)) {
      const open = [...steps].reverse().find((s) => s.status === 'ENTERED');
      if (open) Object.assign(open, { status: 'FAILED', at });
    }
  }
  return steps;
}

/** Best effort: the order is still answered when Step Functions is unreachable. */
async function workflowOf(order: OrderRecord): Promise<WorkflowInfo> {
  if (!order.executionArn) return { steps: [] };
  try {
    const executionArn = order.executionArn;
    const { sdk, client } = sfn();
    const [desc, history] = await Promise.all([
      client.send(new sdk.DescribeExecutionCommand({ executionArn })),
      client.send(new sdk.GetExecutionHistoryCommand({ executionArn, maxResults: 500, includeExecutionData: false })),
    ]);
    return {
      executionArn,
      ...(desc.status ? { status: desc.status } : {}),
      ...(desc.startDate ? { startDate: desc.startDate.toISOString() } : {}),
      ...(desc.stopDate ? { stopDate: desc.stopDate.toISOString() } : {}),
      steps: stepsOf(history.events ?? []),
    };
  } catch (err) {
    logger.warn('Workflow lookup failed', err instanceof Error ? err : new Error(String(err)));
    return { executionArn: order.executionArn, error: 'Workflow information is unavailable' };
  }
}

async function listOrders(event: APIGatewayProxyEvent, caller: Caller): Promise<APIGatewayProxyResult> {
  const q = parseQuery(event, PaginationQuery);
  const page = await orders().listByUser(caller.sub, {
    limit: q.limit,
    ...(q.nextToken !== undefined ? { nextToken: q.nextToken } : {}),
  });
  return json(200, { items: page.items.map(toPublicOrder), ...(page.nextToken ? { nextToken: page.nextToken } : {}) });
}

async function getOrder(event: APIGatewayProxyEvent, caller: Caller): Promise<APIGatewayProxyResult> {
  const { orderId } = parsePath(event, OrderPathParams);
  const q = parseQuery(event, GetOrderQuery);
  const order = await findOrderForCaller(orders(), caller, orderId, { allowAdmin: true });
  const body = toPublicOrder(order);
  if (q.include === 'workflow') return json(200, { ...body, workflow: await workflowOf(order) });
  return json(200, body);
}

async function updateOrder(event: APIGatewayProxyEvent, caller: Caller): Promise<APIGatewayProxyResult> {
  const { orderId } = parsePath(event, OrderPathParams);
  const body = parseBody(event, UpdateOrderRequest);
  const repo = orders();
  const order = await findOrderForCaller(repo, caller, orderId, { allowAdmin: false });
  assertEditable(order);
  const priced = await priceLines(products(), body.items);
  const updated = await repo.updateItems(
    { userId: order.userId, orderId },
    {
      ...priced,
      expectedVersion: body.version,
      ...(body.paymentToken !== undefined ? { paymentToken: body.paymentToken } : {}),
    },
  );
  return json(200, toPublicOrder(updated));
}

async function cancelOrder(event: APIGatewayProxyEvent, caller: Caller): Promise<APIGatewayProxyResult> {
  const { orderId } = parsePath(event, OrderPathParams);
  const repo = orders();
  const order = await findOrderForCaller(repo, caller, orderId, { allowAdmin: false });
  assertCancellable(order, new Date());
  const canceled = await repo.transition({ userId: order.userId, orderId }, 'PLACED', 'CANCELED', {
    expectedVersion: order.version,
    reason: 'canceled by owner',
  });
  return json(200, toPublicOrder(canceled));
}

async function acknowledgeOrder(event: APIGatewayProxyEvent, caller: Caller): Promise<APIGatewayProxyResult> {
  requireAdmin(caller);
  const { orderId } = parsePath(event, OrderPathParams);
  const repo = orders();
  const order = await findOrderForCaller(repo, caller, orderId, { allowAdmin: true });
  assertTransition(order.status, 'ACKNOWLEDGED');
  const acked = await repo.transition({ userId: order.userId, orderId }, 'CONFIRMED', 'ACKNOWLEDGED', {
    expectedVersion: order.version,
    reason: `acknowledged by ${caller.sub}`,
  });
  return json(200, toPublicOrder(acked));
}

async function retryOrder(event: APIGatewayProxyEvent, caller: Caller): Promise<APIGatewayProxyResult> {
  requireAdmin(caller);
  const { orderId } = parsePath(event, OrderPathParams);
  const repo = orders();
  const order = await findOrderForCaller(repo, caller, orderId, { allowAdmin: true });
  assertTransition(order.status, 'PLACED');
  const key = { userId: order.userId, orderId };
  const now = new Date();
  // Back to PLACED with a fresh expiry, so cleanup does not expire it before the workflow runs.
  const placed = await repo.transition(key, 'FAILED', 'PLACED', {
    expectedVersion: order.version,
    reason: 'retry',
    now,
    set: { expiresAt: Math.floor(now.getTime() / 1000) + config.staleOrderSeconds() },
  });
  let executionArn: string;
  try {
    const { sdk, client } = sfn();
    const out = await client.send(
      new sdk.StartExecutionCommand({
        stateMachineArn: config.orderStateMachineArn(),
        // Unique per retry: the version only grows, and a name is never reused.
        name: `${orderId}-retry-${placed.version}`,
        input: JSON.stringify({ orderId, userId: order.userId }),
      }),
    );
    if (!out.executionArn) throw new Error('StartExecution returned no executionArn');
    executionArn = out.executionArn;
  } catch (err) {
    // Put the order back where it was, so an admin can retry again.
    await repo
      .transition(key, 'PLACED', 'FAILED', { expectedVersion: placed.version, reason: 'retry could not start' })
      .catch((e: unknown) => logger.error('Could not restore FAILED after a failed retry', e instanceof Error ? e : new Error(String(e))));
    throw err;
  }
  const recorded = await repo.recordExecution(key, executionArn);
  return json(202, toPublicOrder(recorded));
}

type Route = (event: APIGatewayProxyEvent, caller: Caller) => Promise<APIGatewayProxyResult>;
const routes: Record<string, Route> = {
  'GET /orders': listOrders,
  'GET /orders/{orderId}': getOrder,
  'PUT /orders/{orderId}': updateOrder,
  'DELETE /orders/{orderId}': cancelOrder,
  'POST /orders/{orderId}/acknowledge': acknowledgeOrder,
  'POST /orders/{orderId}/retry': retryOrder,
};

const route = httpHandler(
  async (event: APIGatewayProxyEvent) => {
    const fn = routes[`${event.httpMethod} ${event.resource}`];
    if (!fn) throw notFound(`No route for ${event.httpMethod} ${event.resource}`);
    const caller = callerOf(event);
    if (event.pathParameters?.orderId) logger.appendKeys({ orderId: event.pathParameters.orderId });
    return fn(event, caller);
  },
  { logger },
);

export const handler = async (event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> => {
  logger.addContext(context);
  try {
    return await route(event, context);
  } finally {
    logger.removeKeys(['orderId']);
  }
};
