import { createServer, type Server, type Socket } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import {
  DYNAMODB_HTTP_LIMITS,
  documentClient,
  documentClientOver,
  dynamoDbClient,
  dynamoDbClientConfig,
  eventBridgeClient,
} from './clients';

describe('DynamoDB client settings', () => {
  let server: Server;
  let port: number;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    // Accepts connections and never answers: a paused database.
    server = createServer((s) => void sockets.push(s));
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    port = (server.address() as { port: number }).port;
  });
  afterAll(async () => {
    sockets.forEach((s) => s.destroy());
    await new Promise((ok) => server.close(ok));
  });

  it('bounds each attempt, so a hung endpoint fails instead of outliving the function', async () => {
    const client = new DynamoDBClient({
      ...dynamoDbClientConfig(),
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
    const t0 = Date.now();
    const err = await documentClientOver(client)
      .send(new GetCommand({ TableName: 't', Key: { id: '1' } }))
      .then(
        () => undefined,
        (e: Error) => e,
      );
    expect(err?.name).toBe('TimeoutError');
    expect(Date.now() - t0).toBeLessThan(DYNAMODB_HTTP_LIMITS.requestTimeout + 3000);
    client.destroy();
  }, 15_000);

  it('worst case of every attempt stays under the 10 s function timeout', () => {
    expect(dynamoDbClientConfig().maxAttempts * DYNAMODB_HTTP_LIMITS.requestTimeout).toBeLessThanOrEqual(10_000 - 2000);
  });
});

describe('the clients the handlers use', () => {
  it('carry no SDK logger middleware (it redacts every input and output for a logger we never give them)', () => {
    const stacks = [dynamoDbClient(), documentClient(), eventBridgeClient()].map((c) => c.middlewareStack.identify());
    // The stack is the SDK's own: other middlewares are there.
    for (const stack of stacks) expect(stack.some((m) => m.startsWith('retryMiddleware'))).toBe(true);
    expect(stacks.flat().filter((m) => m.startsWith('loggerMiddleware'))).toEqual([]);
  });
});
