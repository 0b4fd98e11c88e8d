import type { AppError } from '../errors.js';
import { ValidationError } from '../errors.js';

/**
 * How a face shapes its replies. Each seed fixes one envelope; plugins pick one by name and
 * throw AppError — the envelope turns it into the status and body the seed's clients expect.
 */
export interface Envelope {
  name: EnvelopeName;
  /** Status for a body/query that fails its schema. */
  validationStatus: number;
  error(err: AppError, requestId: string): { status: number; body: unknown };
  /** Wraps a successful result (identity for plain-JSON faces). */
  ok(data: unknown, message?: string): unknown;
  /**
   * For /openapi.json: the error body's JSON Schema (named `title`), a success body around `data`,
   * and where in the error body the code a client switches on is (none when it is not a string).
   */
  docs: { title: string; error: Record<string, unknown>; ok(data: Record<string, unknown>): Record<string, unknown>; codeAt?: string[] };
}

const str = { type: 'string' };
const fields = { type: 'array', items: { type: 'object', properties: { path: str, message: str } } };

export type EnvelopeName = 'plain' | 'detail' | 'success' | 'error' | 'code-message-data';

const internalMessage = (err: AppError, requestId: string) => (err.status >= 500 ? `internal error (request id ${requestId})` : err.message);

/** Core's own routes (/health, /admin/api): `{ error: { code, message, details? }, request_id }`. */
const plain: Envelope = {
  name: 'plain',
  validationStatus: 422,
  error: (err, requestId) => ({
    status: err.status,
    body: {
      error: { code: err.code, message: internalMessage(err, requestId), ...(err.details !== undefined ? { details: err.details } : {}) },
      request_id: requestId,
    },
  }),
  ok: (data) => data,
  docs: {
    title: 'CoreError',
    error: {
      type: 'object',
      required: ['error', 'request_id'],
      properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: str, message: str, details: {} } }, request_id: str },
    },
    ok: (data) => data,
    codeAt: ['error', 'code'],
  },
};

/** MoltFlow (seeds 000/001), FastAPI style: `{ detail, code }`; validation detail is `[{ loc, msg, type }]`. */
const detail: Envelope = {
  name: 'detail',
  validationStatus: 422,
  error: (err, requestId) => {
    if (err instanceof ValidationError) {
      return {
        status: err.status,
        body: { detail: err.fields.map((f) => ({ loc: f.path.split('.'), msg: f.message, type: 'value_error' })), code: err.code },
      };
    }
    return { status: err.status, body: { detail: internalMessage(err, requestId), code: err.code, ...(err.status >= 500 ? { request_id: requestId } : {}) } };
  },
  ok: (data) => data,
  docs: {
    title: 'DetailError',
    error: {
      type: 'object',
      required: ['detail', 'code'],
      properties: {
        detail: { oneOf: [str, { type: 'array', items: { type: 'object', properties: { loc: { type: 'array', items: str }, msg: str, type: str } } }] },
        code: str,
        request_id: str,
      },
    },
    ok: (data) => data,
    codeAt: ['code'],
  },
};

/** The license-server seed's (002) error codes: a closed set its clients switch on. */
export const SUCCESS_ERROR_CODES = [
  'INVALID_API_KEY',
  'INVALID_REQUEST',
  'MISSING_LICENSE',
  'MISSING_EMAIL',
  'INVALID_LICENSE',
  'INTERNAL_ERROR',
  'NOT_FOUND',
] as const;
const SEED_002 = new Set<string>(SUCCESS_ERROR_CODES);

/** The core's generic errors as the seed's code, and the finer `reason` where the code alone would hide it. */
const SUCCESS_CODES: Record<string, [code: string, reason?: string]> = {
  validation_error: ['INVALID_REQUEST'],
  bad_request: ['INVALID_REQUEST'],
  malformed_json: ['INVALID_REQUEST', 'MALFORMED_JSON'],
  malformed_body: ['INVALID_REQUEST', 'MALFORMED_BODY'],
  payload_too_large: ['INVALID_REQUEST', 'PAYLOAD_TOO_LARGE'],
  unsupported_media_type: ['INVALID_REQUEST', 'UNSUPPORTED_MEDIA_TYPE'],
  unauthorized: ['INVALID_API_KEY'],
  forbidden: ['INVALID_API_KEY'],
  tenant_required: ['INVALID_API_KEY'],
  feature_not_in_plan: ['INVALID_API_KEY', 'FEATURE_NOT_IN_PLAN'],
  not_found: ['NOT_FOUND'],
  rate_limited: ['INVALID_REQUEST', 'RATE_LIMITED'],
  usage_limit_reached: ['INVALID_REQUEST', 'USAGE_LIMIT_REACHED'],
  internal_error: ['INTERNAL_ERROR'],
};

