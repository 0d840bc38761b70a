/**
 * How each AWS SDK client is configured, as plain data (clients.ts makes the clients; the
 * benchmark's floor server uses the same settings). Keep-alive needs no setting: the SDK's
 * Node.js handler keeps connections alive by default (50 sockets per client). Flexible
 * checksums only concern S3 among the clients here (DynamoDB, EventBridge and Step Functions
 * have no checksummed operations).
 */

/**
 * Per-attempt limits for DynamoDB calls. The SDK's defaults have no timeout at all, so a
 * paused or unreachable endpoint would hang a request until Lambda kills the function.
 * 3 attempts x 2 s plus the retry backoff stays under the functions' 10 s Timeout, so the
 * handler itself answers (503, see http.ts). 2 s per attempt leaves room for a slow but live
 * endpoint (a loaded machine).
 */
export const DYNAMODB_HTTP_LIMITS = { connectionTimeout: 1000, requestTimeout: 2000, throwOnRequestTimeout: true } as const;

export function dynamoDbClientConfig(): { maxAttempts: number; requestHandler: typeof DYNAMODB_HTTP_LIMITS } {
  return { maxAttempts: 3, requestHandler: DYNAMODB_HTTP_LIMITS };
}

/** Empty strings and undefined are not stored (optional attributes simply stay absent). */
export const DOCUMENT_TRANSLATE_CONFIG = { marshallOptions: { removeUndefinedValues: true } } as const;

/**
 * EventBridge and Step Functions: the same bounded attempts, so a hung endpoint fails the call
 * (a stream batch is retried, a start is retried by its caller) rather than the function's timeout.
 */
export const SERVICE_HTTP_LIMITS = { connectionTimeout: 1000, requestTimeout: 3000, throwOnRequestTimeout: true } as const;

export function serviceClientConfig(): { maxAttempts: number; requestHandler: typeof SERVICE_HTTP_LIMITS } {
  return { maxAttempts: 3, requestHandler: SERVICE_HTTP_LIMITS };
}

/**
 * S3: checksums only where an operation requires one. Otherwise a presigned PUT carries a
 * checksum of an empty body and every real upload fails; responses are not checksummed twice.
 */
export const S3_CHECKSUMS = { requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' } as const;
