import { randomUUID } from 'node:crypto';
import { randomToken, sha256 } from 'plinth/plugin';
import type { Knex } from 'knex';
import { iso, type Clock } from 'plinth/plugin';
import { AppError } from 'plinth/plugin';
import { isUniqueViolation } from 'plinth/plugin';
import { newWebhookSecret } from 'plinth/plugin';
import { pageQuery, type Page, type PageRequest } from 'plinth/plugin';
import type { SharedCache } from 'plinth/plugin';
import type { Definition, TriggerType } from '../definition.js';
import { nextCronTime, secretsUsed, type DefinitionCheck } from './definitions.js';
import type { Versions } from './versions.js';
import { WorkflowsErrors } from './errors.js';

export interface WorkflowRow {
  id: string;
  tenant_id: string;
  name: string;
  description: string;
  enabled: boolean;
  version: number;
  version_id: number;
  trigger_type: TriggerType;
  trigger_event: string | null;
  cron_next_at: string | null;
  webhook_token_hash: string | null;
  webhook_secret: string | null;
  secrets: Record<string, string>;
  created_by: string | null;
  created_at: string;
  updated_at: string;
}

export interface WorkflowInput extends Definition {
  name: string;
  description?: string;
  enabled?: boolean;
  secrets?: Record<string, string>;
}

export type WorkflowPatch = Partial<Pick<WorkflowInput, 'name' | 'description' | 'trigger' | 'condition' | 'steps'>>;

/** Shown once, when a webhook trigger gets its URL (and signing secret). */
export interface WebhookReveal {
  /** null: the URL did not change. */
  url: string | null;
  /** null: unsigned, or the secret did not change. */
  secret: string | null;
}

export const toWorkflowRow = (r: Record<string, any>): WorkflowRow => ({
  ...(r as WorkflowRow),
  enabled: Boolean(r.enabled),
  version: Number(r.version),
  version_id: Number(r.version_id),
  secrets: JSON.parse(r.secrets ?? '{}'),
});

export const hashToken = sha256;

/** What Workflows is built from, passed by name (WorkflowsDeps, in index.ts, is the plugin's slice of the cradle). */
export interface WorkflowsServiceDeps {
  db: Knex;
  clock: Clock;
  versions: Versions;
  check: DefinitionCheck;
  /** A webhook trigger's public URL from its token. */
  hookUrl: (token: string) => string;
  /** Each tenant's enabled event-triggered workflows (see eventTriggered). */
  eventTriggers: SharedCache<WorkflowRow[]>;
}

/**
 * Workflows of a tenant: create, edit (a new version each time the definition changes), enable,
 * disable, delete, secrets. Every query is scoped by tenant; another tenant's workflow is a 404.
 */
export class Workflows {
  constructor(private readonly deps: WorkflowsServiceDeps) {}

  /**
   * The tenant's enabled workflows triggered by events, oldest first. Every event of the platform
   * is matched against them, and few tenants have any: kept on every instance until one of the
   * tenant's workflows changes (read-only: shared by every caller).
   */
  async eventTriggered(tenantId: string): Promise<readonly WorkflowRow[]> {
    const load = async () =>
      (await this.deps.db('workflows_workflows').where({ tenant_id: tenantId, trigger_type: 'event', enabled: true }).orderBy('created_at').orderBy('id')).map(
        toWorkflowRow,
      );
    return (await this.deps.eventTriggers.get(tenantId, load)) ?? [];
  }

  /** After a change to one of the tenant's workflows has committed. */
  private changed(tenantId: string): Promise<void> {
    return this.deps.eventTriggers.invalidate(tenantId);
  }

  async row(tenantId: string, id: string, trx: Knex | Knex.Transaction = this.deps.db): Promise<WorkflowRow> {
    const row = /^[0-9a-f-]{36}$/.test(id) ? await trx('workflows_workflows').where({ tenant_id: tenantId, id }).first() : null;
    if (!row) throw WorkflowsErrors.workflowNotFound(id);
    return toWorkflowRow(row);
  }

