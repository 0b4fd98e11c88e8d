import { AppError, iso } from 'plinth/plugin';
import type { Middleware } from 'koa';
import type { HttpContext } from 'plinth/plugin';
import type { PluginRouter } from 'plinth/plugin';
import type { LicensingServices } from '../services/index.js';
import { LicensingErrors } from '../services/errors.js';
import { ok } from 'plinth/plugin';
import { healthReply, licenseFileQuery, licenseFileReply, publicKeyReply, verifyBody, verifyReply } from './schemas.js';
import type { LicensingErrorCode } from '../api.js';

/** The seed's MISSING_LICENSE / MISSING_EMAIL come before any other check. */
function requireCodeAndEmail(input: { activation_code?: string; email?: string }): { activation_code: string; email: string } {
  if (!input.activation_code?.trim()) throw LicensingErrors.activationCodeMissing();
  if (!input.email?.trim()) throw LicensingErrors.emailMissing();
  return { activation_code: input.activation_code, email: input.email };
}

/** `path`, or `path` with trailing slashes: the exact one is told without a regular expression. */
const isPath = (requested: string, path: string): boolean => requested === path || (requested.startsWith(path) && requested.replace(/\/+$/, '') === path);

/**
 * Verify's failures — the seed's codes, a body that fails the schema, a rate limit — carry the
 * seed's `isValid: false` and `timestamp` beside the envelope. A middleware, so it also wraps the
 * router's validation of the body.
 */
function verifyFailures(path: string, now: () => Date): Middleware {
  return async (koaCtx, next) => {
    const ctx = koaCtx as unknown as HttpContext;
    if (ctx.method !== 'POST' || !isPath(ctx.path, path)) return next();
    try {
      await next();
    } catch (err) {
      if (!(err instanceof AppError) || err.status >= 500) throw err;
      const { status, body } = ctx.state.envelope.error(err, ctx.state.requestId);
      ctx.status = status;
      for (const [k, v] of Object.entries(err.headers ?? {})) ctx.set(k, v);
      ctx.body = { ...(body as object), isValid: false, timestamp: iso(now()) };
    }
  };
}

export function publicRoutes(r: PluginRouter<LicensingErrorCode>, s: LicensingServices, now: () => Date): void {
  // The seed's health body is not in the face's envelope: documented as the JSON it is.
  r.get('/health', { summary: 'License server health', schema: { responses: { 200: { description: 'Up', envelope: false, schema: healthReply } } } }, () => ({
    status: 'ok',
    timestamp: now().toISOString(),
  }));

  r.use(verifyFailures(`${r.base === '/' ? '' : r.base}/api/verify`, now));
  r.post(
    '/api/verify',
    {
      errors: { 400: ['MISSING_EMAIL', 'MISSING_LICENSE'], 403: ['INVALID_LICENSE'], 429: ['rate_limited'] },
      summary: 'Verify an activation code (and bind the device)',
      schema: { body: verifyBody, responses: { 200: { description: 'Valid (and the device, when given, is bound)', schema: verifyReply } } },
    },
    async (ctx, { body }) => {
      const input = { ...body, ...requireCodeAndEmail(body) };
      await s.limits.verify(ctx.ip, input.activation_code);
      input.ip_address ??= ctx.ip;
      const { license, at } = await s.verifier.verify(input);
      const expiresAt = license.valid_until;
      return ok(
        {
          code: 'SUCCESS',
          license: { key: license.license_id, type: license.plan, expiresAt },
          isValid: true,
          licenseType: license.plan,
          expiresAt,
          timestamp: at,
        },
        'license verified',
      );
    },
  );

  // Beyond the seed: a signed offline license file and the key to check it.
  r.get(
    '/api/public-key',
    {
      summary: 'The Ed25519 public key that signs license files',
      schema: { responses: { 200: { description: 'The key, as PEM and raw (base64url)', schema: publicKeyReply } } },
    },
    () => ok(s.files.publicKey()),
  );

  r.get(
    '/api/license-file',
    {
      errors: { 400: ['MISSING_EMAIL', 'MISSING_LICENSE'], 403: ['INVALID_LICENSE'] },
      summary: 'A signed offline license file for a bound device',
      schema: { query: licenseFileQuery, responses: { 200: { description: 'The signed file', schema: licenseFileReply } } },
    },
    async (ctx, { query }) => {
      const input = { ...query, ...requireCodeAndEmail(query) };
      await s.limits.verify(ctx.ip, input.activation_code);
      // Only for a device already bound (by verify): asking for a file binds nothing.
      const { license, device } = await s.verifier.verify({ ...input, ip_address: input.ip_address ?? ctx.ip }, { bind: false });
      return ok(s.files.issue(license, device!));
    },
  );
}
