// The audit log's pages, newest first, walk an index and stop: they are ordered by time then id,
// as each filter's index is (column, created_at). Ordered by id alone, every row of the tenant or
// actor was sorted for each page (SQLite's temporary B-tree), a cost that grew with the log. Checked
// on the statements the Audit page and the tenant page really send, through SQLite's EXPLAIN QUERY
// PLAN (Plinth gathers no statistics: the schema decides the plan). The order itself on both databases.
import assert from 'node:assert/strict';
import { usingPostgres } from '../../../test/helpers/database.js';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import type { AuditLog } from '../services/audit.js';
import { authTenantPart } from '../services/tenant-part.js';

interface Statement {
  sql: string;
  bindings: unknown[];
}

describe('auth: the audit log’s pages, newest first, by index', () => {
  let t: TestApp;
  let audit: AuditLog;
  const tenant = '00000000-0000-4000-8000-00000000a0d1';
  const other = '00000000-0000-4000-8000-00000000a0d2';

  before(async () => {
    t = await createTestApp({ plugins: ['auth'] });
    audit = t.app.container.resolve('audit') as AuditLog;
    const rows = [];
    // Ids and times disagree on purpose for two rows: the page is by time (another instance's clock may lag a little).
    for (let i = 0; i < 30; i++) {
      rows.push({
        tenant_id: i % 3 === 0 ? other : tenant,
        actor_type: 'api_key',
        actor_id: `key-${i % 2}`,
        action: i % 2 ? 'agents.tool_call' : 'auth.login',
        target_type: 'tool',
        target_id: 'license_verify',
        created_at: new Date(Date.UTC(2026, 10, 1, 0, 0, i === 28 ? 30 : i === 29 ? 28 : i)).toISOString(),
      });
    }
    await t.app.db('auth_audit_logs').insert(rows);
  });
  after(async () => t?.close());

  /** The select statements (not the counts) `run` sends on the audit table. */
  async function selects(run: () => Promise<unknown>): Promise<Statement[]> {
    const seen: Statement[] = [];
    const listen = (q: { sql: string; bindings?: unknown[] }) => {
      if (/from [`"]auth_audit_logs[`"]/i.test(q.sql) && !/count\(/i.test(q.sql)) seen.push({ sql: q.sql, bindings: q.bindings ?? [] });
    };
    t.app.db.on('query', listen);
    try {
      await run();
    } finally {
      t.app.db.off('query', listen);
    }
    assert.ok(seen.length, 'the audit table was read');
    return seen;
  }

  const filters = [
    {},
    { tenant_id: tenant },
    { actor_id: 'key-1' },
    { action: 'auth.login' },
    { target_id: 'license_verify' },
    { since: '2026-11-01T00:00:10Z' },
  ];

  (usingPostgres ? it.skip : it)('every filter of the Audit page and the tenant page’s recent entries: no sort of the rows (SQLite)', async () => {
    const statements = await selects(() => authTenantPart.sections!({ db: t.app.db } as never, tenant));
    for (const filter of filters) statements.push(...(await selects(() => audit.list(filter, { page: 1, page_size: 5 }))));
    for (const { sql, bindings } of statements) {
      const plan = ((await t.app.db.raw(`explain query plan ${sql}`, bindings as never[])) as Array<{ detail: string }>).map((r) => r.detail);
      assert.ok(!plan.some((d) => /TEMP B-TREE/.test(d)), `${sql}: no sort of the rows: ${plan.join(' | ')}`);
    }
  });

  it('a page is newest first by time, then by id', async () => {
    const page = await audit.list({ tenant_id: tenant }, { page: 1, page_size: 4 });
    const times = page.items.map((r) => String(r.created_at).slice(17, 19));
    assert.deepEqual(times, ['30', '28', '26', '25'], 'the last row written, its time earlier than the one before it, comes second');
    const all = await audit.list({}, { page: 1, page_size: 30 });
    const sorted = [...all.items].sort((a, b) => String(b.created_at).localeCompare(String(a.created_at)) || Number(b.id) - Number(a.id));
    assert.deepEqual(
      all.items.map((r) => r.id),
      sorted.map((r) => r.id),
    );
  });
});
