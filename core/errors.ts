import type { FieldError } from './validation.js';

/**
 * The codes the core itself gives errors: its generic ones (the static helpers' defaults), the HTTP
 * layer's, and `usage_limit_reached`, which whichever plugin provides the `usage` meter throws.
 * Each plugin's `api.ts` lists the codes it adds (`MailErrorCode`, …): a client of a face meets
 * the core's codes and its plugin's, nothing else (test/architecture/error-codes.test.ts).
 */
export type CoreErrorCode =
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'validation_error'
  | 'rate_limited'
  | 'tenant_required'
  | 'feature_not_in_plan'
  | 'usage_limit_reached'
  | 'payload_too_large'
  | 'malformed_json'
  | 'malformed_body'
  | 'unsupported_media_type'
  | 'internal_error'
  | 'target_refused'
  | 'unknown_action'
  | 'filter_returned_nothing'
  | 'login_unavailable'
  | 'magic_link_unavailable'
  | 'passkey_unavailable'
  | 'mfa_unavailable'
  | 'too_many_streams'
  | 'ui_not_built'
  | 'no_relay'
  | 'relay_failed'
  | 'setting_locked'
  | 'event_not_dead'
  | 'tool_missing'
  | 'backup_in_progress';

/**
 * The one error type. `code` is a stable machine-readable string; `message` is safe to show.
 * Faces render it in their envelope (core/http/envelopes.ts); anything else thrown is a 500.
 * `C` narrows the code to a plugin's catalogue: a plugin's named constructors (plugins/licensing/
 * services/errors.ts) return `AppError<LicensingErrorCode>`, so a code outside it does not compile.
 */
export class AppError<C extends string = string> extends Error {
  override name = 'AppError';
  readonly status: number;
  readonly code: C;
  readonly details?: unknown;
  /** Extra response headers, e.g. Retry-After on 429. */
  readonly headers?: Record<string, string>;

  constructor(status: number, code: C, message: string, extra: { details?: unknown; headers?: Record<string, string> } = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = extra.details;
    this.headers = extra.headers;
  }

  /** The same error (status, code, message, details) with more response headers: a challenge added to a refusal from elsewhere. */
  withHeaders(headers: Record<string, string>): AppError<C> {
    return new AppError(this.status, this.code, this.message, { details: this.details, headers: { ...this.headers, ...headers } });
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
export class ValidationError extends AppError<'validation_error'> {
  override name = 'ValidationError';
  readonly fields: FieldError[];
  constructor(fields: FieldError[], status = 422) {
    const summary = fields.map((f) => `${f.path} ${f.message}`).join('; ');
    super(status, 'validation_error', `invalid request: ${summary}`, { details: fields });
    this.fields = fields;
  }
}

export const isAppError = (err: unknown): err is AppError => err instanceof AppError;