  /** By id, or by name when the name is the tenant's only workflow so called (an agent names what it runs). */
  async byIdOrName(tenantId: string, ref: string): Promise<WorkflowRow> {
    if (/^[0-9a-f-]{36}$/.test(ref)) return this.row(tenantId, ref);
    const rows = await this.deps.db('workflows_workflows').where({ tenant_id: tenantId, name: ref }).limit(2);
    if (rows.length > 1) throw WorkflowsErrors.workflowAmbiguous(ref);
    if (!rows.length) throw WorkflowsErrors.workflowNotFound(ref);
    return toWorkflowRow(rows[0]);
  }

  async view(row: WorkflowRow, reveal: WebhookReveal | null = null) {
    const { definition } = (await this.deps.versions.byId(row.version_id))!;
    const secrets = Object.keys(row.secrets).sort();
    return {
      id: row.id,
      name: row.name,
      description: row.description,
      enabled: row.enabled,
      version: row.version,
      ...definition,
      webhook: row.trigger_type === 'webhook' ? { signed: Boolean(row.webhook_secret), ...(reveal ?? {}) } : null,
      secrets,
      missing_secrets: secretsUsed(definition).filter((s) => !secrets.includes(s)),
      next_run_at: row.trigger_type === 'cron' && row.enabled ? row.cron_next_at : null,
      created_by: row.created_by,
      created_at: row.created_at,
      updated_at: row.updated_at,
    };
  }

  async get(tenantId: string, id: string) {
    return this.view(await this.row(tenantId, id));
  }

  async list(
    tenantId: string,
    filter: { enabled?: boolean; trigger_type?: string; event?: string; search?: string },
    page: PageRequest,
  ): Promise<Page<Awaited<ReturnType<Workflows['view']>>>> {
    const q = this.deps.db('workflows_workflows').where('tenant_id', tenantId);
    if (filter.enabled !== undefined) q.where('enabled', filter.enabled);
    if (filter.trigger_type) q.where('trigger_type', filter.trigger_type);
    if (filter.event) q.where('trigger_event', filter.event);
    if (filter.search) q.whereRaw('lower(name) like ?', [`%${filter.search.toLowerCase().replace(/[%_]/g, '')}%`]);
    const found = await pageQuery(q.orderBy('created_at', 'desc').orderBy('id'), page);
    return { ...found, items: await Promise.all(found.items.map((r) => this.view(toWorkflowRow(r)))) };
  }

  async create(tenantId: string, actor: string | null, input: WorkflowInput) {
    const definition: Definition = { trigger: input.trigger, condition: input.condition ?? null, steps: input.steps };
    this.deps.check.assert(definition);
    const id = randomUUID();
    const now = this.deps.clock.now();
    const enabled = input.enabled ?? true;
    const { columns, reveal } = this.triggerColumns(null, definition, enabled, now);
    await this.deps.db.transaction(async (trx) => {
      await trx('workflows_workflows').insert({
        id,
        tenant_id: tenantId,
        name: input.name,
        description: input.description ?? '',
        enabled,
        version: 1,
        version_id: 0,
        secrets: JSON.stringify(input.secrets ?? {}),
        created_by: actor,
        created_at: iso(now),
        updated_at: iso(now),
        ...columns,
      });
      const versionId = await this.deps.versions.add(trx, id, 1, definition, actor, iso(now));
      await trx('workflows_workflows').where('id', id).update({ version_id: versionId });
    });
    await this.changed(tenantId);
    return this.view(await this.row(tenantId, id), reveal);
  }

