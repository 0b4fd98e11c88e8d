import type { FieldError } from './validation.js';

/**
 * The one error type. `code` is a stable machine-readable string; `message` is safe to show.
 * Faces render it in their envelope (core/http/envelopes.ts); anything else thrown is a 500.
 */
export class AppError extends Error {
  override name = 'AppError';
  readonly status: number;
  readonly code: string;
  readonly details?: unknown;
  /** Extra response headers, e.g. Retry-After on 429. */
  readonly headers?: Record<string, string>;

  constructor(status: number, code: string, message: string, extra: { details?: unknown; headers?: Record<string, string> } = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = extra.details;
    this.headers = extra.headers;
  }

  static badRequest(message: string, code = 'bad_request', details?: unknown): AppError {
    return new AppError(400, code, message, { details });
  }
  static unauthorized(message = 'authentication required', code = 'unauthorized'): AppError {
    return new AppError(401, code, message);
  }
  static forbidden(message = 'not allowed', code = 'forbidden'): AppError {
    return new AppError(403, code, message);
  }
  static notFound(message = 'not found', code = 'not_found'): AppError {
    return new AppError(404, code, message);
  }
  static conflict(message: string, code = 'conflict', details?: unknown): AppError {
    return new AppError(409, code, message, { details });
  }
  static validation(fields: FieldError[], status = 422): ValidationError {
    return new ValidationError(fields, status);
  }
  static tooManyRequests(retryAfterSeconds: number, message = 'too many requests'): AppError {
    const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
    return new AppError(429, 'rate_limited', `${message}; retry in ${seconds}s`, {
      headers: { 'Retry-After': String(seconds) },
      details: { retry_after: seconds },
    });
  }
}

/** Failed schema validation; `fields` names every failing path. */
export class ValidationError extends AppError {
  override name = 'ValidationError';
  readonly fields: FieldError[];
  constructor(fields: FieldError[], status = 422) {
    const summary = fields.map((f) => `${f.path} ${f.message}`).join('; ');
    super(status, 'validation_error', `invalid request: ${summary}`, { details: fields });
    this.fields = fields;
  }
}

export const isAppError = (err: unknown): err is AppError => err instanceof AppError;
