/**
 * Lambda: the template's functions built like `sam build` (esbuild, the layer's Makefile),
 * run in plain `node` processes (warm reuse, a small pool per function, Timeout, the
 * template's environment, the layer on NODE_PATH, reload on source change), asynchronous
 * invocations with retries and OnFailure / DLQ, and the Invoke API on its port (the SDK and
 * `aws lambda invoke`). SAM's AutoPublishAlias resolves; invoking the alias runs the function.
 * Provisioned concurrency starts its processes with the runtime (up to the per-function cap).
 * Not emulated: other runtimes than Node.js, container images, versions beyond `$LATEST`
 * (the alias and version 1 name it), SnapStart, function URLs,
 * VPC settings, IAM (no authorisation locally), X-Ray.
 */
import { join } from 'node:path';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { Builder } from '../build';
import type { FunctionHost, ServiceContext, ServiceModule, StartedService } from '../contract';
import { clientConfig } from '../local-clients';
import { queueUrlFromArn } from '../services/sqs';
import type { AsyncInvokeConfig } from './async-queue';
import { functionIdOf, functionKind, layerKind, permissionKind } from './functions';
import { LambdaService } from '.';
import { LambdaInvokeApi } from './invoke-api';

/** Sends a failed asynchronous event to its OnFailure destination or DLQ (SQS locally). */
function onFailureSender(ctx: ServiceContext): {
  send: NonNullable<ConstructorParameters<typeof LambdaService>[0]['sendOnFailure']>;
  destroy(): void;
} {
  let sqs: SQSClient | undefined;
  const send = async (target: NonNullable<AsyncInvokeConfig['onFailure']>, body: unknown, error: { code: string; message: string }) => {
    if (!target.arn.startsWith('arn:aws:sqs:')) throw new Error(`on-failure target not emulated locally: ${target.arn}`);
    sqs ??= new SQSClient(clientConfig(ctx, 'sqs'));
    const attributes =
      target.kind === 'dlq'
        ? {
            ErrorCode: { DataType: 'String', StringValue: error.code },
            ErrorMessage: { DataType: 'String', StringValue: error.message.slice(0, 256) || error.code },
          }
        : undefined;
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrlFromArn(ctx, target.arn),
        MessageBody: JSON.stringify(body),
        ...(attributes ? { MessageAttributes: attributes } : {}),
      }),
    );
  };
  return { send, destroy: () => sqs?.destroy() };
}

async function startLambda(ctx: ServiceContext): Promise<StartedService> {
  // SAM resolves CodeUri/ContentUri against the template's folder.
  const builder = new Builder(ctx.template, ctx.templateDir, join(ctx.stateDir, 'build'), ctx.log);
  const onFailure = onFailureSender(ctx);
  const env = {
    ...ctx.awsEnv,
    ...(ctx.options.functionsDynamoDBEndpoint ? { AWS_ENDPOINT_URL_DYNAMODB: ctx.options.functionsDynamoDBEndpoint } : {}),
  };
  const lambda = new LambdaService({
    template: ctx.template,
    rootDir: ctx.rootDir,
    region: ctx.region,
    accountId: ctx.accountId,
    baseEnv: () => env,
    fn: (id) => builder.functions.get(id),
    layer: (id) => builder.layers.get(id),
    log: ctx.log,
    logs: ctx.logs,
    stateDir: ctx.stateDir,
    ...(ctx.options.functionConcurrency ? { maxPerFunction: ctx.options.functionConcurrency } : {}),
    ...(ctx.options.tracing ? { tracing: true } : {}),
    ...(ctx.options.cpuProfileDir ? { cpuProfileDir: ctx.options.cpuProfileDir } : {}),
    sendOnFailure: onFailure.send,
  });
  const invokeApi = new LambdaInvokeApi(lambda, ctx.log);
  const stop = async () => {
    await invokeApi.stop();
    await lambda.stop();
    onFailure.destroy();
    await builder.dispose();
  };
  try {
    await builder.buildAll();
    ctx.phase('build');
    if (ctx.options.watch !== false) builder.watch((ids) => lambda.recycle(ids));
    const port = await invokeApi.listen(ctx.port);
    const functions: FunctionHost = {
      invoke: (id, event, opts) => lambda.invoke(id, event, opts),
      functionId: (name) => functionIdOf(ctx.template, name),
    };
    // Provisioned concurrency (and every function under --warm-containers EAGER) starts with
    // the runtime, in the background: the ready line does not wait for it.
    const allStarted = () => {
      lambda.resumeAsync();
      void lambda.prewarm(ctx.options.warmContainers === 'EAGER').then((n) => {
        if (n > 0) ctx.log('lambda', `${n} function process(es) initialised ahead of invocations`);
      });
    };
    return { url: `http://127.0.0.1:${port}`, functions, allStarted, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

export const lambdaService: ServiceModule = {
  name: 'lambda',
  port: 3001,
  endpointEnv: ['AWS_ENDPOINT_URL_LAMBDA'],
  endpoints: (url) => ({ LambdaEndpoint: url }),
  kinds: [functionKind, layerKind, permissionKind],
  start: startLambda,
};
