/**
 * S3 and its presigner, bundled like aws-sdk.ts but in an entry of their own
 * (`@myapp/shared/aws-sdk-s3`): only UploadsFunction uses them, and S3's client (XML, checksums)
 * would add ~15 ms to every DynamoDB function's start if it shared that entry.
 */
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';

export const AWS_SDK = {
  '@aws-sdk/client-s3': { PutObjectCommand, S3Client },
  '@aws-sdk/s3-request-presigner': { getSignedUrl },
};

/** UploadsFunction's own imports (it presigns its PutObject). */
export { PutObjectCommand, S3Client, getSignedUrl };
