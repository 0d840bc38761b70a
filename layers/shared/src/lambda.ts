/**
 * The one shape of every function: `lambdaHandler(fn)` is middy with Powertools' middlewares,
 * so each invocation gets its own trace subsegment where tracing is on (tracing.ts), the Lambda context and cold start on every log line with per-request keys dropped
 * afterwards, and the metrics it added flushed once, success or failure. API functions add
 * the route table and the error mapping on top (api.ts), workflow tasks their input and
 * retryable errors (pipeline/task-handler.ts), stream processors partial batch responses
 * (pipeline/stream-handler.ts).
 */
import { METRICS_KEY } from '@aws-lambda-powertools/commons';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import middy, { type MiddlewareObj, type MiddyfiedHandler } from '@middy/core';
import type { Context } from 'aws-lambda';
import { logger, metrics, tracing } from './observability';

export type LambdaHandler<E, R> = MiddyfiedHandler<E, R, Error, Context>;

/**
 * Powertools' `logMetrics`, minus its "No application metrics to publish" warning on every
 * invocation that adds none (most of them): publishes only what was added, plus the cold start.
 * Registered under Powertools' METRICS_KEY, so a middleware that answers early (the API's
 * error mapping) still flushes through `cleanupMiddlewares`.
 */
export function publishMetrics(target: Metrics): MiddlewareObj {
  const publish = (): void => {
    if (target.hasStoredMetrics()) target.publishStoredMetrics();
  };
  return {
    before: (request) => {
      target.captureColdStartMetric(request.context.functionName);
      request.internal = { ...request.internal, [METRICS_KEY]: publish };
    },
    after: publish,
    onError: publish,
  };
}

export function lambdaHandler<E, R>(fn: (event: E, context: Context) => Promise<R>): LambdaHandler<E, R> {
  const handler = middy<E, R, Error, Context>(fn);
  if (tracing) handler.use(tracing.traceInvocations());
  return handler.use(injectLambdaContext(logger, { resetKeys: true })).use(publishMetrics(metrics));
}

/** A value made on first use and kept for the execution environment (clients, repositories). */
export function once<T>(make: () => T): () => T {
  let value: T | undefined;
  let made = false;
  return () => {
    if (!made) {
      value = make();
      made = true;
    }
    return value as T;
  };
}
