import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { CATALOGUE } from '@myapp/shared/catalogue';
import { overrideRepositories } from '@myapp/shared/repositories';
import { InMemoryProductsRepository } from '../../layers/shared/src/testing/in-memory-repositories';
import { handler } from './handler';

let products: InMemoryProductsRepository;
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
  products = new InMemoryProductsRepository();
  overrideRepositories({ products });
  received = [];
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
    ...(type === 'Create' ? {} : { PhysicalResourceId: 'Catalogue', OldResourceProperties: {} }),
  }) as CloudFormationCustomResourceEvent;

test('Create loads every product and answers SUCCESS with the counts', async () => {
  await handler(event('Create'), context);
  expect((await products.list()).map((p) => p.sku)).toEqual(CATALOGUE.map((p) => p.sku).sort());
  expect(received).toHaveLength(1);
  expect(received[0]).toMatchObject({
    Status: 'SUCCESS',
    PhysicalResourceId: 'Catalogue',
    LogicalResourceId: 'Catalogue',
    Data: { inserted: CATALOGUE.length, kept: 0 },
  });
});

test('Update keeps the stock of products already there (a redeploy does not refill the shelves)', async () => {
  const first = CATALOGUE[0]!;
  await products.putAll([{ ...first, stock: 1 }]);
  await handler(event('Update'), context);
  expect((await products.getMany([first.sku])).get(first.sku)?.stock).toBe(1);
  expect(received[0]).toMatchObject({
    Status: 'SUCCESS',
    PhysicalResourceId: 'Catalogue',
    Data: { inserted: CATALOGUE.length - 1, kept: 1 },
  });
});

test('Delete writes nothing and answers SUCCESS', async () => {
  await handler(event('Delete'), context);
  expect(products.items.size).toBe(0);
  expect(received[0]).toMatchObject({ Status: 'SUCCESS' });
});

test('a DynamoDB fault answers FAILED with a reason instead of leaving CloudFormation waiting', async () => {
  products.addMissing = () => Promise.reject(new Error('throttled'));
  await handler(event('Create'), context);
  expect(received[0]).toMatchObject({ Status: 'FAILED' });
  expect(String(received[0]!.Reason)).toContain('throttled');
});
