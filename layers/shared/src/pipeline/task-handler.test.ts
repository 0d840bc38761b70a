import type { Context } from 'aws-lambda';
import { logger } from '../observability';
import { overrideRepositories, repositories } from '../repositories/registry';
import { inMemoryRepositories } from '../testing/in-memory-repositories';
import { CompensationInput } from './input';
import type { PipelineDeps } from './tasks';
import { taskHandler } from './task-handler';

const context = { awsRequestId: 'req-1', functionName: 'fn' } as Context;
beforeEach(() => overrideRepositories(inMemoryRepositories()));
afterAll(() => overrideRepositories(undefined));

describe('taskHandler', () => {
  it('parses the input, puts orderId on the log lines of the step (not after), and runs it over the repositories', async () => {
    const appended = jest.spyOn(logger, 'appendKeys');
    const reset = jest.spyOn(logger, 'resetKeys');
    const run = jest.fn(async (deps: PipelineDeps, input: { orderId: string }) => {
      expect(deps.orders).toBe(repositories.orders);
      return { ok: input.orderId };
    });
    const handler = taskHandler(run);
    await expect(handler({ orderId: 'o-1', userId: 'u-1', extra: 1 }, context)).resolves.toEqual({ ok: 'o-1' });
    expect(run).toHaveBeenCalledWith(repositories, { orderId: 'o-1', userId: 'u-1', extra: 1 }, context);
    expect(appended).toHaveBeenCalledWith({ orderId: 'o-1' });
    expect(reset).toHaveBeenCalledTimes(1);
  });

  it('fails a malformed input before the step runs', async () => {
    const run = jest.fn();
    await expect(taskHandler(run)({ orderId: 'o-1' }, context)).rejects.toMatchObject({
      name: 'TaskInputError',
      message: expect.stringContaining('userId'),
    });
    expect(run).not.toHaveBeenCalled();
  });

  it('names an unreachable or timed-out AWS service ServiceUnavailable (the ASL retries it) and passes rule errors through', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8000'), { code: 'ECONNREFUSED' });
    const timedOut = Object.assign(new Error('Connection timed out after 2000 ms'), { name: 'TimeoutError' });
    const outOfStock = Object.assign(new Error('Not enough stock'), { name: 'OutOfStock' });
    for (const [thrown, name] of [
      [refused, 'ServiceUnavailable'],
      [timedOut, 'ServiceUnavailable'],
      [outOfStock, 'OutOfStock'],
    ] as const) {
      await expect(taskHandler(async () => Promise.reject(thrown))({ orderId: 'o-1', userId: 'u-1' }, context)).rejects.toMatchObject({
        name,
      });
    }
  });

  it('parses with the given schema (compensation steps get the caught error)', async () => {
    const handler = taskHandler(async (_d, input: CompensationInput) => input.error?.Error, { input: CompensationInput });
    await expect(handler({ orderId: 'o-1', userId: 'u-1', error: { Error: 'PaymentDeclined', Cause: '...' } }, context)).resolves.toBe(
      'PaymentDeclined',
    );
  });
});