  /** Name and description change in place; a changed trigger, condition or steps is a new version. */
  async update(tenantId: string, actor: string | null, id: string, patch: WorkflowPatch) {
    const current = await this.row(tenantId, id);
    const now = this.deps.clock.now();
    const meta = {
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.description !== undefined ? { description: patch.description } : {}),
      updated_at: iso(now),
    };
    let reveal: WebhookReveal | null = null;
    if (patch.trigger || patch.condition !== undefined || patch.steps) {
      const { definition: before } = (await this.deps.versions.byId(current.version_id))!;
      const definition: Definition = {
        trigger: patch.trigger ?? before.trigger,
        condition: patch.condition !== undefined ? patch.condition : before.condition,
        steps: patch.steps ?? before.steps,
      };
      this.deps.check.assert(definition);
      const triggers = this.triggerColumns(current, definition, current.enabled, now);
      reveal = triggers.reveal;
      try {
        await this.deps.db.transaction(async (trx) => {
          // The version number comes from the row being replaced: two concurrent edits cannot both make version n+1.
          const next = current.version + 1;
          const versionId = await this.deps.versions.add(trx, id, next, definition, actor, iso(now));
          const changed = await trx('workflows_workflows')
            .where({ id, version: current.version })
            .update({ ...meta, ...triggers.columns, version: next, version_id: versionId });
          if (!changed) throw WorkflowsErrors.editConflict();
        });
      } catch (err) {
        throw isUniqueViolation(err) ? WorkflowsErrors.editConflict() : err;
      }
    } else {
      await this.deps.db('workflows_workflows').where('id', id).update(meta);
    }
    await this.changed(tenantId);
    return this.view(await this.row(tenantId, id), reveal);
  }

  async setEnabled(tenantId: string, id: string, enabled: boolean) {
    const row = await this.row(tenantId, id);
    const now = this.deps.clock.now();
    const { definition } = (await this.deps.versions.byId(row.version_id))!;
    // A cron workflow starts counting from now when enabled: ticks missed while disabled never run.
    const cronNext = enabled && definition.trigger.type === 'cron' ? iso(nextCronTime(definition.trigger.cron!, now)) : null;
    await this.deps
      .db('workflows_workflows')
      .where('id', id)
      .update({ enabled, cron_next_at: cronNext, updated_at: iso(now) });
    await this.changed(tenantId);
    return this.view(await this.row(tenantId, id));
  }

  async remove(tenantId: string, id: string): Promise<void> {
    await this.row(tenantId, id);
    await this.deps.db('workflows_workflows').where({ tenant_id: tenantId, id }).delete(); // versions and runs go with it
    await this.changed(tenantId);
  }

  /** Sets (a string) or removes (null) secrets by name; values are never returned. */
  async setSecrets(tenantId: string, id: string, changes: Record<string, string | null>) {
    const row = await this.row(tenantId, id);
    const secrets = { ...row.secrets };
    for (const [name, value] of Object.entries(changes)) {
      if (value === null) delete secrets[name];
      else secrets[name] = value;
    }
    if (Object.keys(secrets).length > 20) throw AppError.validation([{ path: 'body.secrets', message: 'a workflow holds at most 20 secrets' }], 422);
    await this.deps
      .db('workflows_workflows')
      .where('id', id)
      .update({ secrets: JSON.stringify(secrets), updated_at: iso(this.deps.clock.now()) });
    await this.changed(tenantId);
    return this.view(await this.row(tenantId, id));
  }

  /** A new secret URL (and signing secret, when signed); the old ones stop working at once. */
  async rotateWebhook(tenantId: string, id: string) {
    const row = await this.row(tenantId, id);
    if (row.trigger_type !== 'webhook') throw WorkflowsErrors.notWebhook();
    const { definition } = (await this.deps.versions.byId(row.version_id))!;
    const { columns, reveal } = this.triggerColumns({ ...row, webhook_token_hash: null, webhook_secret: null }, definition, row.enabled, this.deps.clock.now());
    await this.deps
      .db('workflows_workflows')
      .where('id', id)
      .update({ ...columns, updated_at: iso(this.deps.clock.now()) });
    await this.changed(tenantId);
    return this.view(await this.row(tenantId, id), reveal);
  }

  /** The trigger's copy on the workflow row (for matching), and a webhook URL made now, if any. */
  private triggerColumns(current: WorkflowRow | null, def: Definition, enabled: boolean, now: Date) {
    const t = def.trigger;
    const columns: Record<string, unknown> = {
      trigger_type: t.type,
      trigger_event: t.type === 'event' ? t.event : null,
      cron_next_at: t.type === 'cron' && enabled ? iso(nextCronTime(t.cron!, now)) : null,
      webhook_token_hash: null,
      webhook_secret: null,
    };
    if (t.type !== 'webhook') return { columns, reveal: null };
    let token: string | null = null;
    let secret: string | null = null;
    if (current?.webhook_token_hash) columns.webhook_token_hash = current.webhook_token_hash;
    else columns.webhook_token_hash = hashToken((token = randomToken(24)));
    if (!t.signed) columns.webhook_secret = null;
    else if (current?.webhook_secret) columns.webhook_secret = current.webhook_secret;
    else columns.webhook_secret = secret = newWebhookSecret();
    const reveal = token || secret ? { url: token ? this.deps.hookUrl(token) : null, secret } : null;
    return { columns, reveal };
  }
}
