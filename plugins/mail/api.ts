// The mail plugin's public surface, types only (see plugins/auth/api.ts for the rules).
import type { PayloadsOf } from 'plinth/plugin';
import type { mailEvents } from './events.js';

/**
 * `mailCodes`: waits (at most `timeoutMs`) for mail newer than `since` (an email id) on one of the
 * tenant's mailboxes and gives the newest server-extracted verification code (the agents' mail_wait_for_code),
 * with the sender, subject and text preview of the mail it came from (the newest mail when none has a code).
 */
export interface MailCodeWaiter {
  waitForCode(
    tenantId: string,
    address: string,
    since: number,
    timeoutMs: number,
  ): Promise<{ code: string | null; emailId: number | null; mail: { from: string; subject: string; preview: string } | null }>;
  /** One of the tenant's mailboxes by address (not found for another tenant's): what an agent's mail_send preview names as the sender. */
  mailbox(tenantId: string, address: string): Promise<{ address: string; expiresAt: string | null }>;
}

/**
 * The codes mail's errors carry beside the core's (core/errors.ts CoreErrorCode): what a client of
 * its face can switch on. test/architecture/error-codes.test.ts keeps this list equal to the codes thrown.
 */
export type MailErrorCode =
  | 'bad_domain'
  | 'bad_local_part'
  | 'bad_recipient'
  | 'bad_schedule'
  | 'bad_tenant'
  | 'cannot_send'
  | 'domain_exists'
  | 'domain_from_config'
  | 'domain_in_use'
  | 'domain_not_found'
  | 'email_not_found'
  | 'empty_message'
  | 'guest_read_only'
  | 'invalid_credentials'
  | 'mail_failed'
  | 'mailbox_exists'
  | 'mailbox_not_found'
  | 'mailbox_only'
  | 'mailbox_quota_reached'
  | 'malformed_message'
  | 'no_recipients'
  | 'no_such_mailbox'
  | 'no_tenant'
  | 'not_assigned'
  | 'not_scheduled'
  | 'other_tenant'
  | 'parse_failed'
  | 'parse_timeout'
  | 'parse_unavailable'
  | 'sent_not_found'
  | 'too_many_recipients'
  | 'too_many_waits'
  | 'user_not_found'
  | 'username_taken'
  | 'wrong_password';

declare module 'plinth/plugin' {
  interface Cradle {
    /** The SMTP port actually listened on (0 in config picks a free one). */
    smtpPort: number;
    mailCodes: MailCodeWaiter;
  }
}

/** mail's events by name, their payload types derived from the schemas in events.ts (handlers and emit calls get them by name). */
export type MailEventPayloads = PayloadsOf<typeof mailEvents>;
export type MailEventName = keyof MailEventPayloads;

declare module 'plinth/plugin' {
  interface EventPayloads extends MailEventPayloads {}
}
