/**
 * POST /uploads: a presigned S3 PUT under the caller's own prefix (`uploads/<sub>/...`).
 * Content type and length are signed, so the client must upload exactly what it declared
 * (type in the allow-list, at most 10 MiB); the URL lives 5 minutes.
 */
import { randomUUID } from 'node:crypto';
import { apiHandler } from '@myapp/shared/api';
import { PutObjectCommand, getSignedUrl } from '@myapp/shared/aws-sdk-s3';
import { config } from '@myapp/shared/http';
import { MetricUnit, logger, metrics, s3Client } from '@myapp/shared/lambda';
import { UPLOAD_URL_EXPIRES_SECONDS } from '@myapp/shared/schemas';

const s3 = s3Client(); // at init: every request presigns with it

export const handler = apiHandler('UploadsFunction', {
  'POST /uploads': async ({ caller, body }) => {
    const key = `uploads/${caller.sub}/${randomUUID()}/${body.fileName}`;
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
    metrics.addMetric('UploadUrlIssued', MetricUnit.Count, 1);
    logger.info('Upload URL issued', { key, contentType: body.contentType, size: body.size });
    return { uploadUrl, key, method: 'PUT' as const, headers: { 'Content-Type': body.contentType }, expiresIn: UPLOAD_URL_EXPIRES_SECONDS };
  },
});
