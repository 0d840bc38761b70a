/**
 * X-Ray tracing through Powertools' Tracer: its own entry, loaded only where tracing is on
 * (observability.ts decides). Importing the Tracer loads aws-xray-sdk-core, whose cls-hooked
 * context turns on async hooks for the whole process: every promise then pays for context
 * tracking, whether or not a trace is ever sent. Deployed, tracing is on (Tracing: Active);
 * the local runtime turns it off (POWERTOOLS_TRACE_ENABLED=false) unless asked for.
 */
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';

export const tracer = new Tracer();

/** Each invocation its own subsegment; responses are not recorded (they carry user data). */
export const traceInvocations = () => captureLambdaHandler(tracer, { captureResponse: false });
