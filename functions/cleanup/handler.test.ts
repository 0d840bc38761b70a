import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from './handler';

process.env.ORDERS_TABLE = 'Orders';
const doc = mockClient(DynamoDBDocumentClient);
const context = { awsRequestId: 'req-1', functionName: 'fn' } as Context;

beforeEach(() => doc.reset());

describe('cleanup', () => {
  it('pages through the sparse GSI and expires each stale order; a concurrent change is skipped', async () => {
    const lastKey = { userId: 'u', orderId: 'o-2', placedStatus: 'PLACED', expiresAt: 10 };
    doc
      .on(QueryCommand)
      .resolvesOnce({
        Items: [
          { userId: 'u', orderId: 'o-1' },
          { userId: 'u', orderId: 'o-2' },
        ],
        LastEvaluatedKey: lastKey,
      })
      .resolves({ Items: [{ userId: 'v', orderId: 'o-3' }] });
    doc.on(UpdateCommand).resolves({ Attributes: { status: 'EXPIRED' } });
    doc.on(UpdateCommand, { Key: { userId: 'u', orderId: 'o-2' } }).rejects(
      new ConditionalCheckFailedException({
        message: 'no',
        $metadata: {},
        Item: marshall({ userId: 'u', orderId: 'o-2', status: 'VALIDATED', version: 2 }),
      }),
    );
    const before = Math.floor(Date.now() / 1000);
    await expect(handler({}, context)).resolves.toEqual({ examined: 3, expired: 2, skipped: 1 });
    const queries = doc.commandCalls(QueryCommand).map((c) => c.args[0].input);
    expect(queries).toHaveLength(2);
    expect(queries[0]).toMatchObject({
      IndexName: 'PlacedByExpiry',
      KeyConditionExpression: 'placedStatus = :placed AND expiresAt <= :now',
    });
    expect(Number(queries[0]!.ExpressionAttributeValues![':now'])).toBeGreaterThanOrEqual(before);
    expect(queries[1]!.ExclusiveStartKey).toEqual(lastKey);
    const moves = doc.commandCalls(UpdateCommand).map((c) => c.args[0].input.ExpressionAttributeValues);
    expect(moves.every((v) => v?.[':from'] === 'PLACED' && v?.[':to'] === 'EXPIRED')).toBe(true);
  });

  it('fails loudly on a real fault', async () => {
    doc.on(QueryCommand).rejects(new Error('AccessDenied'));
    await expect(handler({}, context)).rejects.toThrow('AccessDenied');
  });
});
