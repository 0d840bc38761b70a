/**
 * The floor of GET /orders/{orderId}: a plain node:http server doing the same GetItem (a
 * consistent read of the same key in the same table, through the DynamoDB document client
 * with the layer's client settings), in one node process as a function runs. No gateway, no
 * authorizer, no framework: what an HTTP API over DynamoDB Local costs at the least here.
 * Built and started by bench/lib/floor.ts; prints `listening <port>` once it listens.
 */
import { createServer } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { DOCUMENT_TRANSLATE_CONFIG, dynamoDbClientConfig } from '../../layers/shared/src/client-settings';

const table = process.env.ORDERS_TABLE ?? '';
const doc = DynamoDBDocumentClient.from(new DynamoDBClient(dynamoDbClientConfig()), DOCUMENT_TRANSLATE_CONFIG);

const server = createServer((req, res) => {
  const orderId = /^\/orders\/([^/?]+)/.exec(req.url ?? '')?.[1];
  const userId = req.headers['x-user-id'];
  if (!orderId || typeof userId !== 'string') {
    res.writeHead(404).end();
    return;
  }
  const key = { userId, orderId: decodeURIComponent(orderId) };
  doc.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true })).then(
    (out) => {
      // The API's view: storage-only attributes and the payment token stay out.
      const { placedStatus: _p, ttlEpoch: _t, paymentToken: _k, ...order } = out.Item ?? {};
      res.writeHead(out.Item ? 200 : 404, { 'content-type': 'application/json' }).end(JSON.stringify(out.Item ? order : {}));
    },
    (err: Error) => res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ error: err.name })),
  );
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : 0}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
