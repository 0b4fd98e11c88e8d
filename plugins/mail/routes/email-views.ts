// Beside the seed's /api/email/:id: a message's headers and source, and search across mail (the
// Inbox page's Headers and Source tabs and its search box). Same envelope and scope as the seed's reads.
import { requireScope } from 'plinth/plugin';
import { paginationQuery } from 'plinth/plugin';
import type { PluginRouter } from 'plinth/plugin';
import { arrayOf, int, pageOf, reply, str } from 'plinth/plugin';
import { SEARCH_FIELDS, type SearchField } from '../services/email-views.js';
import type { MailServices } from '../services/index.js';
import { emailIdParams, summaryFields } from './email-schemas.js';
import { address } from './schemas.js';
import { scopeFrom } from './scope.js';
import { seedTimes } from './seed-time.js';
import type { MailErrorCode } from '../api.js';

/** The longest search text: past it, 400 (a LIKE pattern of megabytes helps no one). */
export const SEARCH_MAX = 200;

const searchQuery = {
  type: 'object',
  required: ['q'],
  properties: {
    q: { type: 'string', minLength: 1, maxLength: SEARCH_MAX },
    /** Where to look: from (address and name), to, subject, text, or all of them. */
    in: { enum: [...SEARCH_FIELDS], default: 'all' },
    /** One mailbox; without it, every mailbox the caller sees. */
    mailbox: address,
    ...paginationQuery,
  },
};
const searchHit = reply({ ...summaryFields, mailbox: str, to_addrs: str });
const headersReply = reply({ id: int, headers: arrayOf(reply({ name: str, value: str })) });
const sourceQuery = { type: 'object', properties: { max_bytes: { type: 'integer', minimum: 1024 } } };
const plainText = { contentType: 'text/plain', schema: { type: 'string' } };

export function emailViewRoutes(r: PluginRouter<MailErrorCode>, s: MailServices): void {
  const use = [requireScope('mail:use')];

  r.get(
    '/api/emails/search',
    {
      errors: { 404: ['mailbox_not_found'] },
      summary: 'Search mail by from, to, subject and text (case-insensitive substring), newest first, a page at a time',
      guards: use,
      schema: { query: searchQuery, responses: { 200: { description: 'One page of matching messages', schema: pageOf(searchHit) } } },
    },
    async (ctx, { query }) => {
      const page = await s.emails.search(
        await scopeFrom(ctx),
        { q: query.q, field: query.in as SearchField, address: query.mailbox },
        { page: query.page, page_size: query.page_size },
      );
      return { ...page, items: seedTimes(page.items) };
    },
  );

  r.get(
    '/api/email/:id/headers',
    {
      errors: { 404: ['email_not_found'] },
      summary: 'A message’s headers, in received order (folded values unfolded, encoded words as sent)',
      guards: use,
      schema: { params: emailIdParams, responses: { 200: { description: 'Name and value of each header line', schema: headersReply } } },
    },
    async (ctx, { params }) => ({ id: params.id, headers: await s.emails.headers(await scopeFrom(ctx), params.id) }),
  );

  r.get(
    '/api/email/:id/source',
    {
      errors: { 404: ['email_not_found'] },
      summary: 'The raw message as text (the bytes as received); max_bytes shows only its start',
      guards: use,
      schema: {
        params: emailIdParams,
        query: sourceQuery,
        responses: { 200: { description: 'The source; X-Source-Size gives the whole size, X-Source-Truncated: 1 when cut', ...plainText } },
      },
    },
    async (ctx, { params, query }) => {
      const raw = await s.emails.raw(await scopeFrom(ctx), params.id);
      const cut = query.max_bytes !== undefined && raw.length > query.max_bytes;
      ctx.type = 'text/plain';
      ctx.set('X-Source-Size', String(raw.length));
      if (cut) ctx.set('X-Source-Truncated', '1');
      return cut ? raw.subarray(0, query.max_bytes) : raw;
    },
  );
}
