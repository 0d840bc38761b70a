/**
 * POST /uploads: a presigned S3 PUT under the caller's own prefix (`uploads/<sub>/...`).
 * Content type and length are signed, so the client must upload exactly what it declared
 * (type in the allow-list, at most 10 MiB); the URL lives 5 minutes.
 */
import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { callerOf, config, httpHandler, json, notFound, parseBody } from '@myapp/shared/http';
import { CreateUploadRequest, UPLOAD_URL_EXPIRES_SECONDS, type UploadResponse } from '@myapp/shared/schemas';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';

const logger = new Logger();
const metrics = new Metrics();
const tracer = new Tracer();
const s3 = tracer.captureAWSv3Client(
  new S3Client({
    // Otherwise the URL carries a checksum of an empty body and every real upload fails.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    // Set only for a local S3 endpoint, which serves buckets by path, not by host name.
    forcePathStyle: config.s3ForcePathStyle(),
  }),
);

async function route(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const { sub } = callerOf(event);
  if (`${event.httpMethod} ${event.resource}` !== 'POST /uploads') throw notFound('No such route');
  const body = parseBody(event, CreateUploadRequest);
  const key = `uploads/${sub}/${randomUUID()}/${body.fileName}`;
  const command = new PutObjectCommand({
    Bucket: config.uploadsBucket(),
    Key: key,
    ContentType: body.contentType,
    ContentLength: body.size,
  });
  const uploadUrl = await getSignedUrl(s3, command, {
    expiresIn: UPLOAD_URL_EXPIRES_SECONDS,
    signableHeaders: new Set(['content-type', 'content-length']),
  });
  metrics.addMetric('UploadUrlIssued', 'Count', 1);
  logger.info('Upload URL issued', { key, contentType: body.contentType, size: body.size });
  const response: UploadResponse = {
    uploadUrl,
    key,
    method: 'PUT',
    headers: { 'Content-Type': body.contentType },
    expiresIn: UPLOAD_URL_EXPIRES_SECONDS,
  };
  return json(201, response);
}

export const handler = httpHandler(route, { logger, metrics });
