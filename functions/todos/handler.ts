/**
 * /todos: the caller's own to-do list. Every key is (caller sub, todoId), so another user's
 * item is simply not found (404): there is no admin override here.
 */
import { apiHandler } from '@myapp/shared/api';
import { notFound } from '@myapp/shared/http';
import { MetricUnit, metrics } from '@myapp/shared/lambda';
import { repositories } from '@myapp/shared/repositories';

function found<T>(todo: T | undefined, todoId: string): T {
  if (!todo) throw notFound(`To-do ${todoId} not found`);
  return todo;
}

export const handler = apiHandler('TodosFunction', {
  'GET /todos': ({ caller, query }) => repositories.todos.list(caller.sub, query),
  'POST /todos': async ({ caller, body }) => {
    const todo = await repositories.todos.create(caller.sub, body);
    metrics.addMetric('TodoCreated', MetricUnit.Count, 1);
    return todo;
  },
  'GET /todos/{todoId}': async ({ caller, params: { todoId } }) => found(await repositories.todos.get(caller.sub, todoId), todoId),
  'PUT /todos/{todoId}': async ({ caller, params: { todoId }, body }) =>
    found(await repositories.todos.update(caller.sub, todoId, body), todoId),
  'DELETE /todos/{todoId}': async ({ caller, params: { todoId } }) => {
    found((await repositories.todos.delete(caller.sub, todoId)) || undefined, todoId);
    return undefined;
  },
  'POST /todos/{todoId}/done': async ({ caller, params: { todoId } }) =>
    found(await repositories.todos.markDone(caller.sub, todoId), todoId),
});
