import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { AppError } from '../errors';
import type { User } from '../schemas/users';
import { DynamoUsersRepository } from './users';

const ddb = mockClient(DynamoDBDocumentClient);
const repo = new DynamoUsersRepository(DynamoDBDocumentClient.from(new DynamoDBClient({})), 'Users');
const now = new Date('2026-03-01T12:00:00.000Z');
const nowEpoch = Math.floor(Date.now() / 1000);
const user: User = { userId: 'u1', name: 'Ann', email: 'ann@example.com', plan: 'free', createdAt: 'c', updatedAt: 'c' };
const ccf = () => new ConditionalCheckFailedException({ message: 'failed', $metadata: {} });

beforeEach(() => ddb.reset());

describe('DynamoUsersRepository', () => {
  it('get reads by userId consistently and hides a TTL-expired item', async () => {
    ddb
      .on(GetCommand)
      .resolvesOnce({ Item: { ...user, ttl: nowEpoch + 3600 } })
      .resolvesOnce({ Item: { ...user, ttl: nowEpoch - 1 } });
    expect(await repo.get('u1')).toEqual(user); // ttl itself is not part of the public record
    expect(await repo.get('u1')).toBeUndefined();
    expect(ddb.commandCalls(GetCommand)[0]!.args[0].input).toEqual({ TableName: 'Users', Key: { userId: 'u1' }, ConsistentRead: true });
  });

  it('list scans with a TTL filter and drops items that expired meanwhile', async () => {
    ddb.on(ScanCommand).resolves({ Items: [user, { ...user, userId: 'u2', ttl: 1 }], LastEvaluatedKey: { userId: 'u2' } });
    const page = await repo.list({ limit: 2 });
    expect(page.items.map((u) => u.userId)).toEqual(['u1']);
    expect(page.nextToken).toBeDefined();
    const input = ddb.commandCalls(ScanCommand)[0]!.args[0].input;
    expect(input.FilterExpression).toBe('attribute_not_exists(#ttl) OR #ttl > :nowEpoch');
    expect(input.ExpressionAttributeNames).toEqual({ '#ttl': 'ttl' });
    expect(input.Limit).toBe(2);
    await repo.list({ limit: 2, nextToken: page.nextToken! });
    expect(ddb.commandCalls(ScanCommand)[1]!.args[0].input.ExclusiveStartKey).toEqual({ userId: 'u2' });
  });

  it('list refuses a forged cursor with a 400', async () => {
    await expect(repo.list({ limit: 5, nextToken: 'bm9wZQ' })).rejects.toMatchObject({ status: 400 });
    expect(ddb.calls()).toHaveLength(0);
  });

  it('create is conditional on the id being free (or expired) and maps a clash to 409', async () => {
    ddb.on(PutCommand).resolvesOnce({}).rejectsOnce(ccf());
    await expect(repo.create(user)).resolves.toEqual(user);
    const input = ddb.commandCalls(PutCommand)[0]!.args[0].input;
    expect(input.ConditionExpression).toBe('attribute_not_exists(userId) OR #ttl <= :nowEpoch');
    expect(input.Item).toEqual(user);
    const err = await repo.create(user).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).status).toBe(409);
  });

  it('update sets only the given fields, on a live record, and answers undefined when absent', async () => {
    ddb
      .on(UpdateCommand)
      .resolvesOnce({ Attributes: { ...user, name: 'Bo', ttl: nowEpoch + 60 } })
      .rejectsOnce(ccf());
    expect(await repo.update('u1', { name: 'Bo' }, now)).toEqual({ ...user, name: 'Bo' });
    const input = ddb.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(input.Key).toEqual({ userId: 'u1' });
    expect(input.UpdateExpression).toBe('SET #updatedAt = :updatedAt, #name = :name');
    expect(input.ConditionExpression).toBe('attribute_exists(userId) AND (attribute_not_exists(#ttl) OR #ttl > :nowEpoch)');
    expect(input.ExpressionAttributeValues).toEqual({
      ':nowEpoch': Math.floor(now.getTime() / 1000),
      ':updatedAt': now.toISOString(),
      ':name': 'Bo',
    });
    expect(await repo.update('nope', { plan: 'pro' })).toBeUndefined();
  });

  it('update rethrows faults other than the condition', async () => {
    ddb.on(UpdateCommand).rejects(new Error('throttled'));
    await expect(repo.update('u1', { name: 'x' })).rejects.toThrow('throttled');
  });

  it('delete is conditional on a live record', async () => {
    ddb.on(DeleteCommand).resolvesOnce({}).rejectsOnce(ccf());
    expect(await repo.delete('u1')).toBe(true);
    expect(ddb.commandCalls(DeleteCommand)[0]!.args[0].input).toMatchObject({
      Key: { userId: 'u1' },
      ConditionExpression: 'attribute_exists(userId) AND (attribute_not_exists(#ttl) OR #ttl > :nowEpoch)',
    });
    expect(await repo.delete('u1')).toBe(false);
  });

  it('upsertProfile creates with a default plan, keeps createdAt of an existing record', async () => {
    ddb.on(GetCommand).resolvesOnce({}).resolvesOnce({ Item: user });
    ddb.on(UpdateCommand).resolves({ Attributes: { ...user, userId: 'sub' } });
    const first = await repo.upsertProfile('sub', 'me@example.com', { name: 'Me' }, now);
    expect(first.created).toBe(true);
    const a = ddb.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(a.Key).toEqual({ userId: 'sub' });
    expect(a.UpdateExpression).toBe(
      'SET #name = :name, #email = :email, #updatedAt = :at, #plan = if_not_exists(#plan, :plan), #createdAt = :at REMOVE #ttl, #bio',
    );
    expect(a.ExpressionAttributeValues).toMatchObject({ ':email': 'me@example.com', ':plan': 'free', ':at': now.toISOString() });
    const second = await repo.upsertProfile('sub', 'me@example.com', { name: 'Me', plan: 'pro', bio: 'b' }, now);
    expect(second.created).toBe(false);
    const b = ddb.commandCalls(UpdateCommand)[1]!.args[0].input;
    expect(b.UpdateExpression).toContain('#plan = :plan');
    expect(b.UpdateExpression).toContain('#bio = :bio');
    expect(b.UpdateExpression).toContain('#createdAt = if_not_exists(#createdAt, :at)');
    expect(b.UpdateExpression).toMatch(/REMOVE #ttl$/);
  });
});
