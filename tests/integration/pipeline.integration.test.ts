/**
 * The order pipeline end to end over HTTP against the local runtime (`npm start` in a child
 * process): API → OrdersTable stream → OrderStreamProcessor → EventBridge rule →
 * StartOrderWorkflow → Step Functions (the real ASL) → task functions → DynamoDB Local.
 * OrderHoldSeconds=2 leaves a window to cancel; StaleOrderSeconds=1 makes orders stale fast
 * (only the cleanup test invokes the cleanup, so other tests are not affected).
 */
import { randomUUID } from 'node:crypto';
import { ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { createTestUser, startLocalRuntime, type LocalRuntimeHandle, type TestUser } from '../support/runtime';
import { ORDER_DLQ, putPoisonOrder, waitForDlqRecords } from '../support/stream-poison';

jest.setTimeout(240_000);

interface Order {
  orderId: string;
  userId: string;
  status: string;
  history: Array<{ status: string; reason?: string }>;
  failureReason?: string;
  payment?: { chargeId: string; status: string };
  paymentAttempts?: number;
  executionArn?: string;
  workflow?: { steps?: Array<{ name: string; status: string }>; status?: string };
}

let rt: LocalRuntimeHandle;
let user: TestUser;
const creds = { accessKeyId: 'local', secretAccessKey: 'local' };
const api = () => rt.outputs.APIEndpoint!.replace(/\/$/, '');
const region = () => rt.outputs.Region ?? 'us-east-1';

async function call<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${api()}${path}`, {
    method,
    headers: { ...user.headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as T };
}

const getOrder = async (orderId: string, include = false) =>
  (await call<Order>('GET', `/orders/${orderId}${include ? '?include=workflow' : ''}`)).body;

/** Polls until the order reaches one of `statuses` (bounded). */
async function waitForStatus(orderId: string, statuses: string[], timeoutMs = 60_000): Promise<Order> {
  const end = Date.now() + timeoutMs;
  let last: Order | undefined;
  while (Date.now() < end) {
    last = await getOrder(orderId);
    if (statuses.includes(last.status)) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`order ${orderId} stuck in ${last?.status}; wanted ${statuses.join('|')}\n${rt.output().slice(-3000)}`);
}

async function stockOf(sku: string): Promise<number> {
  const res = await fetch(`${api()}/products`);
  const { items } = (await res.json()) as { items: Array<{ sku: string; stock: number }> };
  return items.find((p) => p.sku === sku)!.stock;
}

const place = async (items: Array<{ sku: string; qty: number }>, paymentToken?: string) => {
  const orderId = `it-${randomUUID()}`;
  const res = await call<Order>('POST', '/orders', { orderId, items, ...(paymentToken ? { paymentToken } : {}) });
  expect(res.status).toBe(202);
  expect(res.body.status).toBe('PLACED');
  return orderId;
};

beforeAll(async () => {
  rt = await startLocalRuntime({ parameterOverrides: { OrderHoldSeconds: '2', StaleOrderSeconds: '1' } });
  user = await createTestUser(rt.outputs);
});
afterAll(async () => {
  await rt?.stop();
});

it('takes an order to CONFIRMED with its full history and workflow steps', async () => {
  const before = await stockOf('SKU-0002');
  const orderId = await place([{ sku: 'SKU-0002', qty: 2 }], 'tok_visa');
  const done = await waitForStatus(orderId, ['CONFIRMED', 'FAILED']);
  expect(done.status).toBe('CONFIRMED');
  expect(done.history.map((h) => h.status)).toEqual(['PLACED', 'VALIDATED', 'RESERVED', 'CHARGED', 'CONFIRMED']);
  expect(done.payment).toMatchObject({ status: 'CHARGED', chargeId: expect.stringMatching(/^ch_/) });
  expect(await stockOf('SKU-0002')).toBe(before - 2);
  expect(done.executionArn).toMatch(new RegExp(`:execution:[^:]+:${orderId}$`));
  const withWorkflow = await getOrder(orderId, true);
  expect(withWorkflow.workflow?.steps?.map((s) => s.name)).toEqual(
    expect.arrayContaining(['Validate', 'ReserveInventory', 'ProcessPayment', 'Confirm', 'SendNotification']),
  );
});

it('fails a declined payment, releases the stock and charges nothing', async () => {
  const before = await stockOf('SKU-0003');
  const orderId = await place([{ sku: 'SKU-0003', qty: 1 }], 'tok_decline');
  const done = await waitForStatus(orderId, ['FAILED', 'CONFIRMED']);
  expect(done.status).toBe('FAILED');
  expect(done.failureReason).toMatch(/^PaymentDeclined/);
  expect(done.payment).toBeUndefined();
  expect(await stockOf('SKU-0003')).toBe(before);
});

it('retries a flaky payment provider to CONFIRMED', async () => {
  const orderId = await place([{ sku: 'SKU-0002', qty: 1 }], 'tok_flaky');
  const done = await waitForStatus(orderId, ['CONFIRMED', 'FAILED']);
  expect(done.status).toBe('CONFIRMED');
  expect(done.paymentAttempts).toBe(2);
});

it('lets a cancel during the hold window win: nothing reserved or charged', async () => {
  const before = await stockOf('SKU-0002');
  const orderId = await place([{ sku: 'SKU-0002', qty: 1 }]);
  const cancel = await call<Order>('DELETE', `/orders/${orderId}`);
  expect(cancel.status).toBe(200);
  // Past the 2 s hold: the workflow must have seen the cancel and ended cleanly.
  await new Promise((r) => setTimeout(r, 4000));
  const after = await getOrder(orderId);
  expect(after.status).toBe('CANCELED');
  expect(after.history.map((h) => h.status)).toEqual(['PLACED', 'CANCELED']);
  expect(after.payment).toBeUndefined();
  expect(await stockOf('SKU-0002')).toBe(before);
});

it('fails an order beyond the stock cleanly, with stock untouched', async () => {
  const before = await stockOf('SKU-0001');
  const orderId = await place([{ sku: 'SKU-0001', qty: 100 }]);
  const done = await waitForStatus(orderId, ['FAILED', 'CONFIRMED']);
  expect(done.status).toBe('FAILED');
  expect(done.failureReason).toMatch(/^OutOfStock/);
  expect(await stockOf('SKU-0001')).toBe(before);
});

it('starts no second execution for a duplicate OrderCreated', async () => {
  const orderId = await place([{ sku: 'SKU-0002', qty: 1 }]);
  await waitForStatus(orderId, ['CONFIRMED']);
  const eb = new EventBridgeClient({ endpoint: rt.outputs.EventBridgeEndpoint, region: region(), credentials: creds });
  const sfn = new SFNClient({ endpoint: rt.outputs.StepFunctionsEndpoint, region: region(), credentials: creds });
  try {
    const dup = await eb.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: 'myapp.orders',
            DetailType: 'OrderCreated',
            EventBusName: 'default',
            Detail: JSON.stringify({ orderId, userId: user.sub, status: 'PLACED' }),
          },
        ],
      }),
    );
    expect(dup.FailedEntryCount).toBe(0);
    await new Promise((r) => setTimeout(r, 2000));
    const order = await getOrder(orderId);
    const machine = order.executionArn!.split(':').slice(0, -1).join(':').replace(':execution:', ':stateMachine:');
    const list = await sfn.send(new ListExecutionsCommand({ stateMachineArn: machine, maxResults: 1000 }));
    expect(list.executions!.filter((e) => e.name === orderId || e.name?.startsWith(`${orderId}-`))).toHaveLength(1);
    expect(order.status).toBe('CONFIRMED');
    expect(order.history.filter((h) => h.status === 'CONFIRMED')).toHaveLength(1);
  } finally {
    eb.destroy();
    sfn.destroy();
  }
});

it('sends a poison stream record to order-dlq and still processes the other records', async () => {
  const sqs = new SQSClient({ endpoint: rt.outputs.SQSEndpoint, region: region(), credentials: creds });
  try {
    await putPoisonOrder(rt.outputs);
    const orderId = await place([{ sku: 'SKU-0002', qty: 1 }]);
    await waitForStatus(orderId, ['CONFIRMED']);
    const [body] = await waitForDlqRecords(rt.outputs, 1, 60_000);
    expect(body?.DDBStreamBatchInfo?.batchSize).toBe(1);
    expect(body?.DDBStreamBatchInfo?.streamArn).toContain('OrdersTable');
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: ORDER_DLQ }));
    const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['MessageRetentionPeriod'] }));
    expect(attrs.Attributes?.MessageRetentionPeriod).toBe('1209600');
  } finally {
    sqs.destroy();
  }
});

it('expires a stale PLACED order with the cleanup, and the workflow leaves it alone', async () => {
  const cleanup = () =>
    fetch(`${rt.outputs.LambdaEndpoint}/2015-03-31/functions/CleanupFunction/invocations`, { method: 'POST', body: '{}' });
  // Warm it first: a cold start could outlast the 2 s hold and race the workflow.
  await (await cleanup()).text();
  const orderId = await place([{ sku: 'SKU-0002', qty: 1 }]);
  await new Promise((r) => setTimeout(r, 1100)); // older than StaleOrderSeconds, still in the hold
  const res = await cleanup();
  const result = (await res.json()) as { expired: number };
  expect(res.headers.get('x-amz-function-error')).toBeNull();
  expect(result.expired).toBeGreaterThanOrEqual(1);
  await new Promise((r) => setTimeout(r, 3000)); // past the hold: the workflow saw EXPIRED
  const after = await getOrder(orderId);
  expect(after.status).toBe('EXPIRED');
  expect(after.history.map((h) => h.status)).toEqual(['PLACED', 'EXPIRED']);
});

it('loses no order across a restart in the middle of its workflow', async () => {
  const orderId = await place([{ sku: 'SKU-0002', qty: 1 }]);
  await rt.restart(); // the execution is in its 2 s hold while the runtime stops
  const done = await waitForStatus(orderId, ['CONFIRMED', 'FAILED'], 90_000);
  expect(done.status).toBe('CONFIRMED');
  expect(done.history.filter((h) => h.status === 'CONFIRMED')).toHaveLength(1);
});
