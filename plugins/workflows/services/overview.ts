// The workflows plugin's cards on the Overview: runs started per day, and those that failed. Every
// tenant's for a superadmin; anyone else's their tenant's, as the Workflow runs page shows them.
import type { CardPoint, OverviewCard, OverviewViewer, OverviewWindow } from 'plinth/plugin';
import { counted, dailySeries, sumOf, viewerMay } from 'plinth/plugin';
import type { PluginContext } from 'plinth/plugin';
import { workflowsServices } from './own.js';

const RUNS_PAGE = '/admin/workflows/runs';

/** The provider (the manifest's `overview`). */
export async function workflowsOverview(c: PluginContext<unknown>, viewer: OverviewViewer, window: OverviewWindow): Promise<OverviewCard[]> {
  if (!viewer.platform && !(viewer.tenantId && (await viewerMay(c, viewer, 'workflows:read')))) return [];
  const { days } = await workflowsServices.of(c).runs.daily(viewer.platform ? null : viewer.tenantId, window.days.length);
  const perDay = (pick: (runs: Record<string, number>) => number): CardPoint[] =>
    dailySeries(
      window,
      days.map((d) => ({ date: d.date, n: pick(d.runs) })),
    );
  const runs = perDay((r) => Object.values(r).reduce((a, b) => a + b, 0));
  const failed = perDay((r) => r.failed ?? 0);
  const all = viewer.platform ? ', all tenants' : '';
  const scope = viewer.platform ? 'platform' : 'tenant';
  const total = sumOf(runs);
  const failures = sumOf(failed);
  return [
    {
      id: 'workflows.runs',
      title: 'Workflow runs',
      value: total,
      unit: total === 1 ? 'run' : 'runs',
      note: `${counted(sumOf(runs, 7), 'run')} in the last 7 days${all}`,
      href: RUNS_PAGE,
      live: ['workflow.started', 'workflow.run'],
      series: runs,
      seriesLabel: 'Runs started per day',
      messages: {
        title: { id: 'workflows.overview.runs.title' },
        unit: { id: 'workflows.overview.runs.unit', values: { count: total } },
        note: { id: 'workflows.overview.runs.note', values: { week: sumOf(runs, 7), scope } },
        seriesLabel: { id: 'workflows.overview.runs.series' },
      },
    },
    {
      id: 'workflows.failures',
      title: 'Failed runs',
      value: failures,
      unit: failures === 1 ? 'run' : 'runs',
      note: `${counted(sumOf(failed, 7), 'run')} in the last 7 days${all}`,
      href: `${RUNS_PAGE}?status=failed`,
      live: ['workflow.run'],
      series: failed,
      seriesLabel: 'Failed runs per day',
      tone: sumOf(failed, 1) ? 'alert' : failures ? 'warn' : 'ok',
      messages: {
        title: { id: 'workflows.overview.failures.title' },
        unit: { id: 'workflows.overview.runs.unit', values: { count: failures } },
        note: { id: 'workflows.overview.runs.note', values: { week: sumOf(failed, 7), scope } },
        seriesLabel: { id: 'workflows.overview.failures.series' },
      },
    },
  ];
}
