import * as z from 'zod';

/** Identifiers a client may choose: URL-safe, bounded, so they are safe as keys and in paths. */
export const SafeId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'Must contain only letters, digits, "-" and "_"');

export const IsoDateTime = z.iso.datetime();

/** Opaque pagination cursor (base64url); the repository rejects one it did not issue. */
export const NextToken = z
  .string()
  .min(1)
  .max(2048)
  .regex(/^[A-Za-z0-9_-]+$/, 'Malformed nextToken');

/** `?limit=&nextToken=` on every paginated list. Query strings are strings: coerce. */
export const PaginationQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  nextToken: NextToken.optional(),
});
export type PaginationQuery = z.infer<typeof PaginationQuery>;

export const ErrorDetailSchema = z.object({ path: z.string(), message: z.string() });

/** SPEC 4's error body. */
export const ErrorResponse = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.array(ErrorDetailSchema).optional(),
  }),
  requestId: z.string(),
});
export type ErrorResponse = z.infer<typeof ErrorResponse>;

/** A page of results plus the cursor for the next one (absent on the last page). */
export const page = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextToken: z.string().optional() });

export const HealthResponse = z.object({ ok: z.boolean(), service: z.string(), version: z.string() });
export type HealthResponse = z.infer<typeof HealthResponse>;
