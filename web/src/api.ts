/** The API client: bearer ID token (Amplify keeps it fresh), one forced refresh on a 401, and SPEC 4's errors as messages. */
import { idToken } from './auth';
import type { AppConfig } from './config';
import { errorDetails, type ErrorDetail } from './errors';

export type { ErrorDetail };

export class ApiError extends Error {
  constructor(
    public readonly status: number,
    public readonly code: string,
    message: string,
    public readonly details: ErrorDetail[] = [],
    public readonly requestId?: string,
  ) {
    super(message);
  }
}

const BY_STATUS: Record<number, string> = {
  400: 'Some of the details are not valid.',
  401: 'Your session has ended. Please sign in again.',
  403: 'You are not allowed to do that.',
  404: 'That item no longer exists.',
  409: 'That change is no longer possible: the item changed in the meantime.',
  413: 'That is too large.',
  415: 'The request was not in a format the server accepts.',
  429: 'Too many requests. Wait a moment and try again.',
};

/** One line for a person: the server's message, its failing fields, and a reference for support. */
export function describeError(e: unknown): string {
  if (e instanceof ApiError) {
    const fields = e.details.map((d) => (d.path ? `${d.path}: ${d.message}` : d.message)).join('; ');
    const base =
      e.status >= 500
        ? 'Something went wrong on our side. Please try again.'
        : e.message || BY_STATUS[e.status] || `Request failed (${e.status}).`;
    return [base, fields, e.requestId ? `(ref ${e.requestId})` : ''].filter(Boolean).join(' ');
  }
  return e instanceof Error ? e.message : String(e);
}

export interface ApiClient {
  request<T>(method: string, path: string, body?: unknown): Promise<T>;
}

export function apiClient(cfg: AppConfig, onSignedOut: () => void): ApiClient {
  const send = async (method: string, path: string, body: unknown, token: string | undefined): Promise<Response> => {
    try {
      return await fetch(`${cfg.apiUrl}${path}`, {
        method,
        headers: {
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
          ...(token ? { Authorization: `Bearer ${token}` } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new ApiError(0, 'NetworkError', 'Could not reach the server. Check your connection and try again.');
    }
  };

  return {
    async request<T>(method: string, path: string, body?: unknown): Promise<T> {
      let token = await idToken();
      let res = await send(method, path, body, token);
      if (res.status === 401 && token) {
        // Revoked or expired in between: one forced refresh; none means the session is over.
        token = await idToken(true);
        if (!token) {
          onSignedOut();
          throw new ApiError(401, 'SessionExpired', BY_STATUS[401]!);
        }
        res = await send(method, path, body, token);
      }
      if (res.status === 204) return undefined as T;
      const data = (await res.json().catch(() => undefined)) as
        { error?: { code: string; message: string; details?: unknown }; requestId?: string; message?: string } | undefined;
      if (!res.ok) {
        const err = data?.error;
        throw new ApiError(
          res.status,
          err?.code ?? 'HttpError',
          err?.message ?? data?.message ?? BY_STATUS[res.status] ?? `Request failed (${res.status})`,
          errorDetails(err?.details),
          data?.requestId,
        );
      }
      return data as T;
    },
  };
}

/** PUT a file to a presigned URL with progress (fetch has no upload progress). */
export function putWithProgress(
  url: string,
  file: Blob,
  headers: Record<string, string>,
  onProgress: (fraction: number) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', url);
    for (const [k, v] of Object.entries(headers)) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onload = () =>
      xhr.status >= 200 && xhr.status < 300
        ? (onProgress(1), resolve())
        : reject(new Error(`The storage service refused the upload (HTTP ${xhr.status}).`));
    xhr.onerror = () => reject(new Error('The upload failed: could not reach the storage service.'));
    xhr.onabort = () => reject(new Error('The upload was canceled.'));
    xhr.send(file);
  });
}
