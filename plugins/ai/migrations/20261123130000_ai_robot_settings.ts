import type { Knex } from 'knex';

// A robot's AI settings (WorkBot's aiMode, aiProvider, aiModel, …): the ai plugin's own table. They
// were a JSON column of robots' table (`robots_robots.ai`), read by ai through robots' API; robots
// now serves and accepts them on its face through ai's `robotAiSettings` (plugins/ai/api.ts).
// A null column is an unset field: its default applies (plugins/ai/services/robot-settings.ts).
//
// The copy below is the one place ai reads robots' table (test/architecture lists it, with this
// reason): the settings moved plugins, and ai depends on robots, so robots' migrations (and its
// table) come first. Robots' column is left as it was: nothing reads or writes it any more.

/** The JSON keys of the old column and their columns here (frozen: this migration's own copy). */
const FIELDS = {
  aiMode: 'mode',
  aiProvider: 'provider',
  aiModel: 'model',
  aiTemperature: 'temperature',
  aiMaxTokens: 'max_tokens',
  aiContextLength: 'context_length',
  aiScenario: 'scenario',
  replyDelayMin: 'reply_delay_min',
  replyDelayMax: 'reply_delay_max',
  aiCallLimitDaily: 'call_limit_daily',
} as const;
const TEXT = new Set(['mode', 'provider', 'model', 'scenario']);

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('ai_robot_settings', (t) => {
    t.string('robot_id', 64).primary();
    t.string('tenant_id', 64).notNullable();
    t.string('mode', 16).nullable(); // builtin | third_party | off
    t.string('provider', 40).nullable(); // a provider's name (ai_providers.name) or builtin
    t.string('model', 100).nullable();
    t.double('temperature').nullable();
    t.integer('max_tokens').nullable();
    t.integer('context_length').nullable();
    t.string('scenario', 200).nullable();
    t.integer('reply_delay_min').nullable();
    t.integer('reply_delay_max').nullable();
    t.integer('call_limit_daily').nullable();
    t.string('updated_at', 24).notNullable();
    t.index(['tenant_id']);
  });

  if (!(await knex.schema.hasTable('robots_robots')) || !(await knex.schema.hasColumn('robots_robots', 'ai'))) return;
  const now = new Date().toISOString();
  let after = 0;
  for (;;) {
    // Deleted robots too: one re-activated comes back with its settings.
    const rows: Array<{ id: number; robot_id: string; tenant_id: string; ai: string | null }> = await knex('robots_robots')
      .where('id', '>', after)
      .orderBy('id')
      .limit(500)
      .select('id', 'robot_id', 'tenant_id', 'ai');
    if (!rows.length) break;
    after = Number(rows[rows.length - 1].id);
    const copies = rows.flatMap((r) => {
      let stored: Record<string, unknown>;
      try {
        stored = JSON.parse(r.ai || '{}');
      } catch {
        return [];
      }
      // Every column in every row (null: unset), so one multi-row insert fits both databases.
      const row: Record<string, unknown> = {};
      let set = 0;
      for (const [key, column] of Object.entries(FIELDS)) {
        const value = stored?.[key];
        const valid = TEXT.has(column) ? typeof value === 'string' : typeof value === 'number' && Number.isFinite(value);
        row[column] = valid ? value : null;
        if (valid) set++;
      }
      return set ? [{ robot_id: r.robot_id, tenant_id: r.tenant_id, ...row, updated_at: now }] : [];
    });
    if (copies.length) await knex('ai_robot_settings').insert(copies);
  }
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('ai_robot_settings');
}
