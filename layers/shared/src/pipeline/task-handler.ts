/**
 * The OrderWorkflow task functions' entry point, beside httpHandler: Lambda context on the
 * logger, the input parsed (TaskInput by default, CompensationInput for the compensation
 * steps), orderId on every log line, and the pipeline's dependencies built once per execution
 * environment on first use (so a missing environment variable fails the invocation, not the
 * import) over a DynamoDB client instrumented by the function's Tracer. An AWS service that
 * cannot be reached surfaces as `ServiceUnavailable`, which the ASL retries.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { isServiceUnavailable } from '../http';
import { pipelineDeps } from './deps';
import { serviceUnavailable } from './errors';
import { TaskInput } from './input';
import type { PipelineDeps } from './tasks';

/** The subset of Powertools Logger a task needs. */
export interface TaskLogger {
  addContext(context: Context): void;
  appendKeys(keys: Record<string, unknown>): void;
}

/** The subset of Powertools Tracer a task needs. */
export interface TaskTracer {
  captureAWSv3Client<T>(client: T): T;
}

export interface TaskHandlerOptions<I> {
  logger: TaskLogger;
  tracer?: TaskTracer;
  /** Parses the state's input (default TaskInput); a malformed input fails the task. */
  input?: { parse(value: unknown): I };
  /** Builds the dependencies (default: pipelineDeps over a traced DynamoDBClient). */
  deps?: () => PipelineDeps;
}

export type TaskFn<I, R> = (deps: PipelineDeps, input: I, context: Context) => Promise<R>;

export function taskHandler<I extends TaskInput = TaskInput, R = unknown>(
  run: TaskFn<I, R>,
  opts: TaskHandlerOptions<I>,
): (event: unknown, context: Context) => Promise<R> {
  const parser = opts.input ?? (TaskInput as { parse(value: unknown): I });
  const build =
    opts.deps ??
    (() => {
      const client = new DynamoDBClient({});
      return pipelineDeps(opts.tracer ? opts.tracer.captureAWSv3Client(client) : client);
    });
  let deps: PipelineDeps | undefined;
  return async (event, context) => {
    if (context) opts.logger.addContext(context);
    const input = parser.parse(event);
    opts.logger.appendKeys({ orderId: input.orderId });
    deps ??= build();
    try {
      return await run(deps, input, context);
    } catch (err) {
      // Named for the workflow's Retry: a database that is down or slow is worth waiting
      // for; a rule failure (OutOfStock, PaymentDeclined) is not.
      throw isServiceUnavailable(err) ? serviceUnavailable(err) : err;
    }
  };
}
