import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

let cached: DynamoDBDocumentClient | undefined;
const wrapped = new WeakMap<DynamoDBClient, DynamoDBDocumentClient>();
const translateConfig = { marshallOptions: { removeUndefinedValues: true } };

/**
 * Per-attempt limits for DynamoDB calls. The SDK's defaults have no timeout at all, so a
 * paused or unreachable endpoint would hang a request until Lambda kills the function.
 * Current SDKs make up to 4 attempts on DynamoDB: 4 x 2 s plus the retry backoff stays
 * under the functions' 10 s Timeout, so the handler itself usually answers (503, see
 * http.ts). 2 s per attempt leaves room for a slow but live endpoint (a loaded machine).
 */
export const DYNAMODB_HTTP_LIMITS = { connectionTimeout: 1000, requestTimeout: 2000, throwOnRequestTimeout: true } as const;

/** Configuration for a new DynamoDB client: `new DynamoDBClient(dynamoDbClientConfig())`. */
export function dynamoDbClientConfig(): { maxAttempts: number; requestHandler: typeof DYNAMODB_HTTP_LIMITS } {
  return { maxAttempts: 3, requestHandler: DYNAMODB_HTTP_LIMITS };
}

interface ConfigurableHandler {
  updateHttpClientConfig?(key: string, value: unknown): void;
}
const bounded = new WeakSet<object>();

/**
 * Applies DYNAMODB_HTTP_LIMITS to a client built elsewhere (handlers create theirs with
 * `new DynamoDBClient({})`). Only the timeouts change; everything else is the caller's.
 */
export function boundDynamoDbClient<C extends DynamoDBClient>(client: C): C {
  if (bounded.has(client)) return client;
  bounded.add(client);
  const handler = (client.config as { requestHandler?: ConfigurableHandler } | undefined)?.requestHandler;
  if (typeof handler?.updateHttpClientConfig === 'function') {
    for (const [k, v] of Object.entries(DYNAMODB_HTTP_LIMITS)) handler.updateHttpClientConfig(k, v);
  }
  return client;
}

/**
 * One document client per execution environment (reused across warm invocations).
 * Pass a client instrumented by the handler's Tracer on first use; later calls without an
 * argument get the same instance. Each explicit client gets its own (memoized) wrapper,
 * which tests use to point at DynamoDB Local. Every client gets DYNAMODB_HTTP_LIMITS.
 */
export function documentClient(client?: DynamoDBClient): DynamoDBDocumentClient {
  if (client) {
    let doc = wrapped.get(client);
    if (!doc) {
      doc = DynamoDBDocumentClient.from(boundDynamoDbClient(client), translateConfig);
      wrapped.set(client, doc);
    }
    cached ??= doc;
    return doc;
  }
  cached ??= DynamoDBDocumentClient.from(new DynamoDBClient(dynamoDbClientConfig()), translateConfig);
  return cached;
}

/** Forget the memoized client (tests only). */
export function resetDocumentClient(): void {
  cached = undefined;
}
