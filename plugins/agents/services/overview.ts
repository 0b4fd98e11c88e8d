// The agents plugin's card on the Overview: agent (MCP) tool calls per day, counted from the audit
// rows every call writes (auth's `auditReader`; without the auth plugin no call is recorded, and
// there is no card). Every tenant's for a superadmin; for a tenant's owners and admins, theirs (the
// Agents page, where the calls are listed, is theirs).
import type { OverviewCard, OverviewViewer, OverviewWindow } from 'plinth/plugin';
import { counted, dailySeries, sumOf, viewerEntitled, viewerIs } from 'plinth/plugin';
import type { PluginContext } from 'plinth/plugin';
import { AGENTS_SCOPE } from './calls.js';

/** The provider (the manifest's `overview`). */
export async function agentsOverview(c: PluginContext<unknown>, viewer: OverviewViewer, window: OverviewWindow): Promise<OverviewCard[]> {
  if (!c.container.hasRegistration('auditReader')) return [];
  const mayOpen = viewerIs(viewer, 'admin') && (await viewerEntitled(c, viewer, AGENTS_SCOPE));
  if (!viewer.platform && !(viewer.tenantId && mayOpen)) return [];
  const rows = await c.container.resolve('auditReader').perDay('agents.tool_call', viewer.platform ? null : viewer.tenantId, window.since);
  const series = dailySeries(window, rows);
  const total = sumOf(series);
  return [
    {
      id: 'agents.calls',
      title: 'Agent calls',
      value: total,
      unit: total === 1 ? 'tool call' : 'tool calls',
      note: `${counted(sumOf(series, 7), 'call')} in the last 7 days${viewer.platform ? ', all tenants' : ''}`,
      href: '/admin/agents',
      series,
      seriesLabel: 'Agent tool calls per day',
      messages: {
        title: { id: 'agents.overview.calls.title' },
        unit: { id: 'agents.overview.calls.unit', values: { count: total } },
        note: { id: 'agents.overview.calls.note', values: { week: sumOf(series, 7), scope: viewer.platform ? 'platform' : 'tenant' } },
        seriesLabel: { id: 'agents.overview.calls.series' },
      },
    },
  ];
}
