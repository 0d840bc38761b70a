/** SPEC 4's error body as the app reads it, whatever `details` holds. */
export interface ErrorDetail {
  path: string;
  message: string;
}

const text = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

/**
 * `details` as a list of fields: a 400's array of `{path, message}` as it is, a 409's object
 * (e.g. `{ currentStatus: 'CONFIRMED' }`) as one entry per key, anything else as none.
 */
export function errorDetails(details: unknown): ErrorDetail[] {
  if (Array.isArray(details)) {
    return details.map((d) =>
      d && typeof d === 'object'
        ? { path: text((d as Record<string, unknown>).path ?? ''), message: text((d as Record<string, unknown>).message ?? d) }
        : { path: '', message: text(d) },
    );
  }
  if (details && typeof details === 'object') return Object.entries(details).map(([path, v]) => ({ path, message: text(v) }));
  return [];
}
