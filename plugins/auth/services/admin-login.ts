import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import { AppError } from 'plinth/plugin';
import type { AdminLoginProvider, AdminSession, AdminSignIn } from 'plinth/plugin';
import { toFieldErrors } from 'plinth/plugin';
import { validateAuthenticationResponse } from '../routes/passkey-schemas.js';
import type { Accounts } from './accounts.js';
import type { JwtSigner } from './jwt-signer.js';
import type { PasskeySignIn } from './passkey-sign-in.js';
import { isChallenge, type MfaChallenges, type SignInResult } from './mfa-challenges.js';
import type { LoginResult, Sessions } from './sessions.js';
import { AuthErrors } from './errors.js';

const toSession = (r: LoginResult): AdminSession => ({ token: r.access_token, expiresInSeconds: r.expires_in });
const toSignIn = (r: SignInResult): AdminSignIn =>
  isChallenge(r) ? { challengeToken: r.challenge_token, methods: r.methods, expiresInSeconds: r.expires_in } : toSession(r);

/**
 * The admin UI's sign-in (core's `adminLogin`), with this plugin's accounts: a password, a magic
 * link or a passkey gives a UI session token; signing out revokes its session.
 */
export function adminLoginProvider(s: {
  sessions: Sessions;
  accounts: Accounts;
  signer: JwtSigner;
  passkeySignIn: PasskeySignIn;
  mfaChallenges: MfaChallenges;
}): AdminLoginProvider {
  return {
    // Another face's password sign-in (the temp-mail face's /api/login): its session is this one, so a
    // user with a second factor answers the challenge on the admin UI's login (the same cookie).
    async login(input) {
      const result = await s.sessions.login(input.email, input.password, { ip: input.ip, userAgent: input.userAgent }, 'ui');
      if (isChallenge(result))
        throw AuthErrors.mfaRequired(result, 'POST /admin/api/login', 'sign in on the admin UI (/admin), whose session this one is, or ');
      return toSession(result);
    },
    async beginLogin(input) {
      return toSignIn(await s.sessions.login(input.email, input.password, { ip: input.ip, userAgent: input.userAgent }, 'ui'));
    },
    async loginWithMagicLink(token, meta) {
      return toSignIn(await s.accounts.verifyMagicLink(token, meta, 'ui'));
    },
    async completeChallenge(input) {
      const answer = input.recoveryCode !== undefined ? { recovery_code: input.recoveryCode } : { code: input.code };
      return toSession(await s.mfaChallenges.complete(input.challengeToken, answer, { ip: input.ip, userAgent: input.userAgent }, 'ui'));
    },
    async loginWithPasskey(response, meta) {
      if (!validateAuthenticationResponse(response)) throw AppError.validation(toFieldErrors(validateAuthenticationResponse.errors, 'body.passkey'));
      const result = await s.passkeySignIn.verify(response as unknown as AuthenticationResponseJSON, meta, 'ui');
      return { token: result.access_token, expiresInSeconds: result.expires_in };
    },
    async logout(token) {
      const claims = await s.signer.verify(token, 'ui').catch(() => null);
      if (claims) await s.sessions.revokeSession(claims.sessionId, 'logout');
    },
  };
}
