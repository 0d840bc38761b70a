/** GET /health (public): a liveness answer that touches no dependency, so it is cheap to poll. */
import { apiHandler } from '@myapp/shared/api';
import { config } from '@myapp/shared/http';

export const handler = apiHandler('HealthFunction', {
  'GET /health': async () => ({ ok: true, service: config.serviceName(), version: config.appVersion() }),
});
