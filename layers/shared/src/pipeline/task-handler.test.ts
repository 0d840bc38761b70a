import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { CompensationInput } from './input';
import type { PipelineDeps } from './tasks';
import { taskHandler } from './task-handler';

const context = { awsRequestId: 'req-1', functionName: 'fn' } as Context;
const logger = () => ({ addContext: jest.fn(), appendKeys: jest.fn() });
const fakeDeps = { ordersTable: 'Orders' } as unknown as PipelineDeps;

describe('taskHandler', () => {
  it('adds the context, parses the input, appends orderId, then runs the step with the deps', async () => {
    const log = logger();
    const run = jest.fn(async (_deps: PipelineDeps, input: { orderId: string }) => ({ ok: input.orderId }));
    const handler = taskHandler(run, { logger: log, deps: () => fakeDeps });
    await expect(handler({ orderId: 'o-1', userId: 'u-1', extra: 1 }, context)).resolves.toEqual({ ok: 'o-1' });
    expect(log.addContext).toHaveBeenCalledWith(context);
    expect(log.appendKeys).toHaveBeenCalledWith({ orderId: 'o-1' });
    expect(run).toHaveBeenCalledWith(fakeDeps, { orderId: 'o-1', userId: 'u-1', extra: 1 }, context);
  });

  it('fails a malformed input before building anything', async () => {
    const deps = jest.fn(() => fakeDeps);
    const run = jest.fn();
    const handler = taskHandler(run, { logger: logger(), deps });
    await expect(handler({ orderId: 'o-1' }, context)).rejects.toThrow();
    expect(deps).not.toHaveBeenCalled();
    expect(run).not.toHaveBeenCalled();
  });

  it('names an unreachable or timed-out AWS service ServiceUnavailable (the ASL retries it) and passes rule errors through', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8000'), { code: 'ECONNREFUSED' });
    const timedOut = Object.assign(new Error('Connection timed out after 2000 ms'), { name: 'TimeoutError' });
    const outOfStock = Object.assign(new Error('Not enough stock'), { name: 'OutOfStock' });
    for (const [thrown, name] of [[refused, 'ServiceUnavailable'], [timedOut, 'ServiceUnavailable'], [outOfStock, 'OutOfStock']] as const) {
      const handler = taskHandler(async () => Promise.reject(thrown), { logger: logger(), deps: () => fakeDeps });
      await expect(handler({ orderId: 'o-1', userId: 'u-1' }, context)).rejects.toMatchObject({ name });
    }
  });

  it('parses with the given schema (compensation steps get the caught error)', async () => {
    const run = jest.fn(async (_d: PipelineDeps, input: CompensationInput) => input.error?.Error);
    const handler = taskHandler(run, { logger: logger(), deps: () => fakeDeps, input: CompensationInput });
    await expect(handler({ orderId: 'o-1', userId: 'u-1', error: { Error: 'PaymentDeclined', Cause: '...' } }, context)).resolves.toBe(
      'PaymentDeclined',
    );
  });

  it('builds the deps once per environment, over one DynamoDB client the tracer instruments', async () => {
    process.env.ORDERS_TABLE = 'Orders';
    process.env.PRODUCTS_TABLE = 'Products';
    const captured: unknown[] = [];
    const tracer = { captureAWSv3Client: <T>(c: T): T => (captured.push(c), c) };
    const seen: PipelineDeps[] = [];
    const handler = taskHandler(async (deps) => void seen.push(deps), { logger: logger(), tracer });
    await handler({ orderId: 'o-1', userId: 'u-1' }, context);
    await handler({ orderId: 'o-2', userId: 'u-1' }, context);
    expect(captured).toHaveLength(1);
    expect(captured[0]).toBeInstanceOf(DynamoDBClient);
    expect(seen[0]).toBe(seen[1]);
    expect(seen[0]).toMatchObject({ orders: { tableName: 'Orders', productsTable: 'Products' }, products: { tableName: 'Products' } });
  });
});
