/**
 * The one place AWS SDK clients are configured and created: once per execution environment,
 * each instrumented by the function's Tracer where tracing is on, configured as
 * client-settings.ts says. The SDK packages are required on first use, so a function loads
 * only the SDKs it uses: the layer modules that send commands import them
 * anyway (repositories → DynamoDB, events → EventBridge, workflow → Step Functions), and
 * OrdersFunction loads Step Functions only when an admin retries or asks for ?include=workflow.
 * They are the Lambda runtime's SDK (NODE_PATH), never bundled.
 */
import type * as DynamoDbSdk from '@aws-sdk/client-dynamodb';
import type * as EventBridgeSdk from '@aws-sdk/client-eventbridge';
import type * as S3Sdk from '@aws-sdk/client-s3';
import type * as SfnSdk from '@aws-sdk/client-sfn';
import type * as DocumentSdk from '@aws-sdk/lib-dynamodb';
import { DOCUMENT_TRANSLATE_CONFIG, S3_CHECKSUMS, dynamoDbClientConfig, serviceClientConfig } from './client-settings';
import { config } from './config';
import { once } from './lambda';
import { tracer } from './observability';

export { DOCUMENT_TRANSLATE_CONFIG, DYNAMODB_HTTP_LIMITS, dynamoDbClientConfig } from './client-settings';

/** A document client over a given DynamoDB client (tests point theirs at DynamoDB Local). */
export function documentClientOver(client: DynamoDbSdk.DynamoDBClient): DocumentSdk.DynamoDBDocumentClient {
  const { DynamoDBDocumentClient } = require('@aws-sdk/lib-dynamodb') as typeof DocumentSdk;
  return DynamoDBDocumentClient.from(client, DOCUMENT_TRANSLATE_CONFIG);
}

/**
 * Ready for use: without the SDK's logger middleware, which builds a redacted copy of every
 * input and output for its logger on each call even when the logger is the default no-op one
 * (we give the clients none), and with X-Ray instrumentation where tracing is on.
 */
function ready<C extends { middlewareStack: { remove(name: string): boolean } }>(client: C): C {
  client.middlewareStack.remove('loggerMiddleware');
  return tracer ? tracer.captureAWSv3Client(client) : client;
}

export const dynamoDbClient = once(() => {
  const { DynamoDBClient } = require('@aws-sdk/client-dynamodb') as typeof DynamoDbSdk;
  return ready(new DynamoDBClient(dynamoDbClientConfig()));
});

export const documentClient = once(() => documentClientOver(dynamoDbClient()));

export const eventBridgeClient = once(() => {
  const { EventBridgeClient } = require('@aws-sdk/client-eventbridge') as typeof EventBridgeSdk;
  return ready(new EventBridgeClient(serviceClientConfig()));
});

/** The Step Functions client with its package, whose commands the caller builds (loaded together, on first use). */
export interface StepFunctions {
  client: SfnSdk.SFNClient;
  sdk: typeof SfnSdk;
}

export const stepFunctions = once((): StepFunctions => {
  const sdk = require('@aws-sdk/client-sfn') as typeof SfnSdk;
  return { sdk, client: ready(new sdk.SFNClient(serviceClientConfig())) };
});

export const s3Client = once(() => {
  const { S3Client } = require('@aws-sdk/client-s3') as typeof S3Sdk;
  return ready(new S3Client({ ...S3_CHECKSUMS, forcePathStyle: config.s3ForcePathStyle() }));
});
