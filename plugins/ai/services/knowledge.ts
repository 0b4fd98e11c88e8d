import type { Knex } from 'knex';
import { LRUCache } from 'lru-cache';
import type { Clock } from 'plinth/plugin';
import { pageQuery } from 'plinth/plugin';
import { AppError } from 'plinth/plugin';
import type { Logger } from 'plinth/plugin';
import type { PubSub } from 'plinth/plugin';
import { checkEntry, toColumns, toView, type EntryFields, type KnowledgeEntry, type KnowledgeKind, type KnowledgeRow } from './knowledge-entry.js';
import { parseImport, type ImportFormat, type ImportRowError } from './knowledge-import.js';
import { TenantIndex, type KnowledgeHit } from './search-index.js';
import { AiErrors } from './errors.js';

export type { KnowledgeEntry, KnowledgeKind } from './knowledge-entry.js';
/** The entry that answers a question: `{ id, kind, question, answer, score, keyword? }`. */
export type KnowledgeMatch = KnowledgeHit;

export interface KnowledgeOptions {
  logger?: Pick<Logger, 'error'>;
  /** Tenants whose index stays in memory (least recently used go first)… */
  maxTenants?: number;
  /** …and the entries of all of them together, so a few huge knowledge bases cannot exhaust memory. */
  maxCachedEntries?: number;
  /** Entries per tenant. */
  maxEntries?: number;
  /** An index older than this is rebuilt in the background: the bound on staleness should a change's broadcast be lost. */
  refreshMs?: number;
}

export interface ListQuery {
  page: number;
  pageSize: number;
  q?: string;
  kind?: KnowledgeKind;
}

export interface ImportReport {
  imported: number;
  failed: number;
  errors: ImportRowError[];
}

const CHANNEL = 'ai.knowledge';

export interface KnowledgeBaseDeps extends KnowledgeOptions {
  db: Knex;
  clock: Clock;
  pubsub: PubSub;
}

const INSERT_CHUNK = 100; // rows per INSERT: 8 columns each stays far below SQLite's bound-parameter limit

/**
 * A tenant's knowledge base for the builtin responder: CRUD and import of its entries, and
 * `match`, which answers from an in-memory index of the tenant's enabled entries. The index is
 * built on first use and dropped on every instance when the tenant's entries change (pub/sub),
 * so each instance answers with what was last committed.
 */
export class KnowledgeBase {
  private readonly indexes: LRUCache<string, { index: TenantIndex; builtAt: number }>;
  /** Builds in flight, so concurrent questions share one; a change drops its tenant's build. */
  private readonly building = new Map<string, Promise<TenantIndex>>();
  private readonly maxEntries: number;
  private readonly refreshMs: number;

  constructor(private readonly deps: KnowledgeBaseDeps) {
    this.maxEntries = deps.maxEntries ?? 20_000;
    this.refreshMs = deps.refreshMs ?? 10 * 60_000;
    this.indexes = new LRUCache({
      max: deps.maxTenants ?? 100,
      maxSize: Math.max(deps.maxCachedEntries ?? 200_000, this.maxEntries),
      sizeCalculation: (v) => Math.max(1, v.index.size),
    });
  }

  async start(): Promise<void> {
    await this.deps.pubsub.subscribe(CHANNEL, (m) => this.drop(String(m.tenantId)));
  }

  async list(tenantId: string, query: ListQuery): Promise<{ total: number; list: KnowledgeEntry[] }> {
    const filtered = () => {
      const q = this.deps.db('ai_knowledge').where('tenant_id', tenantId);
      if (query.kind) q.where('kind', query.kind);
      if (query.q) {
        // LIKE wildcards in the text are literal; NUL is dropped (PostgreSQL refuses it in a string).
        const like = `%${query.q
          .toLowerCase()
          .replace(/\u0000/g, '')
          .replace(/[\\%_]/g, '\\$&')}%`;
        q.where((w) =>
          w
            .whereRaw("lower(question) like ? escape '\\'", [like])
            .orWhereRaw("lower(answer) like ? escape '\\'", [like])
            .orWhereRaw("lower(keywords) like ? escape '\\'", [like]),
        );
      }
      return q;
    };
    const found = await pageQuery(filtered().orderBy('id', 'desc'), { page: query.page, page_size: query.pageSize }, (r: KnowledgeRow) => toView(r));
    return { total: found.total, list: found.items };
  }

  async get(tenantId: string, id: number): Promise<KnowledgeEntry> {
    return toView(await this.row(tenantId, id));
  }

  async create(tenantId: string, input: unknown): Promise<KnowledgeEntry> {
    const entry = checked(input);
    await this.ensureRoom(tenantId, 1);
    const now = this.deps.clock.now().toISOString();
    const [inserted] = await this.deps
      .db('ai_knowledge')
      .insert({ tenant_id: tenantId, ...toColumns(entry), created_at: now, updated_at: now })
      .returning('id');
    await this.changed(tenantId);
    return { id: Number(typeof inserted === 'object' ? inserted.id : inserted), ...entry, createdAt: now, updatedAt: now };
  }

