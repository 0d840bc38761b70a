import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, ScanCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { conflict } from '../errors';
import type { Plan, User } from '../schemas/users';
import { decodeCursor, encodeCursor, isExpired, nowEpoch, type Page } from './pagination';

/** UsersTable's TTL attribute: an item past it is gone for readers even before DynamoDB deletes it. */
export const USERS_TTL_ATTRIBUTE = 'ttl';

export interface UserPatch {
  name?: string;
  plan?: Plan;
  bio?: string;
}

export interface ProfileInput {
  name: string;
  plan?: Plan;
  bio?: string;
}

export interface UsersRepository {
  get(userId: string): Promise<User | undefined>;
  list(opts: { limit: number; nextToken?: string }): Promise<Page<User>>;
  /** Fails with 409 if the id is taken. */
  create(user: User): Promise<User>;
  /** undefined when the user does not exist (or has expired). */
  update(userId: string, patch: UserPatch, now?: Date): Promise<User | undefined>;
  /** false when the user does not exist (or has expired). */
  delete(userId: string): Promise<boolean>;
  /** Creates or updates the caller's own record; `created` tells which. */
  upsertProfile(userId: string, email: string, input: ProfileInput, now?: Date): Promise<{ user: User; created: boolean }>;
}

const isConditionFailed = (err: unknown): boolean =>
  err instanceof ConditionalCheckFailedException || (err as { name?: string } | null)?.name === 'ConditionalCheckFailedException';

/** Exists and is not TTL-expired: the condition every write on an existing user carries. */
const LIVE = 'attribute_exists(userId) AND (attribute_not_exists(#ttl) OR #ttl > :nowEpoch)';

function toUser(item: Record<string, unknown>): User {
  const { ttl: _ttl, ...rest } = item;
  return rest as User;
}

export class DynamoUsersRepository implements UsersRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(userId: string): Promise<User | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { userId }, ConsistentRead: true }));
    if (!out.Item || isExpired(out.Item, USERS_TTL_ATTRIBUTE)) return undefined;
    return toUser(out.Item);
  }

  async list(opts: { limit: number; nextToken?: string }): Promise<Page<User>> {
    const start = decodeCursor(opts.nextToken, ['userId']);
    // Expired items are filtered server-side; a page may then hold fewer than `limit` items,
    // which is how DynamoDB pagination behaves anyway: follow nextToken until it is absent.
    const out = await this.doc.send(
      new ScanCommand({
        TableName: this.tableName,
        Limit: opts.limit,
        FilterExpression: 'attribute_not_exists(#ttl) OR #ttl > :nowEpoch',
        ExpressionAttributeNames: { '#ttl': USERS_TTL_ATTRIBUTE },
        ExpressionAttributeValues: { ':nowEpoch': nowEpoch() },
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    // Filter again: the clock may have moved past a ttl since DynamoDB evaluated the filter.
    const items = (out.Items ?? []).filter((i) => !isExpired(i, USERS_TTL_ATTRIBUTE)).map(toUser);
    const nextToken = encodeCursor(out.LastEvaluatedKey);
    return nextToken ? { items, nextToken } : { items };
  }

  async create(user: User): Promise<User> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: user,
          // An expired record under the same id may be replaced; a live one may not.
          ConditionExpression: 'attribute_not_exists(userId) OR #ttl <= :nowEpoch',
          ExpressionAttributeNames: { '#ttl': USERS_TTL_ATTRIBUTE },
          ExpressionAttributeValues: { ':nowEpoch': nowEpoch() },
        }),
      );
    } catch (err) {
      if (isConditionFailed(err)) throw conflict(`User ${user.userId} already exists`, 'USER_EXISTS');
      throw err;
    }
    return user;
  }

  async update(userId: string, patch: UserPatch, now: Date = new Date()): Promise<User | undefined> {
    const names: Record<string, string> = { '#ttl': USERS_TTL_ATTRIBUTE, '#updatedAt': 'updatedAt' };
    const values: Record<string, unknown> = { ':nowEpoch': nowEpoch(now), ':updatedAt': now.toISOString() };
    const sets = ['#updatedAt = :updatedAt'];
    for (const field of ['name', 'plan', 'bio'] as const) {
      if (patch[field] === undefined) continue;
      names[`#${field}`] = field;
      values[`:${field}`] = patch[field];
      sets.push(`#${field} = :${field}`);
    }
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { userId },
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: LIVE,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return out.Attributes ? toUser(out.Attributes) : undefined;
    } catch (err) {
      if (isConditionFailed(err)) return undefined;
      throw err;
    }
  }

  async delete(userId: string): Promise<boolean> {
    try {
      await this.doc.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { userId },
          ConditionExpression: LIVE,
          ExpressionAttributeNames: { '#ttl': USERS_TTL_ATTRIBUTE },
          ExpressionAttributeValues: { ':nowEpoch': nowEpoch() },
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailed(err)) return false;
      throw err;
    }
  }

  async upsertProfile(
    userId: string,
    email: string,
    input: ProfileInput,
    now: Date = new Date(),
  ): Promise<{ user: User; created: boolean }> {
    const at = now.toISOString();
    const names: Record<string, string> = {
      '#name': 'name',
      '#email': 'email',
      '#plan': 'plan',
      '#createdAt': 'createdAt',
      '#updatedAt': 'updatedAt',
      '#ttl': USERS_TTL_ATTRIBUTE,
    };
    const values: Record<string, unknown> = { ':name': input.name, ':email': email, ':at': at, ':plan': input.plan ?? 'free' };
    // A given plan overwrites; an omitted one keeps the stored plan (free for a new record).
    const sets = [
      '#name = :name',
      '#email = :email',
      '#updatedAt = :at',
      input.plan !== undefined ? '#plan = :plan' : '#plan = if_not_exists(#plan, :plan)',
    ];
    if (input.bio !== undefined) {
      names['#bio'] = 'bio';
      values[':bio'] = input.bio;
      sets.push('#bio = :bio');
    }
    // An expired record is replaced by a fresh one: createdAt restarts and its old bio goes.
    const old = await this.get(userId);
    sets.push(old ? '#createdAt = if_not_exists(#createdAt, :at)' : '#createdAt = :at');
    // REMOVE ttl: a profile the user writes again is live again.
    const removes = ['#ttl'];
    if (!old && input.bio === undefined) {
      names['#bio'] = 'bio';
      removes.push('#bio');
    }
    const out = await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { userId },
        UpdateExpression: `SET ${sets.join(', ')} REMOVE ${removes.join(', ')}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
      }),
    );
    return { user: toUser(out.Attributes ?? {}), created: old === undefined };
  }
}
