// The robots plugin's card on the Overview: robots online now (a running presence lease, renewed by
// whichever instance holds the robot's socket) of the robots there are. A superadmin counts every
// tenant's; anyone else the robots their Robots page lists.
import type { Knex } from 'knex';
import { hasRole } from 'plinth/plugin';
import type { CardMessages, OverviewCard, OverviewViewer } from 'plinth/plugin';
import { viewerMay } from 'plinth/plugin';
import type { PluginContext } from 'plinth/plugin';
import { robotsServices } from './own.js';

/** How many of `rows` there are, and how many hold a presence lease that runs past `now`. */
async function onlineOf(db: Knex, rows: Knex.QueryBuilder, now: string): Promise<{ online: number; total: number }> {
  const online = db.raw('sum(case when presence_until > ? then 1 else 0 end) as online', [now]);
  const [r] = (await rows.select(db.raw('count(*) as total'), online)) as Array<{ total: number | string; online: number | string | null }>;
  return { online: Number(r.online ?? 0), total: Number(r.total) };
}

/** The card's words: a superadmin's counts every tenant's robots, anyone else's their own. */
const messagesOf = (scope: 'platform' | 'tenant', total: number): CardMessages => ({
  title: { id: 'robots.overview.online.title', values: { scope } },
  unit: { id: 'robots.overview.online.unit' },
  note: { id: 'robots.overview.online.note', values: { total, scope } },
});

/** The provider (the manifest's `overview`). */
export async function robotsOverview(c: PluginContext<unknown>, viewer: OverviewViewer): Promise<OverviewCard[]> {
  const now = c.container.resolve('clock').now().toISOString();
  if (viewer.platform) {
    const { online, total } = await onlineOf(c.db, c.db('robots_robots').where('status', 'active'), now);
    return [
      {
        id: 'robots.online',
        title: 'Robots online',
        value: online,
        unit: 'online',
        note: `of ${total} ${total === 1 ? 'robot' : 'robots'}, all tenants`,
        // No page lists every tenant's robots; WorkBot users does list every tenant's users with their robots.
        href: '/admin/robots/users',
        live: ['robot.presence', 'robot.changed'],
        messages: messagesOf('platform', total),
      },
    ];
  }
  if (!viewer.tenantId || !(await viewerMay(c, viewer, 'robots:use'))) return [];
  const scope = { tenantId: viewer.tenantId, userId: viewer.principal.id, admin: hasRole(viewer.principal, 'admin') };
  const { online, total } = await onlineOf(c.db, robotsServices.of(c).robots.visible(scope), now);
  return [
    {
      id: 'robots.online',
      title: 'Your robots',
      value: online,
      unit: 'online',
      note: `of ${total} ${total === 1 ? 'robot' : 'robots'}`,
      href: '/admin/robots',
      live: ['robot.presence', 'robot.changed'],
      tone: total > 0 && online === 0 ? 'warn' : 'ok',
      messages: messagesOf('tenant', total),
    },
  ];
}
