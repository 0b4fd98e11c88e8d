import { AppError } from '../../../core/errors.js';
import type { HttpContext } from '../../../core/http/context.js';
import type { PluginRouter, RouteRateLimit } from '../../../core/http/router.js';
import type { FieldError } from '../../../core/validation.js';
import { entryCreateSchema, entryUpdateSchema } from '../services/knowledge-entry.js';
import { IMPORT_LIMITS } from '../services/knowledge-import.js';
import type { KnowledgeBase } from '../services/knowledge.js';
import { manage, ok, pageQuery, read, tenantAdmin, tenantUser } from './shared.js';

// PostgreSQL's integer: a bigger id is not found rather than a database error.
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'integer', minimum: 1, maximum: 2147483647 } } };

const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...pageQuery,
    q: { type: 'string', maxLength: 200, description: 'text in the question, answer or keywords' },
    kind: { enum: ['faq', 'keyword'] },
  },
};

// Both fields are required for a JSON body; a raw text/csv body (no JSON at all) needs neither.
const importBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    format: { enum: ['csv', 'json'] },
    content: {
      type: 'string',
      description: 'csv: a header row (question,answer[,keywords,kind,priority,enabled]) and a row per entry; json: an array of entries',
    },
  },
};

export interface KnowledgeRouteOptions {
  /** The builtin responder's threshold (settings.minScore), for the match endpoint. */
  minScore?: number;
  rateLimit?: RouteRateLimit;
}

/**
 * Beside the seed, in its style: a tenant's knowledge base for the builtin responder. Any user of
 * the tenant reads it; its owners and admins change it.
 */
export function knowledgeRoutes(r: PluginRouter, kb: KnowledgeBase, options: KnowledgeRouteOptions = {}): void {
  const rateLimit = options.rateLimit ?? { bucket: 'ai.knowledge', points: 600, durationSeconds: 60, by: 'principal' };
  const minScore = options.minScore ?? 1;

  r.get(
    '/api/ai/knowledge',
    { summary: 'Knowledge-base entries, newest first', guards: read, rateLimit, schema: { query: listQuery } },
    async (ctx, { query }) => ok(await kb.list((await tenantUser(ctx)).tenantId, query)),
  );
  r.get('/api/ai/knowledge/:id', { summary: 'One knowledge-base entry', guards: read, rateLimit, schema: { params: idParams } }, async (ctx, { params }) =>
    ok(await kb.get((await tenantUser(ctx)).tenantId, params.id)),
  );
  r.post(
    '/api/ai/knowledge',
    { summary: 'Add a knowledge-base entry', guards: manage, rateLimit, schema: { body: entryCreateSchema } },
    async (ctx, { body }) => ok(await kb.create((await tenantAdmin(ctx)).tenantId, body), 'created'),
  );
  r.put(
    '/api/ai/knowledge/:id',
    { summary: 'Change a knowledge-base entry (the fields given)', guards: manage, rateLimit, schema: { params: idParams, body: entryUpdateSchema } },
    async (ctx, { params, body }) => ok(await kb.update((await tenantAdmin(ctx)).tenantId, params.id, body), 'updated'),
  );
  r.delete(
    '/api/ai/knowledge/:id',
    { summary: 'Delete a knowledge-base entry', guards: manage, rateLimit, schema: { params: idParams } },
    async (ctx, { params }) => {
      await kb.remove((await tenantAdmin(ctx)).tenantId, params.id);
      return ok(null, 'deleted');
    },
  );

  r.post(
    '/api/ai/knowledge/import',
    {
      summary: 'Import entries from CSV or JSON ({format, content}, or a text/csv body): valid rows are added, the others reported by row',
      guards: manage,
      rateLimit,
      schema: { body: importBody },
    },
    async (ctx, { body }) => {
      const { tenantId } = await tenantAdmin(ctx);
      const raw = ctx.is('text/csv', 'application/csv') ? await readText(ctx, IMPORT_LIMITS.bytes) : null;
      if (raw === null) {
        const missing: FieldError[] = ['format', 'content'].filter((f) => body[f] === undefined).map((f) => ({ path: `body.${f}`, message: 'is required' }));
        if (missing.length) throw AppError.validation(missing, 400);
      }
      const report = await kb.import(tenantId, raw === null ? body.format : 'csv', raw ?? body.content);
      return ok(report, `imported ${report.imported} of ${report.imported + report.failed} entries`);
    },
  );

  r.post(
    '/api/ai/knowledge/match',
    {
      summary: 'What the builtin responder would answer, with scores (keyword rules first, then the best-ranked entries)',
      guards: read,
      rateLimit,
      schema: {
        body: { type: 'object', required: ['text'], additionalProperties: false, properties: { text: { type: 'string', minLength: 1, maxLength: 2000 } } },
      },
    },
    async (ctx, { body }) => {
      const { tenantId } = await tenantUser(ctx);
      const match = await kb.match(tenantId, body.text, minScore);
      const { ranking } = await kb.explain(tenantId, body.text);
      return ok({ match, minScore, ranking: ranking.map(({ id, question, score }) => ({ id, question, score })) });
    },
  );
}

/** The raw request body as UTF-8 (the body parser leaves text/csv alone), refused past `limit` bytes. */
async function readText(ctx: HttpContext, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      // The rest of the body stays unread, so this connection cannot carry another request.
      throw new AppError(413, 'payload_too_large', `the CSV is larger than ${limit / 1024 / 1024} MB; split it into several imports`, {
        headers: { Connection: 'close' },
      });
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
