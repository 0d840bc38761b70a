/**
 * /users and /users/{userId}: admins list and create users; a user reads, edits and deletes
 * their own record (admins any). A non-owner non-admin gets 404, as if the user did not
 * exist, so ids cannot be probed. UserCreated is published from the table stream, not here.
 */
import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  callerOf,
  config,
  forbidden,
  httpHandler,
  json,
  noContent,
  notFound,
  parseBody,
  parsePath,
  parseQuery,
  type Caller,
} from '@myapp/shared/http';
import {
  CreateUserRequest,
  PaginationQuery,
  UpdateUserRequest,
  UserPathParams,
  type User,
} from '@myapp/shared/schemas';
import { DynamoUsersRepository, documentClient } from '@myapp/shared/repositories';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';

const logger = new Logger();
const metrics = new Metrics();
const tracer = new Tracer();
const ddbClient = tracer.captureAWSv3Client(new DynamoDBClient({}));
const users = () => new DynamoUsersRepository(documentClient(ddbClient), config.usersTable());

function requireAdmin(caller: Caller): void {
  if (!caller.isAdmin) throw forbidden('Administrators only');
}

/** Owner or admin may address a user; anyone else is told it does not exist. */
function userIdFor(event: APIGatewayProxyEvent, caller: Caller): string {
  const { userId } = parsePath(event, UserPathParams);
  if (!caller.isAdmin && caller.sub !== userId) throw notFound(`User ${userId} not found`);
  return userId;
}

async function route(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const caller = callerOf(event);
  const key = `${event.httpMethod} ${event.resource}`;
  switch (key) {
    case 'GET /users': {
      requireAdmin(caller);
      const q = parseQuery(event, PaginationQuery);
      return json(200, await users().list({ limit: q.limit, ...(q.nextToken ? { nextToken: q.nextToken } : {}) }));
    }
    case 'POST /users': {
      requireAdmin(caller);
      const body = parseBody(event, CreateUserRequest);
      const at = new Date().toISOString();
      const user: User = { userId: randomUUID(), ...body, createdAt: at, updatedAt: at };
      await users().create(user);
      metrics.addMetric('UserCreatedByAdmin', 'Count', 1);
      logger.info('User created', { userId: user.userId, by: caller.sub });
      return json(201, user);
    }
    case 'GET /users/{userId}': {
      const userId = userIdFor(event, caller);
      const user = await users().get(userId);
      if (!user) throw notFound(`User ${userId} not found`);
      return json(200, user);
    }
    case 'PUT /users/{userId}': {
      const userId = userIdFor(event, caller);
      const patch = parseBody(event, UpdateUserRequest);
      const user = await users().update(userId, patch);
      if (!user) throw notFound(`User ${userId} not found`);
      return json(200, user);
    }
    case 'DELETE /users/{userId}': {
      const userId = userIdFor(event, caller);
      if (!(await users().delete(userId))) throw notFound(`User ${userId} not found`);
      return noContent();
    }
    default:
      throw notFound(`No route ${key}`);
  }
}

export const handler = httpHandler(route, { logger, metrics });
