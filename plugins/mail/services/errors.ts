// From plinth/plugin/errors, not plinth/plugin: the parse worker (prepare-message.ts) throws these too.
import { AppError, type CoreErrorCode } from 'plinth/plugin/errors';
import type { MailErrorCode } from '../api.js';

/** A mail error: its code one of mail's (api.ts) or the core's, so no other code compiles. */
export type MailError = AppError<MailErrorCode | CoreErrorCode>;

/**
 * Every coded error the mail plugin throws, by what happened: a throw site reads
 * `throw MailErrors.mailboxNotFound()`, and what a client can meet is read here.
 * The core's generic helpers without a code (`AppError.notFound('…')`, `AppError.validation`) stay at their sites.
 */
export const MailErrors = {
  // Who may do what.
  guestReadOnly: () => new AppError(403, 'guest_read_only', 'the guest account is read-only sample data'),
  guestSeesSamplesOnly: () => new AppError(403, 'guest_read_only', 'the guest account only sees sample data'),
  cannotSend: () => new AppError(403, 'cannot_send', 'this account may not send mail (can_send is off)'),
  mailboxOnly: () => new AppError(403, 'mailbox_only', 'sign in with the mailbox address to change its password'),
  mailboxHasOnlyItsOwn: () => new AppError(403, 'mailbox_only', 'a mailbox account only has its own mailbox'),
  mailboxCannotDelete: () => new AppError(403, 'mailbox_only', 'a mailbox account cannot delete mailboxes'),
  credentialsWrong: () => new AppError(401, 'invalid_credentials', 'wrong username or password'),
  passwordWrong: () => new AppError(403, 'wrong_password', 'the current password is wrong'),

  // Mailboxes, users and domains.
  mailboxNotFound: (address?: string) => new AppError(404, 'mailbox_not_found', address === undefined ? 'mailbox not found' : `mailbox ${address} not found`),
  mailboxExists: (address: string) => new AppError(409, 'mailbox_exists', `${address} already exists`),
  mailboxQuotaReached: (has: number, limit: number) => new AppError(403, 'mailbox_quota_reached', `you already have ${has} of your ${limit} mailboxes`),
  mailboxOfOtherTenant: (address: string) => new AppError(409, 'other_tenant', `mailbox ${address} belongs to another tenant`),
  mailboxNotAssigned: (address: string, username: string) => new AppError(404, 'not_assigned', `mailbox ${address} is not assigned to ${username}`),
  localPartInvalid: () => new AppError(400, 'bad_local_part', 'local must be 1–64 letters, digits, dots, dashes, underscores or plus signs'),
  userNotFound: (username: string) => new AppError(404, 'user_not_found', `user ${username} not found`),
  usernameTaken: (name: string) => new AppError(409, 'username_taken', `the username ${name} is taken`),
  noPlatformTenant: () => new AppError(409, 'no_tenant', 'there is no platform tenant to put the user in'),
  tenantUnknown: (id: string) => new AppError(400, 'bad_tenant', `tenant_id ${id} is not a tenant`),
  domainInvalid: (why: string) => new AppError(400, 'bad_domain', `domain ${why}`),
  domainIndexOutOfRange: (max: number) => new AppError(400, 'bad_domain', `domainIndex must be between 0 and ${max}`),
  domainExists: (name: string, fromConfig = false) =>
    new AppError(409, 'domain_exists', `domain ${name} already exists${fromConfig ? ' (it comes from config)' : ''}`),
  domainFromConfig: (name: string) =>
    new AppError(
      409,
      'domain_from_config',
      `domain ${name} comes from config (settings.mail.domains, PLINTH_MAIL_DOMAINS, or the host of server.publicUrl when neither is set); change it there`,
    ),
  domainNotFound: (name: string) => new AppError(404, 'domain_not_found', `domain ${name} not found`),
  domainInUse: (name: string, mailboxes: number) =>
    new AppError(409, 'domain_in_use', `domain ${name} still has ${mailboxes} mailbox${mailboxes === 1 ? '' : 'es'}; delete them first`, {
      details: { mailboxes },
    }),

  // Received mail.
  emailNotFound: (id: number | string) => new AppError(404, 'email_not_found', `email ${id} not found`),
  tooManyWaits: (max: number) =>
    new AppError(429, 'too_many_waits', `too many waits at once: at most ${max} per account; end one first`, { headers: { 'Retry-After': '1' } }),
  messageTooLarge: (limit: number) => new AppError(413, 'payload_too_large', `message exceeds the size limit of ${limit} bytes`),
  rawMessageEmpty: () => new AppError(400, 'empty_message', 'the body must be a raw RFC 822 message'),
  noRecipientMailbox: () => new AppError(422, 'no_such_mailbox', 'no recipient of this message has a mailbox here'),
  messageMalformed: (reason: string) => new AppError(422, 'malformed_message', `malformed message: ${reason}`),
  parseTimedOut: () => new AppError(503, 'parse_timeout', 'the message took too long to parse; try again later'),
  parserUnavailable: (why: string) => new AppError(503, 'parse_unavailable', `${why}; try again later`),
  /** The parse worker's error, carried across the thread: prepare-message.ts threw it from this catalogue (or parse_failed). */
  parsedInWorker: (error: { status: number; code: string; message: string }) =>
    new AppError(error.status, error.code as MailErrorCode | CoreErrorCode, error.message),

  // Sending.
  relayRefused: (sentId: string | number) => new AppError(502, 'mail_failed', `the relay refused the message (${sentId})`),
  bodyMissing: () => new AppError(400, 'empty_message', 'give html or text'),
  noRecipients: () => new AppError(400, 'no_recipients', 'give at least one recipient'),
  recipientInvalid: (given: string) => new AppError(400, 'bad_recipient', `not an email address: ${JSON.stringify(given.slice(0, 100))}`),
  tooManyRecipients: (max: number) => new AppError(400, 'too_many_recipients', `at most ${max} recipients per message`),
  scheduleNotADate: () => new AppError(400, 'bad_schedule', 'scheduledAt is not a date'),
  scheduleNotInFuture: () => new AppError(400, 'bad_schedule', 'scheduledAt must be a date in the future'),
  sentNotFound: (id: number | string) => new AppError(404, 'sent_not_found', `sent message ${id} not found`),
  notScheduled: (status: string) => new AppError(409, 'not_scheduled', `this message is ${status}; only a scheduled send can change`),
  justSent: () => new AppError(409, 'not_scheduled', 'this message has just been sent'),
} satisfies Record<string, (...args: never[]) => MailError>;
