/**
 * The one place AWS SDK clients are configured and created: once per execution environment,
 * each instrumented by the function's Tracer. The SDK packages are required on first use, so a
 * function loads only the SDKs it uses: the layer modules that send commands import them
 * anyway (repositories → DynamoDB, events → EventBridge, workflow → Step Functions), and
 * OrdersFunction loads Step Functions only when an admin retries or asks for ?include=workflow.
 * They are the Lambda runtime's SDK (NODE_PATH), never bundled.
 */
import type * as DynamoDbSdk from '@aws-sdk/client-dynamodb';
import type * as EventBridgeSdk from '@aws-sdk/client-eventbridge';
import type * as S3Sdk from '@aws-sdk/client-s3';
import type * as SfnSdk from '@aws-sdk/client-sfn';
import type * as DocumentSdk from '@aws-sdk/lib-dynamodb';
import { config } from './config';
import { once } from './lambda';
import { tracer } from './observability';

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

/** A document client over a given DynamoDB client (tests point theirs at DynamoDB Local). */
export function documentClientOver(client: DynamoDbSdk.DynamoDBClient): DocumentSdk.DynamoDBDocumentClient {
  const { DynamoDBDocumentClient } = require('@aws-sdk/lib-dynamodb') as typeof DocumentSdk;
  return DynamoDBDocumentClient.from(client, DOCUMENT_TRANSLATE_CONFIG);
}

export const dynamoDbClient = once(() => {
  const { DynamoDBClient } = require('@aws-sdk/client-dynamodb') as typeof DynamoDbSdk;
  return tracer.captureAWSv3Client(new DynamoDBClient(dynamoDbClientConfig()));
});

export const documentClient = once(() => documentClientOver(dynamoDbClient()));

export const eventBridgeClient = once(() => {
  const { EventBridgeClient } = require('@aws-sdk/client-eventbridge') as typeof EventBridgeSdk;
  return tracer.captureAWSv3Client(new EventBridgeClient({}));
});

/** The Step Functions client with its package, whose commands the caller builds (loaded together, on first use). */
export interface StepFunctions {
  client: SfnSdk.SFNClient;
  sdk: typeof SfnSdk;
}

export const stepFunctions = once((): StepFunctions => {
  const sdk = require('@aws-sdk/client-sfn') as typeof SfnSdk;
  return { sdk, client: tracer.captureAWSv3Client(new sdk.SFNClient({})) };
});

export const s3Client = once(() => {
  const { S3Client } = require('@aws-sdk/client-s3') as typeof S3Sdk;
  return tracer.captureAWSv3Client(
    new S3Client({
      // Otherwise a presigned PUT carries a checksum of an empty body and every real upload fails.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      forcePathStyle: config.s3ForcePathStyle(),
    }),
  );
});
