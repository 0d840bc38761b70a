/**
 * The one error type handlers map to SPEC 4's JSON error. Anything that is not an AppError
 * (or a ZodError) is a real fault and becomes a generic 500.
 */
export interface ErrorDetail {
  path: string;
  message: string;
}

export class AppError extends Error {
  constructor(
    public readonly status: number,
    public readonly code: string,
    message: string,
    public readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const isAppError = (err: unknown): err is AppError => err instanceof AppError;

export const badRequest = (message: string, details?: ErrorDetail[], code = 'VALIDATION_ERROR'): AppError =>
  new AppError(400, code, message, details);
export const unauthorized = (message = 'Authentication required'): AppError => new AppError(401, 'UNAUTHORIZED', message);
export const forbidden = (message = 'Not allowed'): AppError => new AppError(403, 'FORBIDDEN', message);
export const notFound = (message = 'Not found'): AppError => new AppError(404, 'NOT_FOUND', message);
export const conflict = (message: string, code = 'CONFLICT', details?: unknown): AppError => new AppError(409, code, message, details);
export const payloadTooLarge = (limitBytes: number): AppError =>
  new AppError(413, 'PAYLOAD_TOO_LARGE', `Request body exceeds ${limitBytes} bytes`);
export const unsupportedMediaType = (message = 'Content-Type must be application/json'): AppError =>
  new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', message);
