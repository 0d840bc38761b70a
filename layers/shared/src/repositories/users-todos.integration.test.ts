/**
 * The users and todos repositories against real DynamoDB Local: the condition expressions
 * the unit tests assert must also be accepted and behave on the real engine. Tables have the
 * keys ARCHITECTURE.md fixes (created directly, so this runs before template.yaml exists).
 */
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { startDynamoDbLocal, type DynamoDbLocal } from '../../../../local/src/dynamodb';
import { freePort } from '../../../../local/src/ports';
import { documentClientOver as documentClient } from '../clients';
import { DynamoTodosRepository } from './todos';
import { DynamoUsersRepository } from './users';

let ddb: DynamoDbLocal;
let users: DynamoUsersRepository;
let todos: DynamoTodosRepository;

beforeAll(async () => {
  ddb = await startDynamoDbLocal({ port: await freePort(), inMemory: true });
  await ddb.client.send(
    new CreateTableCommand({
      TableName: 'Users',
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'userId', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'userId', KeyType: 'HASH' }],
    }),
  );
  await ddb.client.send(
    new CreateTableCommand({
      TableName: 'Todos',
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'userId', AttributeType: 'S' },
        { AttributeName: 'todoId', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'userId', KeyType: 'HASH' },
        { AttributeName: 'todoId', KeyType: 'RANGE' },
      ],
    }),
  );
  const doc = documentClient(ddb.client);
  users = new DynamoUsersRepository(doc, 'Users');
  todos = new DynamoTodosRepository(doc, 'Todos');
}, 60_000);

afterAll(async () => {
  await ddb?.stop();
});

const at = '2026-01-01T00:00:00.000Z';

describe('users repository on DynamoDB Local', () => {
  it('create refuses a live duplicate (409) but replaces an expired record', async () => {
    await users.create({ userId: 'u1', name: 'A', email: 'a@example.com', plan: 'free', createdAt: at, updatedAt: at });
    await expect(
      users.create({ userId: 'u1', name: 'B', email: 'b@example.com', plan: 'pro', createdAt: at, updatedAt: at }),
    ).rejects.toMatchObject({ status: 409 });
    await documentClient(ddb.client).send(
      new PutCommand({
        TableName: 'Users',
        Item: { userId: 'gone', name: 'G', email: 'g@example.com', plan: 'free', createdAt: at, updatedAt: at, ttl: 1 },
      }),
    );
    expect(await users.get('gone')).toBeUndefined();
    expect(await users.update('gone', { name: 'x' })).toBeUndefined();
    expect(await users.delete('gone')).toBe(false);
    await users.create({ userId: 'gone', name: 'New', email: 'n@example.com', plan: 'free', createdAt: at, updatedAt: at });
    expect((await users.get('gone'))?.name).toBe('New');
  });

  it('update, list pages and delete', async () => {
    expect(await users.update('u1', { plan: 'enterprise', bio: 'hi' })).toMatchObject({ plan: 'enterprise', bio: 'hi', name: 'A' });
    expect(await users.update('nobody', { name: 'x' })).toBeUndefined();
    const seen: string[] = [];
    let nextToken: string | undefined;
    for (let i = 0; i < 10; i++) {
      const page = await users.list({ limit: 1, ...(nextToken ? { nextToken } : {}) });
      seen.push(...page.items.map((u) => u.userId));
      nextToken = page.nextToken;
      if (!nextToken) break;
    }
    expect(seen.sort()).toEqual(['gone', 'u1']);
    expect(await users.delete('u1')).toBe(true);
    expect(await users.delete('u1')).toBe(false);
  });

  it('upsertProfile creates then updates, keeping createdAt and plan', async () => {
    const first = await users.upsertProfile('sub-9', 's@example.com', { name: 'S', plan: 'pro' }, new Date(at));
    expect(first).toMatchObject({ created: true, user: { userId: 'sub-9', email: 's@example.com', plan: 'pro', createdAt: at } });
    const second = await users.upsertProfile('sub-9', 's@example.com', { name: 'S2' }, new Date('2026-02-01T00:00:00.000Z'));
    expect(second).toMatchObject({
      created: false,
      user: { name: 'S2', plan: 'pro', createdAt: at, updatedAt: '2026-02-01T00:00:00.000Z' },
    });
  });
});

describe('todos repository on DynamoDB Local', () => {
  it("scopes every operation to the owner's partition", async () => {
    const t = await todos.create('alice', { title: 'Milk' });
    expect(await todos.get('bob', t.todoId)).toBeUndefined();
    expect(await todos.update('bob', t.todoId, { title: 'x' })).toBeUndefined();
    expect(await todos.markDone('bob', t.todoId)).toBeUndefined();
    expect(await todos.delete('bob', t.todoId)).toBe(false);
    expect((await todos.list('bob', { limit: 10 })).items).toEqual([]);
    expect((await todos.get('alice', t.todoId))?.title).toBe('Milk');
  });

  it('markDone is idempotent and PUT done=false reopens', async () => {
    const t = await todos.create('alice', { title: 'Bread' });
    const done = await todos.markDone('alice', t.todoId, new Date('2026-03-01T00:00:00.000Z'));
    expect(done).toMatchObject({ done: true, completedAt: '2026-03-01T00:00:00.000Z' });
    expect(await todos.markDone('alice', t.todoId, new Date('2026-04-01T00:00:00.000Z'))).toEqual(done);
    const reopened = await todos.update('alice', t.todoId, { done: false });
    expect(reopened?.done).toBe(false);
    expect(reopened).not.toHaveProperty('completedAt');
    expect(await todos.delete('alice', t.todoId)).toBe(true);
  });

  it('pages through a list with nextToken', async () => {
    for (let i = 0; i < 3; i++) await todos.create('carol', { title: `t${i}` });
    const ids: string[] = [];
    let nextToken: string | undefined;
    for (let i = 0; i < 10; i++) {
      const page = await todos.list('carol', { limit: 2, ...(nextToken ? { nextToken } : {}) });
      ids.push(...page.items.map((x) => x.todoId));
      nextToken = page.nextToken;
      if (!nextToken) break;
    }
    expect(new Set(ids).size).toBe(3);
  });
});
