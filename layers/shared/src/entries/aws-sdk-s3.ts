/** @myapp/shared/aws-sdk-s3: S3's client and presigner, bundled tree-shaken, for UploadsFunction (see aws-sdk-s3.ts). */
export * from '../aws-sdk-s3';
