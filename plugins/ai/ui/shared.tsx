// What the AI pages share: the API base, the reply shapes, who may change things, a pager, a
// confirm dialog, badges and small helpers.
import type { ComponentChildren } from 'preact';
import { hasRole } from '../../../core/http/auth.js';
import { Dialog, ErrorBanner, setQueryParams, useAction, useApi } from '../../../core/ui/kit/index.js';

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

/** One row of GET /api/ai/providers. */
export interface ProviderRow {
  name: string;
  kind: 'openai' | 'dify';
  baseUrl: string;
  model: string | null;
  timeoutMs: number;
  priority: number;
  enabled: boolean;
  hasApiKey: boolean;
  source: 'config' | 'tenant';
  updatedAt: string | null;
}

/** GET /admin/api/me (the shell's session). */
interface Me {
  id: string;
  roles: string[];
  tenant_id: string | null;
}

/**
 * Whether the signed-in user may change the tenant's AI setup (an owner or admin, by the same
 * rule the shell's navigation uses); undefined until known. Members see the pages read-only.
 */
export function useCanManage(): boolean | undefined {
  const me = useApi<Me>('/admin/api/me');
  return me.data ? Boolean(me.data.tenant_id) && hasRole(me.data, 'admin') : undefined;
}

/** The tenant's robots (up to 100, the face's page limit), for pickers and names. */
export const useRobots = () => useApi<Reply<List<RobotRow>>>(`${BASE}/robots?pageSize=100`);

/** A robot's name for an id, once the robots are in. */
export function robotName(robots: readonly RobotRow[] | undefined, robotId: string | null): string {
  if (!robotId) return '—';
  return robots?.find((r) => r.robotId === robotId)?.name ?? robotId;
}

/** `path?a=1&b=2`, leaving out empty values. */
export function withQuery(path: string, query: Record<string, string | number | null | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== null && value !== undefined && value !== '') params.set(key, String(value));
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

/** A filter of a listing page changed: set it in the URL (so the view can be linked) and go back to page 1. */
export const setFilter = (name: string, value: string) => setQueryParams({ [name]: value || null, page: null });

/** The `?page=` of a listing page, 1 when absent or not a page number. */
export const pageNumber = (text: string | null) => Math.max(1, Math.floor(Number(text)) || 1);

/** "12 entries · page 1 of 1", Previous, Next; the page is the URL's `?page=`. `nouns`: singular and plural. */
export function Pager(props: { total?: number; page: number; pageSize: number; nouns: [string, string] }) {
  if (props.total === undefined) return null;
  const pages = Math.max(1, Math.ceil(props.total / props.pageSize));
  const go = (page: number) => setQueryParams({ page: page > 1 ? String(page) : null });
  return (
    <nav class="pager" aria-label="Pages">
      <span>
        {plural(props.total, ...props.nouns)} · page {props.page} of {pages}
      </span>
      <button type="button" class="secondary small" disabled={props.page <= 1} onClick={() => go(props.page - 1)}>
        Previous
      </button>
      <button type="button" class="secondary small" disabled={props.page >= pages} onClick={() => go(props.page + 1)}>
        Next
      </button>
    </nav>
  );
}

/** "Are you sure?" for a destructive action, with the server's error if it fails. */
export function ConfirmDialog(props: { title: string; action: string; onConfirm(): Promise<unknown>; onClose(): void; children?: ComponentChildren }) {
  const { error, busy, run } = useAction();
  const confirm = async () => {
    if (await run(props.onConfirm)) props.onClose();
  };
  return (
    <Dialog title={props.title} onClose={props.onClose}>
      {props.children}
      <ErrorBanner error={error} />
      <div class="form-actions">
        <button type="button" class="danger" disabled={busy} onClick={confirm}>
          {busy ? 'Working…' : props.action}
        </button>
        <button type="button" class="secondary" autoFocus onClick={props.onClose}>
          Cancel
        </button>
      </div>
    </Dialog>
  );
}

const TONE: Record<string, string> = { ok: 'badge-ok', enabled: 'badge-ok', timeout: 'badge-warn', rate_limited: 'badge-warn', disabled: 'badge-danger', error: 'badge-danger' };

/** A call outcome (ok, timeout, rate limited, error) or a state in a coloured pill. */
export const Badge = (props: { value: string }) => <span class={`badge ${TONE[props.value] ?? ''}`}>{props.value.replace(/_/g, ' ')}</span>;

/** What the call log's `outcome` may be. */
export const OUTCOMES = ['ok', 'timeout', 'rate_limited', 'error'];

/** `<select>` and `<textarea>` in the look the shell gives inputs. */
export const fieldStyle = {
  font: 'inherit',
  width: '100%',
  padding: '0.5rem 0.65rem',
  border: '1px solid var(--border)',
  borderRadius: '6px',
  background: 'var(--surface)',
  color: 'var(--text)',
};

/** "hours, open，营业" → ["hours", "open", "营业"] (blanks dropped; ASCII and full-width commas). */
export const splitList = (text: string) =>
  text
    .split(/[,，、]/)
    .map((n) => n.trim())
    .filter(Boolean);

export const plural = (n: number, one: string, many: string) => `${n.toLocaleString()} ${n === 1 ? one : many}`;

/** Milliseconds as "85 ms" or "1.2 s". */
export const duration = (ms: number) => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`);

/** An estimated cost (tiny amounts: up to six decimals) in the viewer's locale. */
export function formatCost(amount: number, currency: string): string {
  const digits = { minimumFractionDigits: 2, maximumFractionDigits: 6 };
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency, ...digits }).format(amount);
  } catch {
    return `${amount.toLocaleString(undefined, digits)} ${currency}`; // not a currency Intl knows
  }
}