  /** Changes the given fields; the result must still be a valid entry (a keyword rule keeps a keyword). */
  async update(tenantId: string, id: number, patch: Partial<EntryFields>): Promise<KnowledgeEntry> {
    const current = toView(await this.row(tenantId, id));
    const { id: _id, createdAt, updatedAt: _u, ...fields } = current;
    const entry = checked({ ...fields, ...patch });
    const now = this.deps.clock.now().toISOString();
    const updated = await this.deps
      .db('ai_knowledge')
      .where({ tenant_id: tenantId, id })
      .update({ ...toColumns(entry), updated_at: now });
    if (!updated) throw AiErrors.knowledgeEntryNotFound(id); // deleted meanwhile
    await this.changed(tenantId);
    return { id, ...entry, createdAt, updatedAt: now };
  }

  async remove(tenantId: string, id: number): Promise<void> {
    const deleted = await this.deps.db('ai_knowledge').where({ tenant_id: tenantId, id }).delete();
    if (!deleted) throw AiErrors.knowledgeEntryNotFound(id);
    await this.changed(tenantId);
  }

  /** Adds every valid row in one transaction and reports the others by row; a bad file adds nothing. */
  async import(tenantId: string, format: ImportFormat, content: string): Promise<ImportReport> {
    const { entries, errors } = parseImport(format, content);
    if (entries.length) {
      await this.ensureRoom(tenantId, entries.length);
      const now = this.deps.clock.now().toISOString();
      const rows = entries.map((e) => ({ tenant_id: tenantId, ...toColumns(e), created_at: now, updated_at: now }));
      await this.deps.db.transaction(async (trx) => {
        for (let i = 0; i < rows.length; i += INSERT_CHUNK) await trx('ai_knowledge').insert(rows.slice(i, i + INSERT_CHUNK));
      });
      await this.changed(tenantId);
    }
    return { imported: entries.length, failed: errors.length, errors };
  }

  /** The best answer for `text`: keyword rules first, then the search ranking; null when nothing scores `minScore`. */
  async match(tenantId: string, text: string, minScore: number): Promise<KnowledgeMatch | null> {
    if (!text.trim()) return null;
    return (await this.index(tenantId)).match(text, minScore);
  }

  /** The keyword rule that fires and the best-ranked FAQ entries with their scores, whatever minScore says: for tuning. */
  async explain(tenantId: string, text: string, limit = 5): Promise<{ keywordRule: KnowledgeMatch | null; ranking: KnowledgeMatch[] }> {
    const index = await this.index(tenantId);
    return { keywordRule: index.keywordRule(text), ranking: index.rank(text, limit) };
  }

  private async row(tenantId: string, id: number): Promise<KnowledgeRow> {
    const row = await this.deps.db('ai_knowledge').where({ tenant_id: tenantId, id }).first();
    if (!row) throw AiErrors.knowledgeEntryNotFound(id);
    return row;
  }

  private async ensureRoom(tenantId: string, adding: number): Promise<void> {
    const [{ n }] = await this.deps.db('ai_knowledge').where('tenant_id', tenantId).count({ n: '*' });
    if (Number(n) + adding > this.maxEntries) {
      throw AiErrors.knowledgeBaseFull(this.maxEntries, Number(n), adding);
    }
  }

  private index(tenantId: string): Promise<TenantIndex> {
    const cached = this.indexes.get(tenantId);
    if (!cached) return this.rebuild(tenantId);
    if (performance.now() - cached.builtAt > this.refreshMs && !this.building.has(tenantId)) {
      this.rebuild(tenantId).catch((err) => this.deps.logger?.error({ err, tenantId }, 'could not refresh a knowledge-base index'));
    }
    return Promise.resolve(cached.index);
  }

  private rebuild(tenantId: string): Promise<TenantIndex> {
    const inFlight = this.building.get(tenantId);
    if (inFlight) return inFlight;
    const build = this.load(tenantId).then((entries) => TenantIndex.build(entries));
    this.building.set(tenantId, build);
    const settle = (index?: TenantIndex) => {
      // A change committed meanwhile dropped this build: its rows may predate the change.
      if (this.building.get(tenantId) !== build) return;
      this.building.delete(tenantId);
      if (index) this.indexes.set(tenantId, { index, builtAt: performance.now() });
    };
    build.then(settle, () => settle());
    return build;
  }

  private async load(tenantId: string) {
    const rows: KnowledgeRow[] = await this.deps
      .db('ai_knowledge')
      .where({ tenant_id: tenantId, enabled: true })
      .select('id', 'kind', 'question', 'answer', 'keywords', 'priority');
    return rows.map((r) => ({
      id: Number(r.id),
      kind: r.kind,
      question: r.question,
      answer: r.answer,
      keywords: JSON.parse(r.keywords) as string[],
      priority: Number(r.priority),
    }));
  }

  private drop(tenantId: string): void {
    this.indexes.delete(tenantId);
    this.building.delete(tenantId);
  }

  /** After a change has committed: forget the tenant's index here, and on the other instances. */
  private async changed(tenantId: string): Promise<void> {
    this.drop(tenantId);
    try {
      await this.deps.pubsub.publish(CHANNEL, { tenantId });
    } catch (err) {
      // The change itself is saved; the other instances catch up within refreshMs.
      this.deps.logger?.error({ err, tenantId }, 'could not broadcast a knowledge-base change');
    }
  }
}

function checked(input: unknown): EntryFields {
  const { entry, errors } = checkEntry(input);
  if (!entry) throw AppError.validation(errors, 400);
  return entry;
}
