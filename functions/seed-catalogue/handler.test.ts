import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { CATALOGUE } from '@myapp/shared';
import { handler } from './handler';

const ddb = mockClient(DynamoDBDocumentClient);
const context = { awsRequestId: 'req-1', logStreamName: 'stream-1', functionName: 'seed' } as unknown as Context;

let server: Server;
let url: string;
let received: Array<Record<string, unknown>> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push(JSON.parse(body));
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/response`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  ddb.reset();
  received = [];
  process.env.PRODUCTS_TABLE = 'products';
});

const event = (type: 'Create' | 'Update' | 'Delete'): CloudFormationCustomResourceEvent =>
  ({
    RequestType: type,
    ResponseURL: url,
    StackId: 'stack',
    RequestId: 'r1',
    LogicalResourceId: 'Catalogue',
    ResourceType: 'Custom::Catalogue',
    ServiceToken: 'arn',
    ResourceProperties: { ServiceToken: 'arn' },
    ...(type === 'Create' ? {} : { PhysicalResourceId: 'Catalogue-catalogue', OldResourceProperties: {} }),
  }) as CloudFormationCustomResourceEvent;

test('Create puts every product only if absent and answers SUCCESS', async () => {
  ddb.on(PutCommand).resolves({});
  await handler(event('Create'), context);
  const puts = ddb.commandCalls(PutCommand);
  expect(puts).toHaveLength(CATALOGUE.length);
  expect(puts[0]!.args[0].input).toMatchObject({ TableName: 'products', ConditionExpression: 'attribute_not_exists(sku)' });
  expect(received).toHaveLength(1);
  expect(received[0]).toMatchObject({ Status: 'SUCCESS', LogicalResourceId: 'Catalogue', Data: { inserted: CATALOGUE.length, kept: 0 } });
});

test('Update keeps existing products (stock is not reset)', async () => {
  ddb.on(PutCommand).rejects(new ConditionalCheckFailedException({ message: 'exists', $metadata: {} }));
  await handler(event('Update'), context);
  expect(received[0]).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'Catalogue-catalogue', Data: { inserted: 0, kept: CATALOGUE.length } });
});

test('Delete writes nothing and answers SUCCESS', async () => {
  await handler(event('Delete'), context);
  expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
  expect(received[0]).toMatchObject({ Status: 'SUCCESS' });
});

test('a DynamoDB fault answers FAILED with a reason instead of leaving CloudFormation waiting', async () => {
  ddb.on(PutCommand).rejects(new Error('throttled'));
  await handler(event('Create'), context);
  expect(received[0]).toMatchObject({ Status: 'FAILED' });
  expect(String(received[0]!.Reason)).toContain('throttled');
});
