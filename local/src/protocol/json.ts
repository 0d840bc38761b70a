/**
 * AWS JSON 1.0 / 1.1: POST with `X-Amz-Target: <Prefix>.<Operation>` and a JSON body;
 * answers `application/x-amz-json-1.x`, errors as `{ "__type": ..., "message": ... }`.
 */
import { AwsError, type WireProtocol } from './wire';

export interface AwsJsonOptions {
  version: '1.0' | '1.1';
  /** The service's target prefix (`AmazonSQS`, `AWSEvents`, `AWSStepFunctions`, ...). */
  targetPrefix: string;
  /** The `__type` of an error code (some services qualify it, e.g. `com.amazonaws.sqs#QueueDoesNotExist`). */
  errorType?: (code: string) => string;
  /** Extra headers on an error (SQS's query-compatible code). */
  errorHeaders?: (e: AwsError) => Record<string, string>;
}

export function awsJson(o: AwsJsonOptions): WireProtocol {
  const contentType = `application/x-amz-json-${o.version}`;
  const prefix = `${o.targetPrefix}.`;
  return {
    parse(req, body) {
      const target = String(req.headers['x-amz-target'] ?? '');
      const operation = req.method === 'POST' && target.startsWith(prefix) ? target.slice(prefix.length) : '';
      let input: unknown;
      try {
        input = body.trim() ? JSON.parse(body) : {};
      } catch {
        throw new AwsError('SerializationException', 'The request body is not valid JSON');
      }
      if (!input || typeof input !== 'object' || Array.isArray(input))
        throw new AwsError('SerializationException', 'The request body must be a JSON object');
      return { operation, input: input as Record<string, unknown> };
    },
    result: (_operation, output) => ({ contentType, body: JSON.stringify(output) }),
    error: (e) => ({
      contentType,
      body: JSON.stringify({ __type: o.errorType ? o.errorType(e.code) : e.code, message: e.message }),
      headers: o.errorHeaders?.(e) ?? {},
    }),
  };
}
