/**
 * /profiles: a profile is the caller's own user record (SPEC 5). POST upserts it keyed by the
 * token's `sub`, with the email from the token (never the body); GET is owner or admin, and
 * anyone else is told it does not exist.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { AppError, callerOf, config, httpHandler, json, notFound, parseBody, parsePath } from '@myapp/shared/http';
import { UpsertProfileRequest, UserPathParams } from '@myapp/shared/schemas';
import { DynamoUsersRepository, documentClient } from '@myapp/shared/repositories';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';

const logger = new Logger();
const metrics = new Metrics();
const tracer = new Tracer();
const ddbClient = tracer.captureAWSv3Client(new DynamoDBClient({}));
const users = () => new DynamoUsersRepository(documentClient(ddbClient), config.usersTable());

async function route(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const caller = callerOf(event);
  const key = `${event.httpMethod} ${event.resource}`;
  switch (key) {
    case 'POST /profiles': {
      const body = parseBody(event, UpsertProfileRequest);
      // Cognito id tokens of this pool always carry email (it is the username).
      if (!caller.email) throw new AppError(403, 'FORBIDDEN', 'The token carries no email claim');
      const { user, created } = await users().upsertProfile(caller.sub, caller.email, body);
      if (created) metrics.addMetric('ProfileCreated', 'Count', 1);
      return json(created ? 201 : 200, user);
    }
    case 'GET /profiles/{userId}': {
      const { userId } = parsePath(event, UserPathParams);
      if (!caller.isAdmin && caller.sub !== userId) throw notFound(`Profile ${userId} not found`);
      const user = await users().get(userId);
      if (!user) throw notFound(`Profile ${userId} not found`);
      return json(200, user);
    }
    default:
      throw notFound(`No route ${key}`);
  }
}

export const handler = httpHandler(route, { logger, metrics });
