// The auth plugin's cards on a superadmin's Overview: tenants, new accounts (sign-ups) per day, and
// the last backup (auth serves the Backups page). A tenant's own overview has none of these.
import type { Knex } from 'knex';
import type { BackupStatus } from 'plinth/plugin';
import type { CardMessage, CardMessages, OverviewCard, OverviewViewer, OverviewWindow } from 'plinth/plugin';
import { counted, dailySeries, sumOf } from 'plinth/plugin';
import type { PluginContext } from 'plinth/plugin';

const count = async (q: Knex.QueryBuilder): Promise<number> => Number(((await q.count({ n: '*' })) as Array<{ n: number | string }>)[0].n);

/** Every tenant (the Tenants page's total), and how many are new in the window and in its last 7 days. */
async function tenantsCard(db: Knex, window: OverviewWindow): Promise<OverviewCard> {
  const weekAgo = new Date(Date.parse(window.days[window.days.length - 7])).toISOString();
  const [total, month, week, suspended] = await Promise.all([
    count(db('auth_tenants')),
    count(db('auth_tenants').where('created_at', '>=', window.since)),
    count(db('auth_tenants').where('created_at', '>=', weekAgo)),
    count(db('auth_tenants').where('status', 'suspended')),
  ]);
  return {
    id: 'auth.tenants',
    title: 'Tenants',
    value: total,
    unit: total === 1 ? 'tenant' : 'tenants',
    note: `${week} new in the last 7 days, ${month} in 30${suspended ? `; ${suspended} suspended` : ''}`,
    href: '/admin/auth/tenants',
    messages: {
      title: { id: 'auth.overview.tenants.title' },
      unit: { id: 'auth.overview.tenants.unit', values: { count: total } },
      note: { id: 'auth.overview.tenants.note', values: { week, month, suspended } },
    },
  };
}

/** Accounts made per day (self sign-ups, invitations, phone sign-ins): the Users page lists them newest first. */
async function signupsCard(db: Knex, window: OverviewWindow): Promise<OverviewCard> {
  const rows: Array<{ date: string; n: number | string }> = await db('auth_users')
    .where('created_at', '>=', window.since)
    .select({ date: db.raw('substr(created_at, 1, 10)') })
    .count({ n: '*' })
    .groupByRaw('substr(created_at, 1, 10)');
  const series = dailySeries(window, rows);
  const total = sumOf(series);
  return {
    id: 'auth.signups',
    title: 'New sign-ups',
    value: total,
    unit: total === 1 ? 'account' : 'accounts',
    note: `${counted(sumOf(series, 7), 'account')} in the last 7 days; ${total} in 30`,
    href: '/admin/auth/users',
    series,
    seriesLabel: 'New accounts per day',
    messages: {
      title: { id: 'auth.overview.signups.title' },
      unit: { id: 'auth.overview.signups.unit', values: { count: total } },
      note: { id: 'auth.overview.signups.note', values: { week: sumOf(series, 7), total } },
      seriesLabel: { id: 'auth.overview.signups.series' },
    },
  };
}

/** The last backup, or the failure newer than it: what the Backups page shows at its top. */
async function backupCard(backups: { status(): Promise<BackupStatus> }): Promise<OverviewCard> {
  const { lastSuccess: ok, lastFailure: failed } = await backups.status();
  const base = { id: 'auth.backup', title: 'Last backup', href: '/admin/auth/backups' };
  const words = (state: 'failed' | 'none' | 'taken', note?: CardMessage): CardMessages => ({
    title: { id: 'auth.overview.backup.title' },
    value: { id: 'auth.overview.backup.value', values: { state } },
    ...(note && { note }),
  });
  if (failed && (!ok || failed.at > ok.at)) {
    // The error is the backup's own words (a path, a tool's message): shown as written.
    const note = failed.error ? undefined : { id: 'auth.overview.backup.failed' };
    return { ...base, value: 'Failed', at: failed.at, note: failed.error ?? 'failed', tone: 'alert', messages: words('failed', note) };
  }
  if (!ok) return { ...base, value: 'None yet', note: 'No backup has been taken', tone: 'warn', messages: words('none', { id: 'auth.overview.backup.none' }) };
  const taken = { id: 'auth.overview.backup.taken', values: { trigger: ok.trigger, named: ok.name ? 'yes' : 'no', name: ok.name ?? '' } };
  return { ...base, value: 'Taken', at: ok.at, note: `${ok.trigger}${ok.name ? `: ${ok.name}` : ''}`, tone: 'ok', messages: words('taken', taken) };
}

/** The provider (the manifest's `overview`): platform figures only; a customer's overview shows their own things, which other plugins count. */
export async function authOverview(c: PluginContext<unknown>, viewer: OverviewViewer, window: OverviewWindow): Promise<OverviewCard[]> {
  if (!viewer.platform) return [];
  return Promise.all([tenantsCard(c.db, window), signupsCard(c.db, window), backupCard(c.container.resolve('backups'))]);
}
