/**
 * The OrderWorkflow task functions' handler: lambdaHandler, the state input parsed
 * (TaskInput by default, CompensationInput for the compensation steps; a malformed one fails
 * the task), orderId on every log line, and the step run over the repositories. An AWS service
 * that cannot be reached surfaces as `ServiceUnavailable`, which the ASL retries; a rule
 * failure (OutOfStock, PaymentDeclined) keeps its own name for the ASL's Catch.
 */
import type { Context } from 'aws-lambda';
import { isServiceUnavailable } from '../http';
import { lambdaHandler, type LambdaHandler } from '../lambda';
import { logger } from '../observability';
import { repositories } from '../repositories/registry';
import { serviceUnavailable } from './errors';
import { TaskInput } from './input';
import type { PipelineDeps } from './tasks';

export type TaskFn<I, R> = (deps: PipelineDeps, input: I, context: Context) => Promise<R>;

export function taskHandler<I extends TaskInput = TaskInput, R = unknown>(
  run: TaskFn<I, R>,
  opts: { input?: { parse(value: unknown): I } } = {},
): LambdaHandler<unknown, R> {
  const parser = opts.input ?? (TaskInput as { parse(value: unknown): I });
  return lambdaHandler(async (event: unknown, context: Context) => {
    const input = parser.parse(event);
    logger.appendKeys({ orderId: input.orderId });
    try {
      return await run(repositories, input, context);
    } catch (err) {
      throw isServiceUnavailable(err) ? serviceUnavailable(err) : err;
    }
  });
}
