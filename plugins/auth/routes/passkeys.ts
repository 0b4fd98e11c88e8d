import { AppError } from 'plinth/plugin';
import type { HttpContext } from 'plinth/plugin';
import { requireScope } from 'plinth/plugin';
import type { PluginRouter } from 'plinth/plugin';
import type { AuthSettings } from '../config.js';
import type { AuthServices } from '../services/index.js';
import { loginReply, uuidParam } from './schemas.js';
import {
  passkeyListReply,
  passkeyReply,
  registrationBody,
  registrationOptionsReply,
  renameBody,
  signInBody,
  signInOptionsBody,
  signInOptionsReply,
} from './passkey-schemas.js';
import { meta, principalOf } from './shared.js';
import type { AuthErrorCode } from '../api.js';

/**
 * Passkeys (WebAuthn): a signed-in user registers, lists, renames and removes theirs; anyone signs
 * in with one. The ceremonies take two requests each: options (with a challenge, kept server-side),
 * then the authenticator's answer.
 */
export function passkeyRoutes(r: PluginRouter<AuthErrorCode>, s: AuthServices, settings: AuthSettings): void {
  /** Whose passkeys: the user behind a session or an API key (a key acts for its owner). */
  const owner = async (ctx: HttpContext) => {
    const p = await principalOf(ctx);
    if (p.kind !== 'user' && p.kind !== 'api_key') throw AppError.forbidden('only a user has passkeys');
    return p;
  };
  /**
   * Adding a sign-in credential needs the user's own session: an API key that could add a passkey
   * could turn itself into a full session, beyond its scopes.
   */
  const session = async (ctx: HttpContext) => {
    const p = await principalOf(ctx);
    if (p.kind !== 'user') throw AppError.forbidden('a passkey is added from a signed-in session, not with an API key');
    return p;
  };
  const read = [requireScope('account:read')];
  const manage = [requireScope('account:manage')];
  const ceremonies = { bucket: 'auth.passkey.ip', points: settings.limits.loginPerIpPerMinute, durationSeconds: 60 };

  r.get(
    '/auth/passkeys',
    {
      summary: 'List my passkeys',
      guards: read,
      schema: { responses: { 200: { description: 'Your passkeys, oldest first (never their keys)', schema: passkeyListReply } } },
    },
    async (ctx) => s.passkeys.list((await owner(ctx)).id),
  );

  r.post(
    '/auth/passkeys/registration/options',
    {
      summary: 'Start adding a passkey',
      description: 'The options for navigator.credentials.create() (startRegistration), with a challenge valid for 5 minutes and once.',
      guards: manage,
      rateLimit: { bucket: 'auth.passkey.register', points: 30, durationSeconds: 3600, by: 'principal' },
      schema: { responses: { 200: { description: 'PublicKeyCredentialCreationOptionsJSON', schema: registrationOptionsReply } } },
    },
    async (ctx) => s.passkeys.registrationOptions(await session(ctx)),
  );

  r.post(
    '/auth/passkeys/registration/verify',
    {
      errors: { 400: ['invalid_challenge', 'passkey_refused'], 409: ['passkey_exists'] },
      summary: 'Add a passkey: the authenticator’s answer to the options',
      guards: manage,
      schema: { body: registrationBody, responses: { 201: { description: 'The passkey, added', schema: passkeyReply } } },
    },
    async (ctx, { body: b }) => {
      const passkey = await s.passkeys.register(await session(ctx), b.response, b.name, meta(ctx));
      ctx.status = 201;
      return passkey;
    },
  );

  r.patch(
    '/auth/passkeys/:id',
    {
      errors: { 404: ['not_found'] },
      summary: 'Rename one of my passkeys',
      guards: manage,
      schema: { params: uuidParam, body: renameBody, responses: { 200: { description: 'The passkey as renamed', schema: passkeyReply } } },
    },
    async (ctx, { params, body: b }) => s.passkeys.rename(await owner(ctx), params.id, b.name, meta(ctx)),
  );

  r.delete(
    '/auth/passkeys/:id',
    {
      errors: { 404: ['not_found'] },
      summary: 'Remove one of my passkeys',
      guards: manage,
      schema: { params: uuidParam, responses: { 204: { description: 'Removed: it signs no one in from now on' } } },
    },
    async (ctx, { params }) => {
      await s.passkeys.remove(await owner(ctx), params.id, meta(ctx));
      ctx.status = 204;
    },
  );

  r.post(
    '/auth/passkeys/sign-in/options',
    {
      summary: 'Start signing in with a passkey',
      description:
        'The options for navigator.credentials.get() (startAuthentication). Without `email`, any passkey of this site the device holds; ' +
        'with it, that account’s (the answer looks the same whether or not the account exists).',
      rateLimit: ceremonies,
      schema: { body: signInOptionsBody, responses: { 200: { description: 'PublicKeyCredentialRequestOptionsJSON', schema: signInOptionsReply } } },
    },
    (_ctx, { body: b }) => s.passkeySignIn.options(b.email),
  );

  r.post(
    '/auth/passkeys/sign-in/verify',
    {
      errors: { 400: ['invalid_challenge'], 401: ['passkey_refused'], 403: ['account_suspended'] },
      summary: 'Sign in with a passkey instead of a password and a second factor',
      rateLimit: ceremonies,
      schema: { body: signInBody, responses: { 200: { description: 'A token pair and the signed-in user (as login)', schema: loginReply } } },
    },
    (ctx, { body: b }) => s.passkeySignIn.verify(b.response, meta(ctx)),
  );
}
