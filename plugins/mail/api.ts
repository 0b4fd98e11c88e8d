// The mail plugin's public surface, types only (see plugins/auth/api.ts for the rules).
import type { MailServices } from './services/index.js';

/**
 * `mailCodes`: waits (at most `timeoutMs`) for mail newer than `since` (an email id) on one of the
 * tenant's mailboxes and gives the newest server-extracted verification code (the agents' mail_wait_for_code).
 */
export interface MailCodeWaiter {
  waitForCode(tenantId: string, address: string, since: number, timeoutMs: number): Promise<{ code: string | null; emailId: number | null }>;
}

declare module '../../core/container.js' {
  interface Cradle {
    /** mail's own services (its routes, SMTP receiver and jobs). */
    mailServices: MailServices;
    /** The SMTP port actually listened on (0 in config picks a free one). */
    smtpPort: number;
    mailCodes: MailCodeWaiter;
  }
}
