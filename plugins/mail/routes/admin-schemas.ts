/** The temp-mail face's strictAdmin schemas: its users (seed 003 §用户管理) and the mail domains (beside the seed). */
import { arrayOf, body, bool, int, nullable, reply, str } from 'plinth/plugin';
import { MAX_MAILBOX_HOURS } from '../config.js';
import { address, flag, password, seedTime, username } from './schemas.js';

// Users

/** A user's number (the seed's integer `id`; nine digits at most) or, as before, their UUID. */
export const userIdParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: '^([1-9]\\d{0,8}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$' } },
};
/** A new name: 3–64 letters, digits, `_`, `.` or `-` (sign-in by name is case-insensitive). */
const newUsername = { type: 'string', pattern: '^[A-Za-z0-9_.-]{3,64}$' };
const seedRole = { enum: ['user', 'admin'] };

export const usersQuery = {
  type: 'object',
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: 100, default: 50 },
    offset: { type: 'integer', minimum: 0, default: 0 },
    sort: { enum: ['asc', 'desc'], default: 'desc' },
  },
};
export const createUserBody = body(
  { username: newUsername, password, role: { ...seedRole, default: 'user' }, mailboxLimit: { type: 'integer', minimum: 0, maximum: 100000, default: 10 } },
  ['username', 'password'],
);
export const updateUserBody = body(
  { username: newUsername, password, mailboxLimit: { type: 'integer', minimum: 0, maximum: 100000 }, can_send: { enum: [0, 1, true, false] }, role: seedRole },
  [],
  { minProperties: 1 },
);
export const assignBody = body({ username, address }, ['username', 'address']);

/** A platform user as the seed shows one: `id` is their number; `username` is the user's email when it has no username (null when it has neither). */
export const userView = reply({
  id: int,
  username: nullable(str),
  role: seedRole,
  mailbox_limit: int,
  can_send: flag,
  mailbox_count: int,
  created_at: seedTime,
});
export const usersReply = arrayOf(userView);
export const userMailboxesReply = arrayOf(reply({ address: str, created_at: seedTime, is_pinned: flag }));

// Domains

export const domainParams = { type: 'object', required: ['domain'], properties: { domain: { type: 'string', minLength: 1, maxLength: 300 } } };
export const addDomainBody = body(
  {
    domain: { type: 'string', minLength: 1, maxLength: 300 },
    tenant_id: { type: ['string', 'null'], format: 'uuid' },
    mailbox_hours: { type: ['integer', 'null'], minimum: 1, maximum: MAX_MAILBOX_HOURS },
  },
  ['domain'],
);

/** A domain: from config (read-only here) or added; offered to every tenant (tenant_id null) or to one. */
export const domainView = reply({
  domain: str,
  tenant_id: nullable(str),
  /** Mailbox lifetime at this domain; null: settings.mail.mailboxLifetimeHours. */
  mailbox_hours: nullable(int),
  source: { enum: ['config', 'database'] },
  read_only: bool,
  mailboxes: int,
  /** When it was added; null for config domains. */
  created_at: nullable(seedTime),
});
export const domainListReply = arrayOf(domainView);
