/**
 * /profiles: a profile is the caller's own user record (SPEC 5). POST upserts it keyed by the
 * token's `sub`, with the email from the token (never the body); GET is owner or admin, and
 * anyone else is told it does not exist.
 */
import { apiHandler, reply } from '@myapp/shared/api';
import { forbidden, notFound } from '@myapp/shared/http';
import { MetricUnit, metrics } from '@myapp/shared/lambda';
import { repositories } from '@myapp/shared/repositories';

export const handler = apiHandler('ProfilesFunction', {
  'POST /profiles': async ({ caller, body }) => {
    // Cognito id tokens of this pool always carry email (it is the username).
    if (!caller.email) throw forbidden('The token carries no email claim');
    const { user, created } = await repositories.users.upsertProfile(caller.sub, caller.email, body);
    if (created) metrics.addMetric('ProfileCreated', MetricUnit.Count, 1);
    return reply(user, { status: created ? 201 : 200 });
  },
  'GET /profiles/{userId}': async ({ caller, params: { userId } }) => {
    const user = caller.isAdmin || caller.sub === userId ? await repositories.users.get(userId) : undefined;
    if (!user) throw notFound(`Profile ${userId} not found`);
    return user;
  },
});
