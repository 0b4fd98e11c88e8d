import { AppError } from 'plinth/plugin';
import { SESSION_COOKIE } from 'plinth/plugin';
import { requireRole, requireScope } from 'plinth/plugin';
import type { HttpContext } from 'plinth/plugin';
import type { PluginRouter } from 'plinth/plugin';
import { mailRole } from '../services/access.js';
import type { MailServices } from '../services/index.js';
import { MAIL_SESSION_COOKIE } from '../services/mail-auth.js';
import { scopeFrom } from './scope.js';
import { recommend } from 'plinth/plugin';
import {
  addressEither,
  addressOf,
  batchToggleLoginBody,
  byAddressReply,
  done,
  loginBody,
  loginReply,
  ownPasswordBody,
  ownPasswordReply,
  quotaReply,
  sessionReply,
  setPasswordBody,
  signedOutReply,
  toggleLoginBody,
  toggleLoginReply,
} from './schemas.js';
import { MailErrors } from '../services/errors.js';
import type { MailErrorCode } from '../api.js';
// The face also answers auth's codes: a credential's refusals come from auth's chain.
import type { AuthErrorCode } from '../../auth/api.js';

/** The seed's admin login: `mailbox_limit: 9999`, no limit. */
const UNLIMITED = 9999;

const cookie = (ctx: HttpContext, name: string, value: string, seconds: number) =>
  ctx.cookies.set(name, value, { httpOnly: true, sameSite: 'strict', secure: ctx.secure, path: '/', maxAge: seconds * 1000 });

/** The seed's /api/login, /api/logout, /api/session, quota and mailbox passwords. */
export function sessionRoutes(r: PluginRouter<MailErrorCode | AuthErrorCode>, s: MailServices): void {
  r.post(
    '/api/login',
    {
      errors: { 401: ['invalid_credentials'], 403: ['mfa_required'] },
      summary: 'Sign in: a platform user (email or username), a mailbox address, or guest',
      schema: { body: loginBody, responses: { 200: { description: 'Signed in: the session cookie is set', schema: loginReply } } },
    },
    async (ctx, { body: b }) => {
      const result = await s.auth.login(b.username, b.password, { ip: ctx.ip, userAgent: ctx.get('User-Agent') });
      cookie(ctx, result.kind === 'platform' ? SESSION_COOKIE : MAIL_SESSION_COOKIE, result.token, result.expiresInSeconds);
      if (result.kind !== 'platform')
        return result.kind === 'guest'
          ? { success: true, role: 'guest', can_send: 0, mailbox_limit: 0 }
          : { success: true, role: 'mailbox', can_send: 0, mailbox_limit: 1, mailbox: result.mailboxAddress };
      const rights = await s.userRights(result.userId);
      const admin = result.role !== 'user';
      return {
        success: true,
        role: result.role === 'strictAdmin' ? 'admin' : result.role,
        strictAdmin: result.role === 'strictAdmin',
        can_send: admin || rights.can_send ? 1 : 0,
        // The seed's admin login shows 9999 for "no limit" (its quota shows -1: quota keeps that).
        mailbox_limit: admin ? UNLIMITED : rights.mailbox_limit,
      };
    },
  );

  r.post(
    '/api/logout',
    { summary: 'Sign out', schema: { responses: { 200: { description: 'Signed out (also when nobody was)', schema: done } } } },
    async (ctx) => {
      await s.auth.logout(ctx.cookies.get(MAIL_SESSION_COOKIE));
      await s.auth.logoutPlatform(ctx.cookies.get(SESSION_COOKIE));
      for (const name of [MAIL_SESSION_COOKIE, SESSION_COOKIE]) ctx.cookies.set(name, '', { httpOnly: true, sameSite: 'strict', path: '/', maxAge: 0 });
      return { success: true };
    },
  );

  r.get(
    '/api/session',
    {
      summary: 'Who is signed in',
      schema: {
        responses: {
          200: { description: 'The caller', schema: sessionReply },
          401: { description: 'Nobody is signed in', envelope: false, schema: signedOutReply },
        },
      },
    },
    async (ctx) => {
      const principal = await ctx.authenticate().catch(() => null);
      if (!principal) {
        ctx.status = 401;
        return { authenticated: false };
      }
      const role = mailRole(principal);
      return {
        authenticated: true,
        role: role === 'strictAdmin' ? 'admin' : role,
        username: principal.name ?? principal.id,
        strictAdmin: role === 'strictAdmin',
      };
    },
  );

  r.get(
    '/api/user/quota',
    {
      summary: 'My mailbox quota',
      guards: [requireScope('mail:use')],
      schema: { responses: { 200: { description: 'Mailboxes used of the limit', schema: quotaReply } } },
    },
    async (ctx) => s.mailboxes.quota(await scopeFrom(ctx)),
  );

  r.put(
    '/api/mailbox/password',
    {
      errors: { 401: ['unauthorized'], 403: ['mailbox_only', 'wrong_password'] },
      summary: 'A signed-in mailbox changes its own password',
      schema: { body: ownPasswordBody, responses: { 200: { description: 'Changed', schema: ownPasswordReply } } },
    },
    async (ctx, { body: b }) => {
      const principal = await ctx.authenticate();
      if (!principal) throw AppError.unauthorized();
      if (principal.kind !== 'mailbox') throw MailErrors.mailboxOnly();
      const advice = await s.auth.changeOwnPassword(Number(principal.attributes?.mailboxId), b.currentPassword, b.newPassword);
      if (advice) recommend(ctx, advice);
      return { success: true, message: 'password changed' };
    },
  );

  const strict = [requireRole('superadmin')];
  r.post(
    '/api/mailboxes/reset-password',
    {
      errors: { 404: ['mailbox_not_found'] },
      summary: 'Clear a mailbox password (its login stops)',
      guards: strict,
      schema: { ...addressEither, responses: { 200: { description: 'Cleared', schema: done } } },
    },
    async (_ctx, input) => {
      if (!(await s.auth.setPassword(addressOf(input), null)).found) throw MailErrors.mailboxNotFound();
      return { success: true };
    },
  );
  r.post(
    '/api/mailboxes/change-password',
    { summary: "Set a mailbox's password", guards: strict, schema: { body: setPasswordBody, responses: { 200: { description: 'Set', schema: done } } } },
    async (ctx, { body: b }) => {
      const { found, advice } = await s.auth.setPassword(b.address, b.new_password);
      if (!found) throw MailErrors.mailboxNotFound();
      if (advice) recommend(ctx, advice);
      return { success: true };
    },
  );
  r.post(
    '/api/mailboxes/toggle-login',
    {
      summary: 'Allow or stop a mailbox signing in',
      guards: strict,
      schema: { body: toggleLoginBody, responses: { 200: { description: 'Whether it may sign in now', schema: toggleLoginReply } } },
    },
    async (ctx, { body: b }) => {
      const result = await s.mailboxes.update(await scopeFrom(ctx), { addresses: [b.address] }, { can_login: b.can_login });
      if (!result.success_count) throw MailErrors.mailboxNotFound();
      return { success: true, can_login: b.can_login };
    },
  );
  r.post(
    '/api/mailboxes/batch-toggle-login',
    {
      summary: 'Allow or stop several mailboxes signing in',
      guards: strict,
      schema: { body: batchToggleLoginBody, responses: { 200: { description: 'One result per address', schema: byAddressReply } } },
    },
    async (ctx, { body: b }) => s.mailboxes.update(await scopeFrom(ctx), { addresses: b.addresses }, { can_login: b.can_login }),
  );
}