/** A code outside the set, by its status: clients switch on `code`, so none may leak past the set. */
const byStatus = (status: number) => (status >= 500 ? 'INTERNAL_ERROR' : status === 401 ? 'INVALID_API_KEY' : status === 404 ? 'NOT_FOUND' : 'INVALID_REQUEST');

/**
 * `code` always within the seed's set; what it cannot say goes in `reason`: the error's
 * `details.reason` (a plugin throws `INVALID_LICENSE` with `{ reason: 'DEVICE_DEACTIVATED' }`),
 * the core error's reason, or a code from outside the set, upper-cased.
 */
function successCode(err: AppError): { code: string; reason?: string } {
  const given = (err.details as { reason?: unknown } | undefined)?.reason;
  const detail = typeof given === 'string' ? given : undefined;
  if (SEED_002.has(err.code)) return { code: err.code, reason: detail };
  const known = SUCCESS_CODES[err.code];
  if (known) return { code: known[0], reason: detail ?? known[1] };
  return { code: byStatus(err.status), reason: detail ?? err.code.toUpperCase() };
}

/** License server (seed 002): `{ success, code, message }`, plus `reason` beside a code that needs one. */
const success: Envelope = {
  name: 'success',
  validationStatus: 400,
  error: (err, requestId) => {
    const { code, reason } = successCode(err);
    return {
      status: err.status,
      body: {
        success: false,
        code,
        ...(reason ? { reason } : {}),
        message: internalMessage(err, requestId),
        ...(err instanceof ValidationError ? { errors: err.fields } : {}),
      },
    };
  },
  // Two literals rather than a conditional spread: no object made only to be spread, on every reply.
  ok: (data, message) => (message ? { success: true, message, ...(data as object) } : { success: true, ...(data as object) }),
  docs: {
    title: 'LicenseServerError',
    error: {
      type: 'object',
      required: ['success', 'code', 'message'],
      properties: { success: { const: false }, code: { enum: [...SUCCESS_ERROR_CODES] }, reason: str, message: str, errors: fields },
    },
    ok: (data) => ({ allOf: [{ type: 'object', required: ['success'], properties: { success: { const: true }, message: str } }, data] }),
    codeAt: ['code'],
  },
};

/** Temp mail (seed 003): plain JSON, errors `{ error }`. */
const error: Envelope = {
  name: 'error',
  validationStatus: 400,
  error: (err, requestId) => ({
    status: err.status,
    body: { error: internalMessage(err, requestId), code: err.code, ...(err instanceof ValidationError ? { fields: err.fields } : {}) },
  }),
  ok: (data) => data,
  docs: {
    title: 'TempMailError',
    error: { type: 'object', required: ['error', 'code'], properties: { error: str, code: str, fields } },
    ok: (data) => data,
    codeAt: ['code'],
  },
};

/** What WorkBot clients find in `data` on an error: the failing fields, the seed's retryAfter, or the error's details. */
function codeMessageDataOf(err: AppError): unknown {
  if (err instanceof ValidationError) return { fields: err.fields };
  const details = err.details as Record<string, unknown> | undefined;
  if (err.code === 'rate_limited' && details) return { retryAfter: details.retry_after };
  return err.status < 500 && details !== undefined ? details : null;
}

/** WorkBot (seed 004): `{ code, message, data }`, the HTTP status equal to `code` on errors. */
const codeMessageData: Envelope = {
  name: 'code-message-data',
  validationStatus: 400,
  error: (err, requestId) => ({
    status: err.status,
    body: { code: err.status, message: internalMessage(err, requestId), data: codeMessageDataOf(err) },
  }),
  ok: (data, message = 'success') => ({ code: 0, message, data: data ?? null }),
  docs: {
    title: 'WorkBotError',
    error: { type: 'object', required: ['code', 'message', 'data'], properties: { code: { type: 'integer', minimum: 400 }, message: str, data: {} } },
    ok: (data) => ({ type: 'object', required: ['code', 'message', 'data'], properties: { code: { const: 0 }, message: str, data } }),
  },
};

export const envelopes: Record<EnvelopeName, Envelope> = {
  plain,
  detail,
  success,
  error,
  'code-message-data': codeMessageData,
};
