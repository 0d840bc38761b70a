/**
 * What operators see for one successful order: the EMF document CloudWatch turns into
 * metrics, and JSON log lines carrying the ids that tie a request together. Reads the real
 * output of Powertools (stdout), not spies, so a renamed metric or a lost key fails here.
 */
import { DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';

const TRACE_ID = 'Root=1-6b03fca7-0f03de6a017c4619b16012db;Parent=53995c3f42cd8ad8;Sampled=1';

async function loadHandler(): Promise<typeof import('./handler').handler> {
  // Powertools reads its settings when the handler module is loaded, as in Lambda.
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  process.env.POWERTOOLS_DEV = 'false';
  process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
  process.env.POWERTOOLS_SERVICE_NAME = 'myapp';
  process.env.POWERTOOLS_METRICS_NAMESPACE = 'MyApp';
  process.env._X_AMZN_TRACE_ID = TRACE_ID;
  process.env.AWS_LAMBDA_INITIALIZATION_TYPE = 'on-demand'; // as Lambda sets it: Powertools' cold-start detection reads it
  // Loaded here, not at the top, so the settings above are in place first; this test file has
  // its own module registry, so the SDK classes are the ones aws-sdk-client-mock patched.
  return (await import('./handler')).handler;
}

const doc = mockClient(DynamoDBDocumentClient);
const raw = mockClient(DynamoDBClient);

beforeAll(() => {
  process.env.ORDERS_TABLE = 'Orders';
  process.env.PRODUCTS_TABLE = 'Products';
  process.env.IDEMPOTENCY_TABLE = 'Idempotency';
  process.env.STALE_ORDER_SECONDS = '3600';
  process.env.ORDER_STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:myapp-OrderWorkflow';
});

test('a successful order emits SuccessfulOrder and OrderTotal as EMF and logs with request, trace, order and user ids', async () => {
  doc
    .on(BatchGetCommand)
    .resolves({ Responses: { Products: [{ sku: 'SKU-0001', name: 'Pack', price: 6900, currency: 'USD', stock: 5 }] } });
  doc.on(PutCommand).resolves({});
  raw.on(PutItemCommand).resolves({});
  raw.on(UpdateItemCommand).resolves({});
  const handler = await loadHandler();
  const lines: string[] = [];
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  let status: number;
  try {
    const res = await handler(
      {
        resource: '/orders',
        path: '/orders',
        httpMethod: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ items: [{ sku: 'SKU-0001', qty: 3 }] }),
        isBase64Encoded: false,
        requestContext: { requestId: 'api-req-7', authorizer: { sub: 'user-42', email: 'u@example.com', groups: '' } },
      } as unknown as APIGatewayProxyEvent,
      {
        awsRequestId: 'lambda-req-7',
        functionName: 'myapp-CreateOrderFunction',
        getRemainingTimeInMillis: () => 5000,
      } as unknown as Context,
    );
    status = res.statusCode;
  } finally {
    write.mockRestore();
  }
  expect(status).toBe(202);
  const docs = lines
    .flatMap((l) => l.split('\n'))
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, any>);

  const emf = docs.filter((d) => d._aws?.CloudWatchMetrics);
  const business = emf.find((d) => d.SuccessfulOrder !== undefined);
  expect(business).toBeDefined();
  expect(business!.SuccessfulOrder).toBe(1);
  expect(business!.OrderTotal).toBe(3 * 6900);
  expect(business!.service).toBe('myapp');
  const declared = business!._aws.CloudWatchMetrics[0];
  expect(declared.Namespace).toBe('MyApp');
  expect(declared.Metrics).toEqual(
    expect.arrayContaining([
      { Name: 'SuccessfulOrder', Unit: 'Count' },
      { Name: 'OrderTotal', Unit: 'None' },
    ]),
  );
  expect(emf.some((d) => d.ColdStart === 1)).toBe(true);

  const placed = docs.find((d) => d.message === 'Order placed');
  expect(placed).toMatchObject({
    level: 'INFO',
    service: 'myapp',
    function_request_id: 'lambda-req-7',
    xray_trace_id: '1-6b03fca7-0f03de6a017c4619b16012db',
    userId: 'user-42',
  });
  expect(typeof placed!.orderId).toBe('string');
});
