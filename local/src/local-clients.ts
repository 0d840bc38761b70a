/** AWS SDK clients of one local service for another (EventBridge → SQS, Lambda → SQS, ...). */
import type { StackContext } from './contract';

/** DynamoDB Local refuses access key ids that are not plain alphanumeric. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

/** An SDK client's configuration for one local service: `new SQSClient(clientConfig(ctx, 'sqs'))`. */
export function clientConfig(
  ctx: StackContext,
  service: string,
): { endpoint: string; region: string; credentials: typeof LOCAL_CREDENTIALS } {
  const endpoint = ctx.urls[service];
  if (!endpoint) throw new Error(`No local ${service} endpoint`);
  return { endpoint, region: ctx.region, credentials: LOCAL_CREDENTIALS };
}
