import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from './handler';

process.env.PRODUCTS_TABLE = 'products-table';
const doc = mockClient(DynamoDBDocumentClient);
const ev = {
  resource: '/products',
  path: '/products',
  httpMethod: 'GET',
  headers: {},
  requestContext: { requestId: 'r' },
} as unknown as APIGatewayProxyEvent;
const context = { awsRequestId: 'aws-req' } as Context;

beforeEach(() => doc.reset());

describe('GET /products', () => {
  it('returns the catalogue sorted by sku, public fields only, following every scan page', async () => {
    doc
      .on(ScanCommand)
      .resolvesOnce({
        Items: [{ sku: 'SKU-0002', name: 'Mug', price: 900, currency: 'EUR', stock: 0, internalCost: 100 }],
        LastEvaluatedKey: { sku: 'SKU-0002' },
      })
      .resolvesOnce({ Items: [{ sku: 'SKU-0001', name: 'Tee', description: 'Cotton', price: 1999, currency: 'EUR', stock: 7 }] });
    const res = await handler(ev, context);
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toEqual({
      items: [
        { sku: 'SKU-0001', name: 'Tee', description: 'Cotton', price: 1999, currency: 'EUR', stock: 7 },
        { sku: 'SKU-0002', name: 'Mug', price: 900, currency: 'EUR', stock: 0 },
      ],
    });
    const calls = doc.commandCalls(ScanCommand);
    expect(calls).toHaveLength(2);
    expect(calls[0]!.args[0].input.TableName).toBe('products-table');
    expect(calls[1]!.args[0].input.ExclusiveStartKey).toEqual({ sku: 'SKU-0002' });
  });

  it('answers an empty catalogue with an empty list', async () => {
    doc.on(ScanCommand).resolves({ Items: [] });
    expect(JSON.parse((await handler(ev, context)).body)).toEqual({ items: [] });
  });

  it('is a 500 without internals when the table fails', async () => {
    doc.on(ScanCommand).rejects(new Error('ResourceNotFoundException: products-table'));
    const res = await handler(ev, context);
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain('products-table');
  });
});
