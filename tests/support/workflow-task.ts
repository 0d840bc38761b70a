/**
 * Shared fixtures of the OrderWorkflow task tests (functions/<task>/handler.test.ts): one
 * mocked DynamoDB document client, a PLACED order, and a fake OrdersTable whose conditional
 * updates answer the way the layer's `transition` expects.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';

process.env.ORDERS_TABLE = 'Orders';
process.env.PRODUCTS_TABLE = 'Products';

export const ordersDoc = mockClient(DynamoDBDocumentClient);
export const taskContext = { awsRequestId: 'req-1', functionName: 'fn' } as Context;
export const taskInput = { orderId: 'o-1', userId: 'u-1' };

export const orderItem = (over: Record<string, unknown> = {}) => ({
  userId: 'u-1',
  orderId: 'o-1',
  status: 'PLACED',
  items: [{ sku: 'SKU-1', qty: 2, price: 500 }, { sku: 'SKU-2', qty: 1, price: 250 }],
  total: 1250,
  currency: 'USD',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  expiresAt: 2_000_000_000,
  version: 1,
  history: [],
  ...over,
});

/** GetItem answers with `current`; an UpdateItem that moves the status answers with the new item. */
export function fakeOrdersTable(current: Record<string, unknown>): void {
  ordersDoc.on(GetCommand).resolves({ Item: current });
  ordersDoc.on(UpdateCommand).callsFake((input: { ExpressionAttributeValues?: Record<string, unknown> }) => {
    const to = input.ExpressionAttributeValues?.[':to'];
    return { Attributes: { ...current, ...(to ? { status: to } : {}), version: Number(current.version) + 1 } };
  });
}

/** The inputs of every UpdateItem the task sent. */
export const orderUpdates = () => ordersDoc.commandCalls(UpdateCommand).map((c) => c.args[0].input);

/** A failed condition carrying the current item, as DynamoDB returns it with ReturnValuesOnConditionCheckFailure. */
export const conditionalCheckFailed = (item: Record<string, unknown>) =>
  new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {}, Item: marshall(item, { removeUndefinedValues: true }) });
