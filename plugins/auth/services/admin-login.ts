import type { AdminLoginProvider } from '../../../core/http/admin-ui.js';
import type { Accounts } from './accounts.js';
import type { JwtSigner } from './jwt-signer.js';
import type { Sessions } from './sessions.js';

/**
 * The admin UI's sign-in (core's `adminLogin`), with this plugin's accounts: a password or a magic
 * link gives a UI session token; signing out revokes its session.
 */
export function adminLoginProvider(s: { sessions: Sessions; accounts: Accounts; signer: JwtSigner }): AdminLoginProvider {
  return {
    async login(input) {
      const result = await s.sessions.login(input.email, input.password, { ip: input.ip, userAgent: input.userAgent }, 'ui');
      return { token: result.access_token, expiresInSeconds: result.expires_in };
    },
    async loginWithMagicLink(token, meta) {
      const result = await s.accounts.verifyMagicLink(token, meta, 'ui');
      return { token: result.access_token, expiresInSeconds: result.expires_in };
    },
    async logout(token) {
      const claims = await s.signer.verify(token, 'ui').catch(() => null);
      if (claims) await s.sessions.revokeSession(claims.sessionId, 'logout');
    },
  };
}
