/**
 * /users and /users/{userId}: admins list and create users; a user reads, edits and deletes
 * their own record (admins any). A non-owner non-admin gets 404, as if the user did not
 * exist, so ids cannot be probed. UserCreated is published from the table stream, not here.
 */
import { randomUUID } from 'node:crypto';
import { apiHandler } from '@myapp/shared/api';
import { notFound, type Caller } from '@myapp/shared/http';
import { MetricUnit, logger, metrics } from '@myapp/shared/lambda';
import { repositories } from '@myapp/shared/repositories';

/** Owner or admin may address a user; anyone else is told it does not exist. */
function addressable(caller: Caller, userId: string): string {
  if (!caller.isAdmin && caller.sub !== userId) throw notFound(`User ${userId} not found`);
  return userId;
}

function found<T>(value: T | undefined, userId: string): T {
  if (value === undefined) throw notFound(`User ${userId} not found`);
  return value;
}

export const handler = apiHandler('UsersFunction', {
  'GET /users': ({ query }) => repositories.users.list(query),
  'POST /users': async ({ caller, body }) => {
    const at = new Date().toISOString();
    const user = await repositories.users.create({ userId: randomUUID(), ...body, createdAt: at, updatedAt: at });
    metrics.addMetric('UserCreatedByAdmin', MetricUnit.Count, 1);
    logger.info('User created', { userId: user.userId, by: caller.sub });
    return user;
  },
  'GET /users/{userId}': async ({ caller, params }) =>
    found(await repositories.users.get(addressable(caller, params.userId)), params.userId),
  'PUT /users/{userId}': async ({ caller, params, body }) =>
    found(await repositories.users.update(addressable(caller, params.userId), body), params.userId),
  'DELETE /users/{userId}': async ({ caller, params }) => {
    if (!(await repositories.users.delete(addressable(caller, params.userId)))) throw notFound(`User ${params.userId} not found`);
    return undefined;
  },
});
