/**
 * /todos: the caller's own to-do list. Every key is (caller sub, todoId), so another user's
 * item is simply not found (404): there is no admin override here.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  callerOf,
  config,
  httpHandler,
  json,
  noContent,
  notFound,
  parseBody,
  parsePath,
  parseQuery,
} from '@myapp/shared/http';
import {
  CreateTodoRequest,
  PaginationQuery,
  TodoPathParams,
  UpdateTodoRequest,
  type Todo,
} from '@myapp/shared/schemas';
import { DynamoTodosRepository, documentClient } from '@myapp/shared/repositories';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';

const logger = new Logger();
const metrics = new Metrics();
const tracer = new Tracer();
const ddbClient = tracer.captureAWSv3Client(new DynamoDBClient({}));
const todos = () => new DynamoTodosRepository(documentClient(ddbClient), config.todosTable());

function found(todo: Todo | undefined, todoId: string): Todo {
  if (!todo) throw notFound(`To-do ${todoId} not found`);
  return todo;
}

async function route(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const { sub } = callerOf(event);
  const key = `${event.httpMethod} ${event.resource}`;
  switch (key) {
    case 'GET /todos': {
      const q = parseQuery(event, PaginationQuery);
      return json(200, await todos().list(sub, { limit: q.limit, ...(q.nextToken ? { nextToken: q.nextToken } : {}) }));
    }
    case 'POST /todos': {
      const todo = await todos().create(sub, parseBody(event, CreateTodoRequest));
      metrics.addMetric('TodoCreated', 'Count', 1);
      return json(201, todo);
    }
    case 'GET /todos/{todoId}': {
      const { todoId } = parsePath(event, TodoPathParams);
      return json(200, found(await todos().get(sub, todoId), todoId));
    }
    case 'PUT /todos/{todoId}': {
      const { todoId } = parsePath(event, TodoPathParams);
      const patch = parseBody(event, UpdateTodoRequest);
      return json(200, found(await todos().update(sub, todoId, patch), todoId));
    }
    case 'DELETE /todos/{todoId}': {
      const { todoId } = parsePath(event, TodoPathParams);
      if (!(await todos().delete(sub, todoId))) throw notFound(`To-do ${todoId} not found`);
      return noContent();
    }
    case 'POST /todos/{todoId}/done': {
      const { todoId } = parsePath(event, TodoPathParams);
      return json(200, found(await todos().markDone(sub, todoId), todoId));
    }
    default:
      throw notFound(`No route ${key}`);
  }
}

export const handler = httpHandler(route, { logger, metrics });
