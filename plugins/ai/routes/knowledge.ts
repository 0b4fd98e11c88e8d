import { AppError } from 'plinth/plugin';
import type { HttpContext } from 'plinth/plugin';
import type { PluginRouter, RouteRateLimit } from 'plinth/plugin';
import type { FieldError } from 'plinth/plugin';
import { AiErrors } from '../services/errors.js';
import { IMPORT_LIMITS } from '../services/knowledge-import.js';
import type { KnowledgeBase } from '../services/knowledge.js';
import {
  createEntryBody,
  entryListQuery,
  entryListReply,
  entryParams,
  entryReply,
  importBody,
  importCsv,
  importReply,
  matchBody,
  matchReply,
  noData,
  updateEntryBody,
} from './schemas.js';
import { manage, ok, read, tenantAdmin, tenantUser } from './shared.js';
import type { AiErrorCode } from '../api.js';

export interface KnowledgeRouteOptions {
  /** The builtin responder's threshold (settings.minScore), for the match endpoint. */
  minScore?: number;
  rateLimit?: RouteRateLimit;
}

/**
 * Beside the seed, in its style: a tenant's knowledge base for the builtin responder. Any user of
 * the tenant reads it; its owners and admins change it.
 */
export function knowledgeRoutes(r: PluginRouter<AiErrorCode>, kb: KnowledgeBase, options: KnowledgeRouteOptions = {}): void {
  const rateLimit = options.rateLimit ?? { bucket: 'ai.knowledge', points: 600, durationSeconds: 60, by: 'principal' };
  const minScore = options.minScore ?? 1;

  r.get(
    '/api/ai/knowledge',
    {
      errors: { 403: ['tenant_required'] },
      summary: 'Knowledge-base entries, newest first',
      guards: read,
      rateLimit,
      schema: { query: entryListQuery, responses: { 200: { description: 'A page of entries', schema: entryListReply } } },
    },
    async (ctx, { query }) => ok(await kb.list((await tenantUser(ctx)).tenantId, query)),
  );
  r.get(
    '/api/ai/knowledge/:id',
    {
      errors: { 404: ['knowledge_entry_not_found'] },
      summary: 'One knowledge-base entry',
      guards: read,
      rateLimit,
      schema: { params: entryParams, responses: { 200: { description: 'The entry', schema: entryReply } } },
    },
    async (ctx, { params }) => ok(await kb.get((await tenantUser(ctx)).tenantId, params.id)),
  );
  r.post(
    '/api/ai/knowledge',
    {
      summary: 'Add a knowledge-base entry',
      guards: manage,
      rateLimit,
      schema: { body: createEntryBody, responses: { 200: { description: 'The new entry', schema: entryReply } } },
    },
    async (ctx, { body }) => ok(await kb.create((await tenantAdmin(ctx)).tenantId, body), 'created'),
  );
  r.put(
    '/api/ai/knowledge/:id',
    {
      errors: { 404: ['knowledge_entry_not_found'] },
      summary: 'Change a knowledge-base entry (the fields given)',
      guards: manage,
      rateLimit,
      schema: { params: entryParams, body: updateEntryBody, responses: { 200: { description: 'The entry as changed', schema: entryReply } } },
    },
    async (ctx, { params, body }) => ok(await kb.update((await tenantAdmin(ctx)).tenantId, params.id, body), 'updated'),
  );
  r.delete(
    '/api/ai/knowledge/:id',
    {
      errors: { 404: ['knowledge_entry_not_found'] },
      summary: 'Delete a knowledge-base entry',
      guards: manage,
      rateLimit,
      schema: { params: entryParams, responses: { 200: { description: 'Deleted', schema: noData } } },
    },
    async (ctx, { params }) => {
      await kb.remove((await tenantAdmin(ctx)).tenantId, params.id);
      return ok(null, 'deleted');
    },
  );

  r.post(
    '/api/ai/knowledge/import',
    {
      errors: { 409: ['knowledge_base_full'] },
      summary: 'Import entries from CSV or JSON ({format, content}, or a text/csv body): valid rows are added, the others reported by row',
      guards: manage,
      rateLimit,
      // A JSON body, or the CSV itself as text/csv.
      schema: {
        body: importBody,
        rawBody: importCsv,
        responses: { 200: { description: 'How many entries were added, and the rows refused', schema: importReply } },
      },
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
      schema: { body: matchBody, responses: { 200: { description: 'The answer and the ranking behind it', schema: matchReply } } },
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
      throw AiErrors.csvTooLarge(limit);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
