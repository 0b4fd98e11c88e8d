// The operator's tenant page, assembled from the plugins: the auth plugin owns tenants, but a
// tenant's robots, mailboxes, licenses and plan belong to other plugins, which must not import each
// other. So, as with the Overview's cards, each plugin contributes through its manifest
// (core/plugins/contract.ts `tenant`), and the core runs the contributions side by side:
//
//   tenant: {
//     // The plugin's sections of the tenant page (read only, quick; a throw is one error section).
//     async sections(c, tenantId) {
//       return [{ id: 'robots.robots', title: 'Robots', facts: [{ label: 'Robots', value: 3 }],
//                 table: { columns: ['Name', 'Status'], rows: [['Front door', 'active']] } }];
//     },
//     // What deleting the tenant deletes of this plugin's, counted: the confirmation lists it.
//     async owned(c, tenantId, db) { return [{ label: 'robots', count: 3 }]; },
//     // Deletes those rows, inside the transaction that deletes the tenant (all or nothing).
//     async remove(c, tenantId, trx) { await trx('robots_robots').where('tenant_id', tenantId).delete(); },
//   },
//
// The auth plugin serves them (GET /admin/tenants/{id}/sections and /deletion) from the container's
// `tenantParts`, and its DELETE runs every plugin's `remove` in its own transaction. The admin UI
// renders sections generically (facts, a table, a link), so a plugin adds to the page with no UI code.
import type { Knex } from 'knex';
import type { Logger } from '../logger.js';

/** One figure of a section ("Plan": "Pro", "Robots": 3). Money: integer minor units with `currency`. */
export interface TenantFact {
  label: string;
  value: string | number;
  currency?: string;
  /** An admin page about it the operator can open. */
  href?: string;
}

/** A short table: the latest rows of something (the newest API keys, recent audit entries). */
export interface TenantTable {
  columns: string[];
  /** Cells as text or numbers; a cell that is an ISO-8601 moment in a column named in `times` is shown in local time. */
  rows: Array<Array<string | number | null>>;
  /** Columns (by name) whose cells are ISO-8601 moments. */
  times?: string[];
  /** How many rows there are in all, when the table shows only the first. */
  total?: number;
}

/** One plugin's part of the tenant page. */
export interface TenantSection {
  /** Unique on the page: `<plugin>.<what>` (a plugin's ids get the prefix when they lack it). */
  id: string;
  title: string;
  facts?: TenantFact[];
  table?: TenantTable;
  /** The admin page where the operator manages this (a link under the section). */
  href?: string;
  /** Set by the core when the provider failed or took too long. */
  error?: string;
}

/** Rows of one kind that deleting the tenant deletes ("robots": 3). */
export interface TenantRows {
  label: string;
  count: number;
}

/** What a deletion takes, by plugin (the confirmation lists it). */
export interface TenantDeletion {
  plugin: string;
  rows: TenantRows[];
}

/**
 * One plugin's part as the core runs it: the manifest's `tenant` (core/plugins/contract.ts
 * TenantContribution) with the plugin's context bound in, as app.ts binds its actions and jobs.
 */
export interface TenantPart {
  sections?(tenantId: string): Promise<TenantSection[]>;
  /** Counted with `db` (the caller's transaction when it is in one). */
  owned?(tenantId: string, db: Knex): Promise<TenantRows[]>;
  /** Inside the deleting transaction: a throw rolls the whole deletion back. */
  remove?(tenantId: string, trx: Knex): Promise<void>;
}

/** A provider slower than this is shown as an error section rather than holding the page. */
const SECTION_TIMEOUT_MS = 10_000;

const prefixed = (plugin: string, s: TenantSection): TenantSection => (s.id.startsWith(`${plugin}.`) ? s : { ...s, id: `${plugin}.${s.id}` });

/** The plugins' contributions, in plugin (dependency) order; the container's `tenantParts`. */
export class TenantParts {
  private readonly parts: Array<{ name: string; part: TenantPart }> = [];

  constructor(private readonly logger: Logger) {}

  /** Adds a plugin's part; plugins are added in their (dependency) order. */
  add(plugin: string, part: TenantPart): void {
    this.parts.push({ name: plugin, part });
  }

  /** Every plugin's sections for one tenant (which the caller has found), in plugin order; a failing one is an error section. */
  async sections(tenantId: string): Promise<TenantSection[]> {
    const runs = this.parts.map(async ({ name, part }) => {
      if (!part.sections) return [];
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`took longer than ${SECTION_TIMEOUT_MS / 1000} s`)), SECTION_TIMEOUT_MS);
      });
      try {
        return (await Promise.race([part.sections(tenantId), timeout])).map((s) => prefixed(name, s));
      } catch (err) {
        this.logger.error({ err, plugin: name, tenantId }, 'a tenant page section could not be read');
        return [{ id: `${name}.error`, title: name, error: `${name}: could not be read (the error is in the log)` }];
      } finally {
        clearTimeout(timer);
      }
    });
    return (await Promise.all(runs)).flat();
  }

  /** What deleting the tenant would delete, by plugin (plugins with nothing left out). Errors propagate: a confirmation must not understate. */
  async owned(tenantId: string, db: Knex): Promise<TenantDeletion[]> {
    const out: TenantDeletion[] = [];
    for (const { name, part } of this.parts) {
      if (!part.owned) continue;
      const rows = (await part.owned(tenantId, db)).filter((r) => r.count > 0);
      if (rows.length) out.push({ plugin: name, rows });
    }
    return out;
  }

  /**
   * Deletes every plugin's rows of the tenant inside `trx`, dependents first (reverse plugin order),
   * so a plugin's rows go before those of the plugins it depends on; the caller then deletes the tenant.
   */
  async remove(tenantId: string, trx: Knex): Promise<void> {
    for (const { part } of [...this.parts].reverse()) await part.remove?.(tenantId, trx);
  }
}

/**
 * `owned` and `remove` for a plugin whose rows of a tenant are the rows of tables with a `tenant_id`
 * column: each table with a label (singular, plural) is counted for the confirmation; all of them
 * are deleted, in the order given (children before their parents when no cascade does it). Both take
 * the plugin's context first, as a TenantContribution's members do (core/plugins/contract.ts), and need nothing of it.
 */
export function tenantTables(tables: ReadonlyArray<{ table: string; label?: readonly [string, string] }>): {
  owned(_c: unknown, tenantId: string, db: Knex): Promise<TenantRows[]>;
  remove(_c: unknown, tenantId: string, trx: Knex): Promise<void>;
} {
  return {
    async owned(_c, tenantId, db) {
      const out: TenantRows[] = [];
      for (const { table, label } of tables) {
        if (!label) continue;
        const row = (await db(table).where('tenant_id', tenantId).count({ n: '*' }).first()) as { n: number | string } | undefined;
        const count = Number(row?.n ?? 0);
        out.push({ label: count === 1 ? label[0] : label[1], count });
      }
      return out;
    },
    async remove(_c, tenantId, trx) {
      for (const { table } of tables) await trx(table).where('tenant_id', tenantId).delete();
    },
  };
}
