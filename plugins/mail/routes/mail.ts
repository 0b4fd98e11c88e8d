import { requireRole, requireScope, timeZoneOf } from 'plinth/plugin';
import type { PluginRouter } from 'plinth/plugin';
import { scopeFrom } from './scope.js';
import type { MailServices } from '../services/index.js';
import type { MailSettings } from '../config.js';
import { seedTime, seedTimes } from './seed-time.js';
import { emailViewRoutes } from './email-views.js';
import {
  addressQuery,
  createBody,
  deleted,
  domainsReply,
  generateQuery,
  mailboxesQuery,
  mailboxesReply,
  newMailboxReply,
  receivedDailyQuery,
  receivedDailyReply,
} from './schemas.js';
import {
  batchQuery,
  batchReply,
  clearedReply,
  emailDeletedReply,
  emailIdParams,
  emailReply,
  emailsQuery,
  emailsReply,
  mailboxQuery,
  rawMessage,
  receivedReply,
  receiveQuery,
  waitQuery,
} from './email-schemas.js';
import type { MailErrorCode } from '../api.js';
// The face also answers auth's codes: a credential's refusals come from auth's chain.
import type { AuthErrorCode } from '../../auth/api.js';

/** The seed's `expires`: epoch milliseconds (null only for rows made before every mailbox had a lifetime). */
const expiresMs = (m: { expires_at: string | null }) => (m.expires_at ? Date.parse(m.expires_at) : null);

const mailboxView = (m: Awaited<ReturnType<MailServices['mailboxes']['get']>>) => ({
  id: m.id,
  address: m.address,
  created_at: seedTime(m.created_at),
  expires_at: m.expires_at === null ? null : seedTime(m.expires_at),
  expires: expiresMs(m),
  is_pinned: m.is_pinned ? 1 : 0,
  password_is_default: m.password_is_default ? 1 : 0,
  can_login: m.can_login ? 1 : 0,
  forward_to: m.forward_to,
  is_favorite: m.is_favorite ? 1 : 0,
  last_received_at: m.last_received_at === null ? null : seedTime(m.last_received_at),
});

