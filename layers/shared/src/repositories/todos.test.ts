import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { encodeCursor } from './pagination';
import { DynamoTodosRepository } from './todos';

const ddb = mockClient(DynamoDBDocumentClient);
const repo = new DynamoTodosRepository(DynamoDBDocumentClient.from(new DynamoDBClient({})), 'Todos');
const now = new Date('2026-03-01T12:00:00.000Z');
const todo = { userId: 'u1', todoId: 't1', title: 'Milk', done: false, createdAt: 'c', updatedAt: 'c' };
const ccf = () => new ConditionalCheckFailedException({ message: 'failed', $metadata: {} });

beforeEach(() => ddb.reset());

describe('DynamoTodosRepository', () => {
  it("list queries the user's partition and round-trips the cursor", async () => {
    ddb.on(QueryCommand).resolves({ Items: [todo], LastEvaluatedKey: { userId: 'u1', todoId: 't1' } });
    const page = await repo.list('u1', { limit: 1 });
    expect(page).toEqual({ items: [todo], nextToken: encodeCursor({ userId: 'u1', todoId: 't1' }) });
    await repo.list('u1', { limit: 1, nextToken: page.nextToken! });
    const second = ddb.commandCalls(QueryCommand)[1]!.args[0].input;
    expect(second).toMatchObject({ TableName: 'Todos', KeyConditionExpression: 'userId = :userId', Limit: 1 });
    expect(second.ExpressionAttributeValues).toEqual({ ':userId': 'u1' });
    expect(second.ExclusiveStartKey).toEqual({ userId: 'u1', todoId: 't1' });
  });

  it("list refuses another user's cursor without querying", async () => {
    await expect(repo.list('u1', { limit: 5, nextToken: encodeCursor({ userId: 'u2', todoId: 't' })! })).rejects.toMatchObject({
      status: 400,
    });
    expect(ddb.calls()).toHaveLength(0);
  });

  it('create puts a new open item with a fresh uuid, conditional on the id being free', async () => {
    ddb.on(PutCommand).resolves({});
    const a = await repo.create('u1', { title: 'Milk', notes: 'oat' }, now);
    const b = await repo.create('u1', { title: 'Milk' }, now);
    expect(a).toEqual({
      userId: 'u1',
      todoId: a.todoId,
      title: 'Milk',
      notes: 'oat',
      done: false,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
    });
    expect(a.todoId).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.todoId).not.toBe(b.todoId);
    expect(b).not.toHaveProperty('notes');
    expect(ddb.commandCalls(PutCommand)[0]!.args[0].input).toEqual({
      TableName: 'Todos',
      Item: a,
      ConditionExpression: 'attribute_not_exists(todoId)',
    });
  });

  it('update writes only given fields on an existing item', async () => {
    ddb.on(UpdateCommand).resolves({ Attributes: { ...todo, title: 'Oat milk' } });
    expect(await repo.update('u1', 't1', { title: 'Oat milk' }, now)).toMatchObject({ title: 'Oat milk' });
    const input = ddb.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(input.Key).toEqual({ userId: 'u1', todoId: 't1' });
    expect(input.UpdateExpression).toBe('SET #updatedAt = :at, #title = :title');
    expect(input.ExpressionAttributeNames).toEqual({ '#updatedAt': 'updatedAt', '#title': 'title' });
    expect(input.ConditionExpression).toBe('attribute_exists(todoId)');
  });

  it('update answers undefined for a missing item', async () => {
    ddb.on(UpdateCommand).rejects(ccf());
    expect(await repo.update('u1', 'nope', { done: true })).toBeUndefined();
  });

  it('markDone changes only an open item; a done one comes back unchanged; absent is undefined', async () => {
    const done = { ...todo, done: true, completedAt: 'earlier' };
    ddb.on(UpdateCommand).resolvesOnce({ Attributes: done }).rejects(ccf());
    ddb.on(GetCommand).resolvesOnce({ Item: done }).resolvesOnce({});
    expect(await repo.markDone('u1', 't1', now)).toEqual(done);
    const input = ddb.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(input.ConditionExpression).toBe('attribute_exists(todoId) AND #done <> :true');
    expect(input.ExpressionAttributeValues).toEqual({ ':true': true, ':at': now.toISOString() });
    expect(await repo.markDone('u1', 't1', now)).toEqual(done);
    expect(await repo.markDone('u1', 'nope', now)).toBeUndefined();
    expect(ddb.commandCalls(GetCommand)[1]!.args[0].input.Key).toEqual({ userId: 'u1', todoId: 'nope' });
  });

  it('delete is conditional on existence', async () => {
    ddb.on(DeleteCommand).resolvesOnce({}).rejectsOnce(ccf()).rejectsOnce(new Error('boom'));
    expect(await repo.delete('u1', 't1')).toBe(true);
    expect(ddb.commandCalls(DeleteCommand)[0]!.args[0].input).toEqual({
      TableName: 'Todos',
      Key: { userId: 'u1', todoId: 't1' },
      ConditionExpression: 'attribute_exists(todoId)',
    });
    expect(await repo.delete('u1', 't1')).toBe(false);
    await expect(repo.delete('u1', 't1')).rejects.toThrow('boom');
  });
});
