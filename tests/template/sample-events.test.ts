/**
 * Every function has a sample event in events/ that its handler accepts, so
 * `sam local invoke <Fn> -e events/<file>.json --env-vars events/env.local.json` and
 * `npm run invoke -- <Fn> -e events/<file>.json` do something useful out of the box.
 * Each handler runs with the environment SAM would give it and AWS calls mocked
 * (aws-sdk-client-mock) with data the event refers to; the authorizer's placeholder token is
 * swapped for a real RS256 token, the custom resource's ResponseURL for a local server.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { loadTemplateFile, textOf, type JsonObject } from '../../local/src/template';
import { samDeclared, samResolve, type EnvVarsFile } from '../support/sam-env';

const root = join(__dirname, '..', '..');
const raw = loadTemplateFile(join(root, 'template.yaml'));
const resources = raw.Resources as Record<string, JsonObject>;
const functionIds = Object.keys(resources).filter((id) => resources[id]!.Type === 'AWS::Serverless::Function');
const envVarsFile = JSON.parse(readFileSync(join(root, 'events', 'env.local.json'), 'utf8')) as EnvVarsFile;
const readEvent = (file: string) => JSON.parse(readFileSync(join(root, 'events', file), 'utf8')) as Record<string, any>;

/** The sample event of each function (README: `sam local invoke <Fn> -e events/<file>`). */
const SAMPLE: Record<string, string> = {
  AuthorizerFunction: 'authorizer-token.json',
  HealthFunction: 'health-get.json',
  ProductsFunction: 'products-get.json',
  UsersFunction: 'users-list-admin.json',
  ProfilesFunction: 'profiles-post.json',
  CreateOrderFunction: 'orders-post.json',
  OrdersFunction: 'orders-get.json',
  TodosFunction: 'todos-post.json',
  UploadsFunction: 'uploads-post.json',
  ApiDocsFunction: 'openapi-get.json',
  SeedCatalogueFunction: 'catalogue-create.json',
  StartOrderWorkflowFunction: 'order-created.json',
  ValidateOrderFunction: 'workflow-task.json',
  ReserveInventoryFunction: 'workflow-task.json',
  ProcessPaymentFunction: 'workflow-task.json',
  ConfirmOrderFunction: 'workflow-task.json',
  SendNotificationFunction: 'workflow-task.json',
  ReleaseInventoryFunction: 'workflow-compensation.json',
  RefundPaymentFunction: 'workflow-compensation.json',
  MarkOrderFailedFunction: 'workflow-compensation.json',
  OrderStreamProcessorFunction: 'orders-stream.json',
  UsersStreamProcessorFunction: 'users-stream.json',
  CleanupFunction: 'scheduled-event.json',
};

const doc = mockClient(DynamoDBDocumentClient);
const ddb = mockClient(DynamoDBClient);
const sfn = mockClient(SFNClient);
const eventBridge = mockClient(EventBridgeClient);
const context = {
  awsRequestId: 'sample-req',
  functionName: 'sample',
  logStreamName: 'sample-stream',
  getRemainingTimeInMillis: () => 10_000,
} as unknown as Context;

const product = { sku: 'SKU-0001', name: 'Sample', price: 6900, currency: 'USD', stock: 10 };
/** The order an event names, stored in the given status (what the workflow step expects to find). */
function storedOrder(orderId: string, userId: string, status: string) {
  const at = '2026-01-01T12:00:00.000Z';
  return {
    userId,
    orderId,
    status,
    items: [{ sku: product.sku, qty: 2, price: product.price }],
    total: 2 * product.price,
    currency: 'USD',
    paymentToken: 'tok_visa',
    version: 3,
    createdAt: at,
    updatedAt: at,
    history: [{ status: 'PLACED', at }],
    reservation: { reserved: true },
    payment: { status: 'CHARGED', chargeId: 'ch_sample', amount: 2 * product.price, currency: 'USD' },
  };
}

