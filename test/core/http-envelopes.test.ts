import assert from 'node:assert/strict';
import { AppError } from '../../core/errors.js';
import { envelopes } from '../../core/http/envelopes.js';
import { faceFor, toAppError, type Face } from '../../core/http/server.js';

const RID = 'req-123';
const validation = () =>
  AppError.validation([
    { path: 'body.title', message: 'is required' },
    { path: 'query.limit', message: 'must be <= 50' },
  ]);
const internal = () => new AppError(500, 'internal_error', 'internal error');

describe('http: envelopes', () => {
  describe('plain (core routes)', () => {
    const env = envelopes.plain;
    it('an AppError', () => {
      assert.deepEqual(env.error(AppError.notFound('no such thing'), RID), {
        status: 404,
        body: { error: { code: 'not_found', message: 'no such thing' }, request_id: RID },
      });
    });
    it('details are kept; validation is 422 with the fields', () => {
      assert.equal(env.validationStatus, 422);
      const { status, body } = env.error(AppError.validation([{ path: 'body.email', message: 'is required' }], env.validationStatus), RID);
      assert.equal(status, 422);
      assert.deepEqual(body, {
        error: { code: 'validation_error', message: 'invalid request: body.email is required', details: [{ path: 'body.email', message: 'is required' }] },
        request_id: RID,
      });
    });
    it('a 500 hides its message behind the request id', () => {
      assert.deepEqual(env.error(new AppError(500, 'internal_error', 'db password is hunter2'), RID).body, {
        error: { code: 'internal_error', message: `internal error (request id ${RID})` },
        request_id: RID,
      });
    });
    it('ok is the identity', () => {
      assert.deepEqual(env.ok({ a: 1 }), { a: 1 });
    });
  });

  describe('detail (MoltFlow, FastAPI style)', () => {
    const env = envelopes.detail;
    it('an AppError is { detail, code }', () => {
      assert.deepEqual(env.error(AppError.forbidden('missing scope notes:write'), RID), {
        status: 403,
        body: { detail: 'missing scope notes:write', code: 'forbidden' },
      });
    });
    it('validation is 422 with detail [{ loc, msg, type }]', () => {
      assert.equal(env.validationStatus, 422);
      assert.deepEqual(env.error(validation(), RID), {
        status: 422,
        body: {
          detail: [
            { loc: ['body', 'title'], msg: 'is required', type: 'value_error' },
            { loc: ['query', 'limit'], msg: 'must be <= 50', type: 'value_error' },
          ],
          code: 'validation_error',
        },
      });
    });
    it('a 500 carries the request id and nothing else', () => {
      assert.deepEqual(env.error(internal(), RID), {
        status: 500,
        body: { detail: `internal error (request id ${RID})`, code: 'internal_error', request_id: RID },
      });
    });
  });

  describe('success (license server)', () => {
    const env = envelopes.success;
    it('validation is 400 INVALID_REQUEST with the fields', () => {
      assert.equal(env.validationStatus, 400);
      const { status, body } = env.error(AppError.validation([{ path: 'body.key', message: 'is required' }], env.validationStatus), RID);
      assert.equal(status, 400);
      assert.deepEqual(body, {
        success: false,
        code: 'INVALID_REQUEST',
        message: 'invalid request: body.key is required',
        errors: [{ path: 'body.key', message: 'is required' }],
      });
    });
    it('maps the core codes to the seed codes', () => {
      const code = (err: AppError) => (env.error(err, RID).body as { code: string }).code;
      assert.equal(code(AppError.badRequest('x')), 'INVALID_REQUEST');
      assert.equal(code(new AppError(400, 'malformed_json', 'x')), 'INVALID_REQUEST');
      assert.equal(code(new AppError(413, 'payload_too_large', 'x')), 'INVALID_REQUEST');
      assert.equal(code(AppError.unauthorized()), 'INVALID_API_KEY');
      assert.equal(code(AppError.forbidden()), 'INVALID_API_KEY');
      assert.equal(code(AppError.notFound()), 'NOT_FOUND');
      assert.equal(code(AppError.tooManyRequests(5)), 'INVALID_REQUEST');
      assert.equal(code(internal()), 'INTERNAL_ERROR');
    });
    it("keeps code within the seed's closed set; the finer reason goes beside it", () => {
      const body = (err: AppError) => env.error(err, RID).body as { code: string; reason?: string };
      const seed = ['INVALID_API_KEY', 'INVALID_REQUEST', 'MISSING_LICENSE', 'MISSING_EMAIL', 'INVALID_LICENSE', 'INTERNAL_ERROR', 'NOT_FOUND'];
      assert.deepEqual(body(AppError.tooManyRequests(5)), { ...body(AppError.tooManyRequests(5)), code: 'INVALID_REQUEST', reason: 'RATE_LIMITED' });
      assert.deepEqual(body(new AppError(402, 'usage_limit_reached', 'x')).reason, 'USAGE_LIMIT_REACHED');
      assert.deepEqual(body(new AppError(403, 'INVALID_LICENSE', 'x', { details: { reason: 'DEVICE_DEACTIVATED' } })), {
        success: false,
        code: 'INVALID_LICENSE',
        reason: 'DEVICE_DEACTIVATED',
        message: 'x',
      });
      // A code from outside the set (a plugin's own) never leaks into `code`: it becomes the reason.
      assert.deepEqual(body(new AppError(403, 'LICENSE_EXPIRED', 'expired')), {
        success: false,
        code: 'INVALID_REQUEST',
        reason: 'LICENSE_EXPIRED',
        message: 'expired',
      });
      assert.deepEqual(body(new AppError(401, 'token_expired', 'x')), { success: false, code: 'INVALID_API_KEY', reason: 'TOKEN_EXPIRED', message: 'x' });
      assert.equal(body(new AppError(404, 'no_such_thing', 'x')).code, 'NOT_FOUND');
      assert.equal(body(new AppError(503, 'login_unavailable', 'x')).code, 'INTERNAL_ERROR');
      for (const err of [
        AppError.badRequest('x'),
        AppError.conflict('x'),
        AppError.forbidden(),
        new AppError(415, 'unsupported_media_type', 'x'),
        new AppError(403, 'feature_not_in_plan', 'x'),
      ])
        assert.ok(seed.includes(body(err).code), err.code);
      assert.equal(body(AppError.validation([{ path: 'body.x', message: 'is required' }], 400)).reason, undefined, 'INVALID_REQUEST says it all');
    });
    it('a 404 and a 500', () => {
      assert.deepEqual(env.error(AppError.notFound('no such license'), RID), {
        status: 404,
        body: { success: false, code: 'NOT_FOUND', message: 'no such license' },
      });
      assert.deepEqual(env.error(internal(), RID), {
        status: 500,
        body: { success: false, code: 'INTERNAL_ERROR', message: `internal error (request id ${RID})` },
      });
    });
    it('ok wraps the data with success: true and an optional message', () => {
      assert.deepEqual(env.ok({ valid: true }), { success: true, valid: true });
      assert.deepEqual(env.ok({ valid: true }, 'License is valid'), { success: true, message: 'License is valid', valid: true });
    });
  });

  describe('error (temp mail)', () => {
    const env = envelopes.error;
    it('{ error, code }, validation 400 with fields', () => {
      assert.equal(env.validationStatus, 400);
      assert.deepEqual(env.error(AppError.notFound('mailbox not found'), RID), { status: 404, body: { error: 'mailbox not found', code: 'not_found' } });
      const v = env.error(AppError.validation([{ path: 'body.address', message: 'is required' }], 400), RID);
      assert.deepEqual(v, {
        status: 400,
        body: { error: 'invalid request: body.address is required', code: 'validation_error', fields: [{ path: 'body.address', message: 'is required' }] },
      });
      assert.deepEqual(env.error(internal(), RID).body, { error: `internal error (request id ${RID})`, code: 'internal_error' });
      assert.deepEqual(env.ok([1, 2]), [1, 2]);
    });
  });

  describe('code-message-data (WorkBot)', () => {
    const env = envelopes['code-message-data'];
    it('the body code equals the HTTP status on errors', () => {
      assert.equal(env.validationStatus, 400);
      for (const err of [
        AppError.unauthorized(),
        AppError.forbidden(),
        AppError.notFound(),
        AppError.tooManyRequests(3),
        internal(),
        new AppError(418, 'teapot', 'short and stout'),
      ]) {
        const { status, body } = env.error(err, RID);
        assert.equal(status, err.status);
        assert.equal((body as { code: number }).code, status);
      }
      assert.deepEqual(env.error(AppError.notFound('robot not found'), RID).body, { code: 404, message: 'robot not found', data: null });
      assert.deepEqual(env.error(AppError.validation([{ path: 'body.text', message: 'is required' }], 400), RID), {
        status: 400,
        body: { code: 400, message: 'invalid request: body.text is required', data: { fields: [{ path: 'body.text', message: 'is required' }] } },
      });
    });
    it('ok is { code: 0, message, data }', () => {
      assert.deepEqual(env.ok({ id: 1 }), { code: 0, message: 'success', data: { id: 1 } });
      assert.deepEqual(env.ok(undefined, 'sent'), { code: 0, message: 'sent', data: null });
    });
  });

  describe('toAppError and faceFor', () => {
    it('maps body-parser errors and hides everything unknown', () => {
      assert.equal(toAppError(Object.assign(new Error('request entity too large'), { status: 413, type: 'entity.too.large' })).status, 413);
      const bad = toAppError(Object.assign(new Error('Unexpected token'), { status: 400, type: 'entity.parse.failed' }));
      assert.deepEqual([bad.status, bad.code], [400, 'malformed_json']);
      const unknown = toAppError(new Error('kaboom: secret internals'));
      assert.deepEqual([unknown.status, unknown.code, unknown.message], [500, 'internal_error', 'internal error']);
      const exposed = toAppError(Object.assign(new Error('bad header'), { status: 400, expose: true }));
      assert.deepEqual([exposed.status, exposed.code, exposed.message], [400, 'bad_request', 'bad header']);
      const err = AppError.conflict('taken');
      assert.equal(toAppError(err), err);
    });

    it('picks the longest matching base, on segment boundaries only', () => {
      const face = (base: string): Face => ({ base, envelope: envelopes.plain, middleware: [] });
      const faces = [face('/api/v2/admin'), face('/api/v2'), face('/')];
      assert.equal(faceFor(faces, '/api/v2/admin/users')?.base, '/api/v2/admin');
      assert.equal(faceFor(faces, '/api/v2')?.base, '/api/v2');
      assert.equal(faceFor(faces, '/api/v2x')?.base, '/');
      assert.equal(faceFor([face('/mail')], '/mailbox'), null);
      assert.equal(faceFor([face('/mail')], '/mail/x')?.base, '/mail');
    });
  });
});
