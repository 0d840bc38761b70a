/** GET /health (public): a liveness answer that touches no dependency, so it is cheap to poll. */
import { Logger } from '@aws-lambda-powertools/logger';
import { config, httpHandler, json } from '@myapp/shared/http';
import type { HealthResponse } from '@myapp/shared/schemas';

const logger = new Logger();

export const handler = httpHandler(async () => {
  const body: HealthResponse = { ok: true, service: config.serviceName(), version: config.appVersion() };
  return json(200, body);
}, { logger });
