import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

let cached: DynamoDBDocumentClient | undefined;
const wrapped = new WeakMap<DynamoDBClient, DynamoDBDocumentClient>();
const translateConfig = { marshallOptions: { removeUndefinedValues: true } };

/**
 * One document client per execution environment (reused across warm invocations).
 * Pass a client instrumented by the handler's Tracer on first use; later calls without an
 * argument get the same instance. Each explicit client gets its own (memoized) wrapper,
 * which tests use to point at DynamoDB Local.
 */
export function documentClient(client?: DynamoDBClient): DynamoDBDocumentClient {
  if (client) {
    let doc = wrapped.get(client);
    if (!doc) {
      doc = DynamoDBDocumentClient.from(client, translateConfig);
      wrapped.set(client, doc);
    }
    cached ??= doc;
    return doc;
  }
  cached ??= DynamoDBDocumentClient.from(new DynamoDBClient({}), translateConfig);
  return cached;
}

/** Forget the memoized client (tests only). */
export function resetDocumentClient(): void {
  cached = undefined;
}