export function mailRoutes(r: PluginRouter<MailErrorCode | AuthErrorCode>, s: MailServices, settings: MailSettings): void {
  const use = [requireScope('mail:use')];

  r.get(
    '/api/domains',
    {
      summary: 'Domains mailboxes can be made at (domainIndex counts in this list)',
      guards: use,
      schema: { responses: { 200: { description: 'Domain names, in domainIndex order', schema: domainsReply } } },
    },
    async (ctx) => (await s.domains.offeredTo(await scopeFrom(ctx))).map((d) => d.name),
  );

  r.get(
    '/api/generate',
    {
      errors: { 400: ['bad_domain'], 402: ['usage_limit_reached'], 403: ['mailbox_only', 'mailbox_quota_reached'] },
      summary: 'A random temporary mailbox',
      guards: use,
      schema: { query: generateQuery, responses: { 200: { description: 'The new mailbox', schema: newMailboxReply } } },
    },
    async (ctx, { query }) => {
      const scope = await scopeFrom(ctx);
      const m = await s.mailboxes.generate(scope, query.length, await s.domains.at(scope, query.domainIndex));
      return { email: m.address, expires: expiresMs(m) };
    },
  );

  r.post(
    '/api/create',
    {
      errors: {
        400: ['bad_domain', 'bad_local_part'],
        401: ['invalid_token'],
        402: ['usage_limit_reached'],
        403: ['mailbox_only', 'mailbox_quota_reached'],
        409: ['mailbox_exists'],
      },
      summary: 'A mailbox with a chosen name',
      guards: use,
      schema: { body: createBody, responses: { 200: { description: 'The new mailbox', schema: newMailboxReply } } },
    },
    async (ctx, { body }) => {
      const scope = await scopeFrom(ctx);
      const m = await s.mailboxes.create(scope, body.local, await s.domains.at(scope, body.domainIndex));
      return { email: m.address, expires: expiresMs(m) };
    },
  );

  // Beside the seed: mail received per day in the caller's mailboxes (the Mailboxes page's chart).
  r.get(
    '/api/stats/received-daily',
    {
      summary: 'Mail received per day over the last days (1–366, default 30), in the mailboxes the caller sees',
      guards: use,
      schema: {
        query: receivedDailyQuery,
        responses: { 200: { description: 'Every day of the range, oldest first (zeros included)', schema: receivedDailyReply } },
      },
    },
    async (ctx, { query }) => ({ days: await s.emails.receivedPerDay(await scopeFrom(ctx), query.days, timeZoneOf(query.tz)) }),
  );

  r.get(
    '/api/mailboxes',
    {
      summary: 'My mailboxes',
      guards: use,
      schema: { query: mailboxesQuery, responses: { 200: { description: 'Pinned first, then newest first', schema: mailboxesReply } } },
    },
    async (ctx, { query }) => (await s.mailboxes.list(await scopeFrom(ctx), query)).map(mailboxView),
  );

  r.delete(
    '/api/mailboxes',
    {
      errors: { 403: ['mailbox_only'], 404: ['mailbox_not_found'] },
      summary: 'Delete a mailbox and its mail',
      guards: use,
      schema: { query: addressQuery, responses: { 200: { description: 'Deleted', schema: deleted } } },
    },
    async (ctx, { query }) => {
      await s.mailboxes.remove(await scopeFrom(ctx), query.address);
      return { success: true, deleted: true };
    },
  );

  r.get(
    '/api/emails',
    {
      errors: { 404: ['mailbox_not_found'] },
      summary: 'Mail in a mailbox, newest first',
      guards: use,
      schema: { query: emailsQuery, responses: { 200: { description: 'At most `limit` messages', schema: emailsReply } } },
    },
    async (ctx, { query }) => seedTimes(await s.emails.list(await scopeFrom(ctx), query.mailbox, { limit: query.limit })),
  );

  r.get(
    '/api/emails/batch',
    {
      summary: 'Several messages’ metadata',
      guards: use,
      schema: {
        query: batchQuery,
        responses: { 200: { description: 'The messages found among `ids` (others are left out), newest first', schema: batchReply } },
      },
    },
    async (ctx, { query }) =>
      // The raw message is kept in the database, never in object storage: the seed's R2 fields are null.
      seedTimes(await s.emails.batch(await scopeFrom(ctx), query.ids.split(',').map(Number))).map((e) => ({ ...e, r2_bucket: null, r2_object_key: null })),
  );

  // Beside the seed: wait for new mail instead of polling (automation waiting for a code).
  r.get(
    '/api/emails/wait',
    {
      errors: { 404: ['mailbox_not_found'], 429: ['too_many_waits'] },
      summary: 'Long-poll for mail newer than `since`',
      guards: use,
      schema: {
        query: waitQuery(settings.longPollMaxSeconds),
        responses: { 200: { description: 'Messages newer than `since` (at most 50), or [] at the timeout', schema: emailsReply } },
      },
    },
    async (ctx, { query }) => {
      const aborted = new AbortController();
      ctx.req.once('close', () => aborted.abort());
      return seedTimes(await s.emails.wait(await scopeFrom(ctx), query.mailbox, query.since, query.timeout * 1000, aborted.signal));
    },
  );

  r.delete(
    '/api/emails',
    {
      errors: { 404: ['mailbox_not_found'] },
      summary: 'Empty a mailbox',
      guards: use,
      schema: { query: mailboxQuery, responses: { 200: { description: 'How many went', schema: clearedReply } } },
    },
    async (ctx, { query }) => ({
      success: true,
      deletedCount: await s.emails.clear(await scopeFrom(ctx), query.mailbox),
    }),
  );

  // The download link carries the face's base, so it works as given (the seed's form, without
  // `/mail`, answers 404 here).
  const base = r.base === '/' ? '' : r.base;
  r.get(
    '/api/email/:id',
    {
      errors: { 404: ['email_not_found'] },
      summary: 'One message',
      guards: use,
      schema: { params: emailIdParams, responses: { 200: { description: 'The message, now marked read', schema: emailReply } } },
    },
    async (ctx, { params }) => {
      const email = await s.emails.get(await scopeFrom(ctx), params.id);
      return { ...seedTimes(email), download: `${base}/api/email/${email.id}/download` };
    },
  );

  r.get(
    '/api/email/:id/download',
    {
      errors: { 404: ['email_not_found'] },
      summary: 'The raw message (message/rfc822)',
      guards: use,
      schema: { params: emailIdParams, responses: { 200: { description: 'The message exactly as received (an .eml attachment)', ...rawMessage } } },
    },
    async (ctx, { params }) => {
      const raw = await s.emails.raw(await scopeFrom(ctx), params.id);
      ctx.type = 'message/rfc822';
      ctx.set('Content-Disposition', `attachment; filename="${params.id}.eml"`);
      return raw;
    },
  );

  emailViewRoutes(r, s);

  r.delete(
    '/api/email/:id',
    {
      errors: { 404: ['email_not_found'] },
      summary: 'Delete one message',
      guards: use,
      schema: { params: emailIdParams, responses: { 200: { description: 'Deleted', schema: emailDeletedReply } } },
    },
    async (ctx, { params }) => {
      await s.emails.remove(await scopeFrom(ctx), params.id);
      return { success: true, deleted: true, message: 'email deleted' };
    },
  );

  // The seed's /receive: a raw RFC 822 message from an outside MTA or routing service, through the
  // same path as SMTP. Platform-level (it can reach any tenant's mailbox): superadmin / root token.
  r.post(
    '/receive',
    {
      errors: { 400: ['empty_message'], 422: ['malformed_message', 'no_such_mailbox'] },
      summary: 'Deliver a raw message (message/rfc822); recipients from ?to= or the headers',
      guards: [requireRole('superadmin')],
      schema: {
        query: receiveQuery,
        rawBody: rawMessage,
        responses: { 201: { description: 'Stored in every recipient mailbox found', schema: receivedReply } },
      },
    },
    async (ctx, { query }) => {
      const raw = await s.readRaw(ctx.req, settings.smtp.maxMessageBytes);
      const to = query.to
        ? String(query.to)
            .split(',')
            .map((a: string) => a.trim())
            .filter(Boolean)
        : null;
      const from = query.from ?? '';
      const stored = await (to ? s.ingest.receive(raw, to, from) : s.ingest.receiveByHeaders(raw, from));
      ctx.status = 201;
      return { success: true, stored: stored.map((x) => ({ id: x.id, mailbox: x.address })) };
    },
  );
}
