import * as z from 'zod';

export const UPLOAD_CONTENT_TYPES = [
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'application/pdf',
  'text/plain',
  'text/csv',
] as const;
export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;
export const UPLOAD_URL_EXPIRES_SECONDS = 300;

export const CreateUploadRequest = z.strictObject({
  // No path separators or leading dot: the name becomes the last segment of the S3 key.
  fileName: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._ -]*$/, 'Letters, digits, ".", "_", "-" and spaces only, starting with a letter or digit'),
  contentType: z.enum(UPLOAD_CONTENT_TYPES, { error: `Must be one of ${UPLOAD_CONTENT_TYPES.join(', ')}` }),
  size: z.number().int().min(1).max(MAX_UPLOAD_BYTES, `Must be at most ${MAX_UPLOAD_BYTES} bytes (10 MiB)`),
});
export type CreateUploadRequest = z.infer<typeof CreateUploadRequest>;

export const UploadResponse = z.object({
  uploadUrl: z.url(),
  key: z.string(),
  method: z.literal('PUT'),
  headers: z.object({ 'Content-Type': z.string() }),
  expiresIn: z.number().int(),
});
export type UploadResponse = z.infer<typeof UploadResponse>;
