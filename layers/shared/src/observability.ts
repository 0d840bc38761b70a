/**
 * The function's Powertools Logger, Metrics and Tracer: one of each per execution environment,
 * configured by the POWERTOOLS_* variables the template sets (service name, namespace, log
 * level). Every function shares these through lambdaHandler; a function adds its own keys and
 * metrics on them, never a second instance (so context, keys and the cold start stay one).
 *
 * The Tracer exists only where tracing is on (config.tracingEnabled): where it is off, its
 * module is never loaded (see tracing.ts for why that matters) and `tracer` is undefined.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import { config } from './config';
import type * as Tracing from './tracing';

export const logger = new Logger();
/** Its own warnings (an invalid metric, a missing namespace) go to the same JSON log. */
export const metrics = new Metrics({ logger });
export const tracing: typeof Tracing | undefined = config.tracingEnabled() ? (require('./tracing') as typeof Tracing) : undefined;
export const tracer = tracing?.tracer;
export { MetricUnit };
