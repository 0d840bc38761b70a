import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { badRequest } from '../errors';
import type { CreateTodoRequest, Todo, UpdateTodoRequest } from '../schemas/todos';
import { decodeCursor, encodeCursor, type Page } from './pagination';

export interface TodosRepository {
  list(userId: string, opts: { limit: number; nextToken?: string }): Promise<Page<Todo>>;
  get(userId: string, todoId: string): Promise<Todo | undefined>;
  create(userId: string, input: CreateTodoRequest, now?: Date): Promise<Todo>;
  /** undefined when the caller has no such to-do. */
  update(userId: string, todoId: string, patch: UpdateTodoRequest, now?: Date): Promise<Todo | undefined>;
  /** Idempotent: a second call keeps the first completedAt. undefined when absent. */
  markDone(userId: string, todoId: string, now?: Date): Promise<Todo | undefined>;
  delete(userId: string, todoId: string): Promise<boolean>;
}

const isConditionFailed = (err: unknown): boolean =>
  err instanceof ConditionalCheckFailedException || (err as { name?: string } | null)?.name === 'ConditionalCheckFailedException';

/**
 * Every key is (caller's userId, todoId): a caller can only ever address their own items, so
 * "someone else's to-do" and "no such to-do" are the same miss (404) by construction.
 */
export class DynamoTodosRepository implements TodosRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async list(userId: string, opts: { limit: number; nextToken?: string }): Promise<Page<Todo>> {
    const start = decodeCursor(opts.nextToken, ['userId', 'todoId']);
    // A cursor from another user's listing would make DynamoDB reject the query: refuse it as a 400.
    if (start && start.userId !== userId) {
      throw badRequest('Malformed nextToken', [{ path: 'nextToken', message: 'Not a token issued for this listing' }]);
    }
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'userId = :userId',
        ExpressionAttributeValues: { ':userId': userId },
        Limit: opts.limit,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    const nextToken = encodeCursor(out.LastEvaluatedKey);
    const items = (out.Items ?? []) as Todo[];
    return nextToken ? { items, nextToken } : { items };
  }

  async get(userId: string, todoId: string): Promise<Todo | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { userId, todoId }, ConsistentRead: true }));
    return out.Item as Todo | undefined;
  }

  async create(userId: string, input: CreateTodoRequest, now: Date = new Date()): Promise<Todo> {
    const at = now.toISOString();
    const todo: Todo = { userId, todoId: randomUUID(), title: input.title, done: false, createdAt: at, updatedAt: at };
    if (input.dueDate !== undefined) todo.dueDate = input.dueDate;
    if (input.notes !== undefined) todo.notes = input.notes;
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: todo, ConditionExpression: 'attribute_not_exists(todoId)' }));
    return todo;
  }

  async update(userId: string, todoId: string, patch: UpdateTodoRequest, now: Date = new Date()): Promise<Todo | undefined> {
    const at = now.toISOString();
    const names: Record<string, string> = { '#updatedAt': 'updatedAt' };
    const values: Record<string, unknown> = { ':at': at };
    const sets = ['#updatedAt = :at'];
    const removes: string[] = [];
    for (const field of ['title', 'dueDate', 'notes', 'done'] as const) {
      if (patch[field] === undefined) continue;
      names[`#${field}`] = field;
      values[`:${field}`] = patch[field];
      sets.push(`#${field} = :${field}`);
    }
    names['#completedAt'] = 'completedAt';
    if (patch.done === true) sets.push('#completedAt = if_not_exists(#completedAt, :at)');
    else if (patch.done === false) removes.push('#completedAt');
    else delete names['#completedAt'];
    return this.conditionalUpdate(
      userId,
      todoId,
      `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
      names,
      values,
    );
  }

  async markDone(userId: string, todoId: string, now: Date = new Date()): Promise<Todo | undefined> {
    const at = now.toISOString();
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { userId, todoId },
          UpdateExpression: 'SET #done = :true, #completedAt = :at, #updatedAt = :at',
          // Only an open item changes, so a repeat leaves completedAt and updatedAt as they were.
          ConditionExpression: 'attribute_exists(todoId) AND #done <> :true',
          ExpressionAttributeNames: { '#done': 'done', '#completedAt': 'completedAt', '#updatedAt': 'updatedAt' },
          ExpressionAttributeValues: { ':true': true, ':at': at },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return out.Attributes as Todo | undefined;
    } catch (err) {
      if (!isConditionFailed(err)) throw err;
      // Either absent (undefined: 404) or already done (returned as it is).
      return this.get(userId, todoId);
    }
  }

  async delete(userId: string, todoId: string): Promise<boolean> {
    try {
      await this.doc.send(
        new DeleteCommand({ TableName: this.tableName, Key: { userId, todoId }, ConditionExpression: 'attribute_exists(todoId)' }),
      );
      return true;
    } catch (err) {
      if (isConditionFailed(err)) return false;
      throw err;
    }
  }

  private async conditionalUpdate(
    userId: string,
    todoId: string,
    expression: string,
    names: Record<string, string>,
    values: Record<string, unknown>,
  ): Promise<Todo | undefined> {
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { userId, todoId },
          UpdateExpression: expression,
          // Without it an update would create a half-formed item under a missing id.
          ConditionExpression: 'attribute_exists(todoId)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return out.Attributes as Todo | undefined;
    } catch (err) {
      if (isConditionFailed(err)) return undefined;
      throw err;
    }
  }
}
