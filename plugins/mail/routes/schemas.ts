/**
 * The temp-mail face's route schemas (seed 003), shared fragments and the mailbox, settings and
 * session routes; emails, sending and the admin routes have modules of their own beside this one.
 * Replies are documented as the routes return them (the face has no success envelope), and
 * checkReplies holds every reply to them in the tests.
 */
import { AppError } from 'plinth/plugin';
import { arrayOf, body, bool, int, nullable, reply, str } from 'plinth/plugin';

// Fragments

/** A mailbox address as the caller names it (matched case-insensitively). */
export const address = { type: 'string', minLength: 3, maxLength: 320 };
export const email = { type: 'string', format: 'email', maxLength: 320 };
export const password = { type: 'string', minLength: 1, maxLength: 1024 };
/** The seed's timestamps: `2024-01-01 00:00:00`, UTC (seed-time.ts). */
export const seedTime = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}$', examples: ['2024-01-01 00:00:00'] };
/** The seed's flags are 0 / 1, not booleans. */
export const flag = { enum: [0, 1] };
/** A mail-face username: as signed in with, or a platform user's email. */
export const username = { type: 'string', minLength: 1, maxLength: 320 };

const yes = { const: true };
/** `{ "success": true }`. */
export const done = reply({ success: yes });
/** `{ "success": true, "deleted": true }`. */
export const deleted = reply({ success: yes, deleted: yes });

const forwardTo = { type: ['string', 'null'], anyOf: [{ ...email }, { type: 'null' }] };
const mailboxIds = { type: 'array', minItems: 1, maxItems: 500, items: { type: 'integer', minimum: 1 } };
const addresses = { type: 'array', minItems: 1, maxItems: 500, items: address };
/** A day as `YYYY-MM-DD` (UTC). */
export const day = { type: 'string', format: 'date' };

/** The seed's batch reply: one result per mailbox named, by id (`mailbox_id`) or by address. */
const batchReply = (key: 'mailbox_id' | 'address') =>
  reply({
    success: bool,
    success_count: int,
    fail_count: int,
    total: int,
    results: arrayOf(reply({ [key]: key === 'address' ? str : int, success: bool, updated: bool, error: str }, ['error'])),
  });
export const byIdReply = batchReply('mailbox_id');
export const byAddressReply = batchReply('address');

// Session: /api/login, /api/logout, /api/session, /api/user/quota, mailbox passwords

export const loginBody = body({ username, password }, ['username', 'password']);
export const loginReply = reply(
  {
    success: yes,
    /** strictAdmin signs in as the seed's `admin` (with `strictAdmin: true`). */
    role: { enum: ['admin', 'user', 'mailbox', 'guest'] },
    strictAdmin: bool,
    can_send: flag,
    /** 9999: no limit (administrators), as the seed's admin login shows it (the quota's `limit` says -1). */
    mailbox_limit: int,
    /** A mailbox sign-in: its address. */
    mailbox: str,
  },
  ['strictAdmin', 'mailbox'],
);

/** GET /api/session with nobody signed in (a 401). */
export const signedOutReply = reply({ authenticated: { const: false } });
export const sessionReply = reply({ authenticated: yes, role: { enum: ['admin', 'user', 'mailbox', 'guest'] }, username: str, strictAdmin: bool });

/** -1 (administrators, with a `note`): no limit. */
export const quotaReply = reply({ limit: int, used: int, remaining: int, note: str }, ['note']);

export const ownPasswordBody = body({ currentPassword: password, newPassword: password }, ['currentPassword', 'newPassword']);
export const ownPasswordReply = reply({ success: yes, message: str });
/**
 * Seed 003's parameter tables say `address` without saying where (pin, reset-password): a POST takes
 * it from the JSON body or the query string (the body's wins when both are given).
 */
export const addressEither = { body: body({ address }), query: { type: 'object', properties: { address } } };
/** The address of an `addressEither` request; neither given is the 400 a missing field is. */
export function addressOf(input: { body: { address?: string }; query: { address?: string } }): string {
  const given = input.body.address ?? input.query.address;
  if (given === undefined) throw AppError.validation([{ path: 'body.address', message: 'is required (in the JSON body, or as ?address=)' }], 400);
  return given;
}
export const setPasswordBody = body({ address, new_password: password }, ['address', 'new_password']);
export const toggleLoginBody = body({ address, can_login: { type: 'boolean' } }, ['address', 'can_login']);
export const toggleLoginReply = reply({ success: yes, can_login: bool });
export const batchToggleLoginBody = body({ addresses, can_login: { type: 'boolean' } }, ['addresses', 'can_login']);

// Mailboxes: /api/domains, /api/generate, /api/create, /api/mailboxes, /api/stats/received-daily

export const domainsReply = arrayOf(str);

export const generateQuery = {
  type: 'object',
  properties: { length: { type: 'integer', minimum: 6, maximum: 32, default: 10 }, domainIndex: { type: 'integer', minimum: 0, default: 0 } },
};
export const createBody = body({ local: { type: 'string', minLength: 1, maxLength: 64 }, domainIndex: { type: 'integer', minimum: 0, default: 0 } }, ['local']);
/** The new mailbox and when it expires (epoch milliseconds, as the seed writes it). */
export const newMailboxReply = reply({ email: str, expires: int });

export const receivedDailyQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    days: { type: 'integer', minimum: 1, maximum: 366, default: 30 },
    tz: { type: 'string', maxLength: 64, description: "The days' time zone (IANA, e.g. Asia/Shanghai; the browser's), UTC by default" },
  },
};
export const receivedDailyReply = reply({ days: arrayOf(reply({ date: day, received: int })) });

export const mailboxesQuery = {
  type: 'object',
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
    offset: { type: 'integer', minimum: 0, default: 0 },
    domain: { type: 'string', maxLength: 255 },
    favorite: { type: 'boolean' },
    forward: { type: 'boolean' },
    search: { type: 'string', maxLength: 100 },
  },
};

/** A mailbox in the seed's list; `expires` is `expires_at` in epoch milliseconds (null only for rows from before every mailbox had a lifetime). */
export const mailboxView = reply({
  id: int,
  address: str,
  created_at: seedTime,
  expires_at: nullable(seedTime),
  expires: nullable(int),
  is_pinned: flag,
  password_is_default: flag,
  can_login: flag,
  forward_to: nullable(str),
  is_favorite: flag,
  last_received_at: nullable(seedTime),
});
export const mailboxesReply = arrayOf(mailboxView);

export const addressQuery = { type: 'object', required: ['address'], properties: { address } };

// Settings: pin, favorite, forward and their batch forms

export const pinReply = reply({ success: yes, pinned: bool });
const mailboxId = { type: 'integer', minimum: 1 };
const isFavorite = { type: 'boolean' };
export const forwardBody = body({ mailbox_id: mailboxId, forward_to: forwardTo }, ['mailbox_id', 'forward_to']);
export const favoriteBody = body({ mailbox_id: mailboxId, is_favorite: isFavorite }, ['mailbox_id', 'is_favorite']);
export const batchFavoriteBody = body({ mailbox_ids: mailboxIds, is_favorite: isFavorite }, ['mailbox_ids', 'is_favorite']);
export const batchForwardBody = body({ mailbox_ids: mailboxIds, forward_to: forwardTo }, ['mailbox_ids', 'forward_to']);
export const batchFavoriteByAddressBody = body({ addresses, is_favorite: isFavorite }, ['addresses', 'is_favorite']);
export const batchForwardByAddressBody = body({ addresses, forward_to: forwardTo }, ['addresses', 'forward_to']);
