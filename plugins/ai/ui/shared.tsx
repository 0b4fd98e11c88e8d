// What the AI pages share: the API base, the reply shapes, who may change things, a pager, a
// confirm dialog, badges and small helpers.
import { currentLanguage, setQueryParams, t, useAction, useApi, useTenantAdmin } from 'plinth/plugin/ui';
export { Pager, ConfirmDialog, plural } from 'plinth/plugin/ui';
export { fieldStyle, withQuery } from 'plinth/plugin/ui';

export { useAction };

/** The ai plugin's face (beside the WorkBot seed; the pages call it with the session cookie). */
export const BASE = '/workbot/api';

/** Where each page lives (the manifest's page paths under /admin/ai). */
export const PAGES = { knowledge: '/admin/ai', try: '/admin/ai/try', providers: '/admin/ai/providers', calls: '/admin/ai/calls' };

/** Every answer of this face: `{ code: 0, message, data }`. */
export interface Reply<T> {
  code: number;
  message: string;
  data: T;
}

/** The face's list shape. */
export interface List<T> {
  total: number;
  list: T[];
}

/** One robot of GET /api/robots (only what the pickers need). */
export interface RobotRow {
  robotId: string;
  name: string;
  aiMode: string;
  aiProvider: string | null;
}

/** One row of GET /api/ai/providers (the service's type; erased by esbuild). */
export type { ProviderView as ProviderRow } from '../services/providers/registry.js';

/** Owners and admins change things; members see the pages read-only. */
export const useCanManage = useTenantAdmin;

/** The tenant's robots (up to 100, the face's page limit), for pickers and names. */
export const useRobots = () => useApi<Reply<List<RobotRow>>>(`${BASE}/robots?pageSize=100`);

/** A robot's name for an id, once the robots are in. */
export function robotName(robots: readonly RobotRow[] | undefined, robotId: string | null): string {
  if (!robotId) return '—';
  return robots?.find((r) => r.robotId === robotId)?.name ?? robotId;
}

/** A filter of a listing page changed: set it in the URL (so the view can be linked) and go back to page 1. */
export const setFilter = (name: string, value: string) => setQueryParams({ [name]: value || null, page: null });

/** The `?page=` of a listing page, 1 when absent or not a page number. */
export const pageNumber = (text: string | null) => Math.max(1, Math.floor(Number(text)) || 1);

const TONE: Record<string, string> = {
  ok: 'badge-ok',
  enabled: 'badge-ok',
  timeout: 'badge-warn',
  rate_limited: 'badge-warn',
  disabled: 'badge-danger',
  error: 'badge-danger',
};

/** A call outcome (ok, timeout, rate limited, error) or a state in a coloured pill. */
export const Badge = (props: { value: string }) => (
  <span class={`badge ${TONE[props.value] ?? ''}`}>{t('ai.badge', { value: props.value, label: props.value.replace(/_/g, ' ') })}</span>
);

/** What the call log's `outcome` may be. */
export const OUTCOMES = ['ok', 'timeout', 'rate_limited', 'error'];

/** "hours, open，营业" → ["hours", "open", "营业"] (blanks dropped; ASCII and full-width commas). */
export const splitList = (text: string) =>
  text
    .split(/[,，、]/)
    .map((n) => n.trim())
    .filter(Boolean);

/** Milliseconds as "85 ms" or "1.2 s". */
export const duration = (ms: number) => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`);

/** An estimated cost (tiny amounts: up to six decimals) in the viewer's locale. */
export function formatCost(amount: number, currency: string): string {
  const digits = { minimumFractionDigits: 2, maximumFractionDigits: 6 };
  try {
    return new Intl.NumberFormat(currentLanguage(), { style: 'currency', currency, ...digits }).format(amount);
  } catch {
    return `${amount.toLocaleString(currentLanguage(), digits)} ${currency}`; // not a currency Intl knows
  }
}