/** Mocks answer as a table holding `order` (and the catalogue's one product) would. */
function mockAws(order?: ReturnType<typeof storedOrder>) {
  for (const m of [doc, ddb, sfn, eventBridge]) m.reset();
  ddb.onAnyCommand().resolves({});
  doc.onAnyCommand().resolves({});
  doc
    .on(GetCommand)
    .callsFake((input: { Key: Record<string, unknown> }) => (order && input.Key.orderId === order.orderId ? { Item: order } : {}));
  doc.on(QueryCommand).resolves({ Items: order ? [order] : [] });
  doc.on(ScanCommand).resolves({ Items: [] });
  doc.on(BatchGetCommand).callsFake((input: { RequestItems: Record<string, unknown> }) => ({
    Responses: Object.fromEntries(Object.keys(input.RequestItems).map((t) => [t, [product]])),
  }));
  doc.on(UpdateCommand).callsFake(() => ({ Attributes: { ...order, paymentAttempts: 1 } }));
  doc.on(PutCommand).resolves({});
  doc.on(TransactWriteCommand).resolves({});
  sfn
    .on(StartExecutionCommand)
    .resolves({ executionArn: 'arn:aws:states:us-east-1:123456789012:execution:myapp-OrderWorkflow:sample', startDate: new Date() });
  eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
}

/** The handler as SAM would run it: the environment template.yaml + env.local.json give it. */
async function loadHandler(id: string, extraEnv: Record<string, string> = {}): Promise<(event: unknown, context: Context) => Promise<any>> {
  const env = samResolve(samDeclared(raw, id), envVarsFile, id);
  delete env.POWERTOOLS_LOG_LEVEL; // keep the test output quiet
  Object.assign(process.env, env, extraEnv);
  const codeUri = textOf((resources[id]!.Properties as JsonObject).CodeUri, '', `${id} CodeUri`);
  return ((await import(join(root, codeUri, 'handler.ts'))) as { handler: (event: unknown, context: Context) => Promise<any> }).handler;
}

describe('sample events', () => {
  it('exist for every function, and every event file belongs to one', () => {
    expect(Object.keys(SAMPLE).sort()).toEqual([...functionIds].sort());
    const files = readdirSync(join(root, 'events')).filter((f) => f.endsWith('.json') && f !== 'env.local.json');
    expect(files.sort()).toEqual([...new Set(Object.values(SAMPLE))].sort());
  });

  it('of the API functions name a route of that function in the template', () => {
    for (const [id, file] of Object.entries(SAMPLE)) {
      const event = readEvent(file);
      if (!event.httpMethod) continue;
      const routes = Object.values(((resources[id]!.Properties as JsonObject).Events ?? {}) as Record<string, JsonObject>)
        .filter((e) => e.Type === 'Api')
        .map(
          (e) =>
            `${textOf((e.Properties as JsonObject).Method, '', `${id} Method`).toUpperCase()} ${textOf((e.Properties as JsonObject).Path, '', `${id} Path`)}`,
        );
      expect([id, routes]).toEqual([id, expect.arrayContaining([`${event.httpMethod} ${event.resource}`])]);
    }
  });
});

describe('API functions answer their sample event with success', () => {
  const API: Array<[string, number]> = [
    ['HealthFunction', 200],
    ['ProductsFunction', 200],
    ['UsersFunction', 200],
    ['ProfilesFunction', 201],
    ['CreateOrderFunction', 202],
    ['OrdersFunction', 200],
    ['TodosFunction', 201],
    ['UploadsFunction', 201],
    ['ApiDocsFunction', 200],
  ];
  test.each(API)('%s -> %i', async (id, status) => {
    const event = readEvent(SAMPLE[id]!);
    mockAws(storedOrder(event.pathParameters?.orderId ?? 'ord-0001', event.requestContext.authorizer.sub, 'PLACED'));
    const handler = await loadHandler(id);
    const res = (await handler(event, context)) as { statusCode: number; body: string };
    expect([res.statusCode, res.body]).toEqual([status, expect.any(String)]);
  });
});

describe('OrderWorkflow tasks accept the state input', () => {
  const task = readEvent('workflow-task.json');
  const compensation = readEvent('workflow-compensation.json');
  const STEPS: Array<[string, string, Record<string, unknown>]> = [
    ['ValidateOrderFunction', 'PLACED', { changed: true, active: true }],
    ['ReserveInventoryFunction', 'VALIDATED', { changed: true, active: true }],
    ['ProcessPaymentFunction', 'RESERVED', { changed: true, active: true }],
    ['ConfirmOrderFunction', 'CHARGED', { changed: true, active: true }],
    ['ReleaseInventoryFunction', 'RESERVED', { released: true }],
    ['RefundPaymentFunction', 'CHARGED', { refunded: true }],
    ['MarkOrderFailedFunction', 'CHARGED', { changed: true, active: false }],
  ];
  test.each(STEPS)('%s runs on an order in %s', async (id, status, expected) => {
    const input = SAMPLE[id] === 'workflow-task.json' ? task : compensation;
    mockAws(storedOrder(input.orderId, input.userId, status));
    const handler = await loadHandler(id);
    expect(await handler(input, context)).toMatchObject(expected);
    // The step's first call on the order (a read, or the conditional write of a write-first step) names it by the input's key.
    const first = doc.calls().find((c) => (c.args[0] as { input: { Key?: { orderId?: unknown } } }).input.Key?.orderId !== undefined);
    expect((first!.args[0] as { input: { Key: unknown } }).input.Key).toEqual({ userId: input.userId, orderId: input.orderId });
  });

  it('SendNotificationFunction builds the notification of a confirmed order', async () => {
    mockAws(storedOrder(task.orderId, task.userId, 'CONFIRMED'));
    const handler = await loadHandler('SendNotificationFunction');
    expect(JSON.stringify(await handler(task, context))).toContain(task.orderId);
  });
});

