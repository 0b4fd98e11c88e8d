// What an overview provider needs besides its own services: the chart window, a daily series from
// grouped rows, and whether the viewer may open what a card would link to.
import { assertEntitled, beyondPlans } from '../entitlements.js';
import { AppError } from '../errors.js';
import { hasRole, hasScope } from '../http/auth.js';
import type { PluginContext } from '../plugins/contract.js';
import type { CardPoint, OverviewViewer, OverviewWindow } from './card.js';

/** How many days every chart of the overview covers. */
export const OVERVIEW_DAYS = 30;

/** The last `OVERVIEW_DAYS` UTC days up to `now`'s, oldest first. */
export function overviewWindow(now: Date, days = OVERVIEW_DAYS): OverviewWindow {
  const first = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - (days - 1));
  return {
    days: Array.from({ length: days }, (_, i) => new Date(first + i * 86_400_000).toISOString().slice(0, 10)),
    since: new Date(first).toISOString(),
    now: now.toISOString(),
  };
}

/**
 * One point per day of the window from rows grouped by day (`substr(created_at, 1, 10)` as `date`,
 * a count as `n`): days with no row are 0, rows outside the window are left out.
 */
export function dailySeries(window: OverviewWindow, rows: ReadonlyArray<{ date: string; n: number | string }>): CardPoint[] {
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(r.date, (counts.get(r.date) ?? 0) + Number(r.n));
  return window.days.map((date) => ({ date, value: counts.get(date) ?? 0 }));
}

/** The sum of a series (a card's value), or of its last `days` points (its "last 7 days" note). */
export function sumOf(series: readonly CardPoint[], days = series.length): number {
  return series.slice(Math.max(0, series.length - days)).reduce((sum, p) => sum + p.value, 0);
}

/** "1 robot", "3 robots": a count with its noun (plural by adding s unless given). */
export const counted = (n: number, one: string, many = `${one}s`): string => `${n.toLocaleString('en')} ${n === 1 ? one : many}`;

/**
 * Whether the viewer holds every scope and, unless a superadmin, their tenant's plan includes the
 * features those scopes need: what the plugin's own routes check (requireScope), so a card never
 * links to a page whose reads the viewer would be refused.
 */
export async function viewerMay(c: PluginContext<any>, viewer: OverviewViewer, ...scopes: string[]): Promise<boolean> {
  return scopes.every((s) => hasScope(viewer.principal, s)) && (await viewerEntitled(c, viewer, ...scopes));
}

/** Whether the viewer's tenant plan includes the features these scopes need (superadmins: always), whatever their own scopes. */
export async function viewerEntitled(c: PluginContext<any>, viewer: OverviewViewer, ...scopes: string[]): Promise<boolean> {
  if (beyondPlans(viewer.principal)) return true;
  try {
    await assertEntitled(c.container.resolve('entitlements'), c.container.resolve('features'), viewer.principal, scopes);
    return true;
  } catch (err) {
    if (err instanceof AppError && err.code === 'feature_not_in_plan') return false;
    throw err;
  }
}

/** Whether the viewer has a tenant role of at least `role` (superadmins pass): the nav's rule for a page's `roles`. */
export const viewerIs = (viewer: OverviewViewer, role: string): boolean => hasRole(viewer.principal, role);
