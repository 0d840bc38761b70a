/** GET /health (public): a liveness answer that touches no dependency, so it is cheap to poll. */
import { Logger } from '@aws-lambda-powertools/logger';
import { config, httpHandler, json, type HealthResponse } from '@myapp/shared';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';

const logger = new Logger();

const wrapped = httpHandler(async () => {
  const body: HealthResponse = { ok: true, service: config.serviceName(), version: config.appVersion() };
  return json(200, body);
}, { logger });

export const handler = async (event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> => {
  logger.addContext(context);
  return wrapped(event, context);
};