describe('event-driven functions accept their sample event', () => {
  test.each([
    ['OrderStreamProcessorFunction', 'OrderCreated'],
    ['UsersStreamProcessorFunction', 'UserCreated'],
  ])('%s publishes %s and reports no failed record', async (id, detailType) => {
    mockAws();
    const handler = await loadHandler(id);
    expect(await handler(readEvent(SAMPLE[id]!), context)).toEqual({ batchItemFailures: [] });
    const entries = eventBridge.commandCalls(PutEventsCommand).flatMap((c) => c.args[0].input.Entries ?? []);
    expect(entries.map((e) => e.DetailType)).toContain(detailType);
  });

  it('StartOrderWorkflowFunction starts the execution named after the order', async () => {
    const event = readEvent(SAMPLE.StartOrderWorkflowFunction!);
    mockAws(storedOrder(event.detail.orderId, event.detail.userId, 'PLACED'));
    const handler = await loadHandler('StartOrderWorkflowFunction');
    await handler(event, context);
    expect(sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input).toMatchObject({
      name: event.detail.orderId,
      stateMachineArn: process.env.ORDER_STATE_MACHINE_ARN,
    });
  });

  it('CleanupFunction runs on the scheduled event and looks for stale orders', async () => {
    mockAws();
    const handler = await loadHandler('CleanupFunction');
    await handler(readEvent(SAMPLE.CleanupFunction!), context);
    expect(doc.commandCalls(QueryCommand).length).toBeGreaterThan(0);
  });
});

describe('functions whose sample holds a placeholder', () => {
  let server: Server;
  let base: string;
  let jwk: Record<string, unknown>;
  let key: KeyObject;
  const received: string[] = [];

  beforeAll(async () => {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    key = pair.privateKey;
    jwk = { ...pair.publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'RS256', use: 'sig' };
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        if (req.url?.endsWith('/.well-known/jwks.json'))
          return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
        received.push(body);
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('AuthorizerFunction: the event with a real id token in place of the placeholder gets an Allow policy', async () => {
    const event = readEvent(SAMPLE.AuthorizerFunction!);
    const issuer = `${base}/us-east-1_Sample`;
    const handler = await loadHandler('AuthorizerFunction', {
      JWT_ISSUER: issuer,
      JWKS_URI: `${issuer}/.well-known/jwks.json`,
      USER_POOL_CLIENT_ID: 'sampleclient',
    });
    await expect(handler(event, context)).rejects.toThrow('Unauthorized'); // the placeholder itself
    const now = Math.floor(Date.now() / 1000);
    const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const input = `${enc({ alg: 'RS256', kid: 'k1' })}.${enc({ sub: 'u-1', token_use: 'id', aud: 'sampleclient', iss: issuer, iat: now, exp: now + 600 })}`;
    const token = `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`;
    const res = await handler({ ...event, authorizationToken: `Bearer ${token}` }, context);
    expect(res.policyDocument.Statement[0]).toMatchObject({ Effect: 'Allow', Action: 'execute-api:Invoke' });
  });

  it('SeedCatalogueFunction: the Create event, answered to a reachable ResponseURL, reports SUCCESS', async () => {
    mockAws();
    const event = readEvent(SAMPLE.SeedCatalogueFunction!);
    const handler = await loadHandler('SeedCatalogueFunction');
    await handler({ ...event, ResponseURL: `${base}/cfn-response` }, context);
    expect(JSON.parse(received.pop()!)).toMatchObject({ Status: 'SUCCESS', RequestId: event.RequestId, LogicalResourceId: 'Catalogue' });
    expect(doc.commandCalls(PutCommand).length).toBeGreaterThan(0);
  });
});
