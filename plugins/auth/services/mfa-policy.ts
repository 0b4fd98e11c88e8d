import type { AuthRequest, AuthStrategy, Principal } from 'plinth/plugin';
import type { MfaRequire } from '../config.js';
import type { PrincipalCache } from './principal-cache.js';
import type { UserRow } from './types.js';
import { AuthErrors } from './errors.js';

/** Whether the policy (`settings.auth.mfa.require`) asks this user for a second factor. */
export function underMfaPolicy(user: Pick<UserRow, 'is_superadmin' | 'role'>, require: MfaRequire): boolean {
  switch (require) {
    case 'none':
      return false;
    case 'superadmins':
      return Boolean(user.is_superadmin);
    case 'admins':
      return Boolean(user.is_superadmin) || user.role === 'owner' || user.role === 'admin';
    case 'everyone':
      return true;
  }
}

/** Where a user the policy sends to enrol is sent in the admin UI (My profile has the set-up). */
export const ENROL_PAGE = '/admin/auth/profile';

/**
 * What a session that must enrol may still reach: setting up the factor (or a passkey), who they
 * are, their profile, password and sessions, signing out, and the admin UI's own "who is signed in".
 */
const WHILE_ENROLLING = [
  /^\/api\/v2\/auth\/mfa(\/|$)/,
  /^\/api\/v2\/auth\/passkeys(\/|$)/,
  /^\/api\/v2\/auth\/sessions(\/|$)/,
  /^\/api\/v2\/auth\/(me|logout|set-password|verify-email\/request)$/,
  /^\/api\/v2\/users\/me$/,
  /^\/admin\/api\/(meta|me|logout)$/,
];

/**
 * Wraps the auth plugin's strategies with the policy. A user under it without a confirmed factor:
 * - signed in (a session): refused (403 `mfa_enrollment_required`) everywhere but the paths above,
 *   and the principal carries `requiredStep`, which sends the admin UI to the set-up first. A
 *   session opened with a passkey (both factors at once) meets the policy.
 * - an API key of theirs: refused everywhere until they enrol (a key is only as strong as the
 *   sign-in that could make it; once they have a factor, their keys work again as they were).
 * Other principals (root token, robots, mailboxes) are not users' sign-ins and pass untouched.
 */
export function withMfaPolicy(strategy: AuthStrategy, d: { cache: PrincipalCache; require: MfaRequire }): AuthStrategy {
  if (d.require === 'none') return strategy;
  return {
    name: strategy.name,
    async authenticate(req: AuthRequest): Promise<Principal | null> {
      const principal = await strategy.authenticate(req);
      if (!principal || (principal.kind !== 'user' && principal.kind !== 'api_key')) return principal;
      const user = await d.cache.user(principal.id);
      if (!user || user.mfa_enabled || !underMfaPolicy(user, d.require)) return principal;
      if (principal.kind === 'api_key') throw AuthErrors.mfaEnrolmentRequired("this key's owner");
      const sessionId = principal.attributes?.sessionId;
      if (typeof sessionId === 'string' && (await d.cache.session(sessionId))?.second_factor === 'passkey') return principal;
      if (!WHILE_ENROLLING.some((allowed) => allowed.test(req.path))) throw AuthErrors.mfaEnrolmentRequired('you');
      // A step already required (a generated password to replace first) comes before this one.
      const step = principal.attributes?.requiredStep ?? { href: ENROL_PAGE, reason: 'mfa_enrollment_required' };
      return { ...principal, attributes: { ...principal.attributes, requiredStep: step } };
    },
  };
}
