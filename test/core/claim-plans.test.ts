// A claim (core/leases.ts) takes the first due rows in order without reading the whole backlog:
// its subquery walks an index in the claim's order and stops at the batch, and its UPDATE finds
// the claimed rows by id. Checked on the statements the outbox and the workflow runner really
// send, through SQLite's EXPLAIN QUERY PLAN (Plinth gathers no statistics, so the schema decides
// the plan): one that sorts every due row (a temporary B-tree), or finds the rows to update by
// another index than their ids, makes each claim slower as a backlog grows.
import assert from 'node:assert/strict';
import { usingPostgres } from '../helpers/database.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

interface Statement {
  sql: string;
  bindings: unknown[];
}

(usingPostgres ? describe.skip : describe)('claims: the first due rows by index, never a sort of the backlog (SQLite)', () => {
  let t: TestApp;
  const claims = new Map<string, Statement>();

  before(async () => {
    t = await createTestApp({ plugins: ['auth', 'workflows'], settings: { workflows: { pollIntervalMs: 20 } } });
    t.app.db.on('query', (q: { sql: string; bindings?: unknown[] }) => {
      const table = /^update [`"](core_events|workflows_runs)[`"] set .*[`"](locked_by|lease_owner)[`"] = \?/i.exec(q.sql)?.[1];
      if (table && / in \(select /i.test(q.sql)) claims.set(table, { sql: q.sql, bindings: q.bindings ?? [] });
    });
  });
  after(async () => {
    await t?.close();
  });

  async function planOf(table: string): Promise<string[]> {
    while (!claims.has(table)) await new Promise((resolve) => setTimeout(resolve, 10));
    const { sql, bindings } = claims.get(table)!;
    const rows: Array<{ detail: string }> = await t.app.db.raw(`explain query plan ${sql}`, bindings as never[]);
    return rows.map((r) => r.detail);
  }

  for (const [table, index] of [
    ['core_events', 'core_events_pending_idx'],
    ['workflows_runs', 'workflows_runs_due'],
  ] as const) {
    it(`${table}: the subquery walks ${index} in order; the update finds the rows by id`, async () => {
      const plan = await planOf(table);
      assert.ok(!plan.some((d) => /TEMP B-TREE/.test(d)), `no sort of the due rows: ${plan.join(' | ')}`);
      assert.ok(
        plan.some((d) => d.includes(`USING INDEX ${index}`)),
        `the due rows by ${index}: ${plan.join(' | ')}`,
      );
      assert.match(plan[0], /USING INTEGER PRIMARY KEY/, `the update by id: ${plan.join(' | ')}`);
    });
  }
});
