// What the robots pages share: the API base, the reply shapes, a live (polling) GET, a pager, a
// confirm dialog, status badges and small helpers.
import { ApiError, t, useAction, useApi, useLiveReload, type Loaded, type LiveReloadOptions } from 'plinth/plugin/ui';
export { Pager, ConfirmDialog } from 'plinth/plugin/ui';
export { fieldStyle, withQuery } from 'plinth/plugin/ui';

export { useAction };

/** The robots plugin's face (the seed's WorkBot API; the pages call it with the session cookie). */
export const BASE = '/workbot/api';

/** Where each page lives (the manifest's page paths under /admin/robots). */
export const PAGES = { robots: '/admin/robots', codes: '/admin/robots/codes', users: '/admin/robots/users' };

/** Every answer of this face: `{ code: 0, message, data }`. */
export interface Reply<T> {
  code: number;
  message: string;
  data: T;
}

/** The seed's list shape. */
export interface List<T> {
  total: number;
  list: T[];
}

/** One row of GET /api/admin/users: the seed's role (admin: a WorkBot admin; else user), and the role in their tenant beside it. */
export interface UserRow {
  /** The user's number (the seed's integer userId). */
  userId: number;
  nickname: string;
  phone: string | null;
  email: string | null;
  role: 'user' | 'admin';
  tenantRole?: 'owner' | 'admin' | 'member';
  status: 'active' | 'suspended';
  robotCount: number;
  totalActivationCodes: number;
  createdAt: string;
  lastLoginAt: string | null;
}

/** "admin", "user", or with the tenant role where it says more: "admin (owner)", "user (owner)" for a customer's owner. */
export const roleLabel = (u: UserRow) => {
  const role = t('robots.role', { role: u.role });
  return u.tenantRole && u.tenantRole !== 'member' && u.tenantRole !== u.role
    ? t('robots.roleWithTenant', { role, tenantRole: t('robots.role', { role: u.tenantRole }) })
    : role;
};

/** A user by name and email (or phone), for lists and pickers. */
export const userLabel = (u: UserRow) => [u.nickname, u.email ?? u.phone].filter(Boolean).join(' · ') || u.userId;

export type CommandStatus = 'pending' | 'sent' | 'succeeded' | 'failed' | 'expired' | 'awaiting_approval' | 'rejected';

/** A refusal that polling again will not fix (signed out, not found, not allowed). */
const refused = (error: Error | null) => error instanceof ApiError && error.status >= 400 && error.status < 500 && error.status !== 408 && error.status !== 429;

/** Seconds the server asked us to wait (the seed's 429 body carries `data.retryAfter`). */
function retryAfterMs(error: Error | null): number | null {
  if (!(error instanceof ApiError) || error.status !== 429) return null;
  const seconds = Number((error.body as { data?: { retryAfter?: unknown } } | null)?.data?.retryAfter);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 30_000;
}

/**
 * useApi, fetched again when the live channel says a robot changed (activated, removed, came or
 * went, reported a message, finished a command), a burst coalesced into one fetch; `when` narrows
 * it (one robot's). Only while the channel is down does it poll, every `everyMs` while the page is
 * visible: each fetch counts against the seed's per-user budget (60 a minute), so a 429 waits as
 * long as the server says, and a refusal (4xx) stops it until `reload`.
 */
export function useLiveApi<T>(path: string, everyMs: number, when?: LiveReloadOptions['when']): Loaded<T> & { live: boolean } {
  const loaded = useApi<T>(path);
  const { error } = loaded;
  const live = useLiveReload('robot.', loaded.reload, { pollMs: retryAfterMs(error) ?? everyMs, paused: refused(error), when });
  return { ...loaded, live };
}

const TONE: Record<string, string> = {
  online: 'badge-ok',
  active: 'badge-ok',
  succeeded: 'badge-ok',
  awaiting_approval: 'badge-warn',
  expired: 'badge-warn',
  failed: 'badge-danger',
  rejected: 'badge-danger',
  disabled: 'badge-danger',
  revoked: 'badge-danger',
  suspended: 'badge-danger',
};

/** A status word in a coloured pill: robot (online/offline), command, activation code or user. */
export const StatusBadge = (props: { status: string }) => (
  <span class={`badge ${TONE[props.status] ?? ''}`}>{t('robots.status', { status: props.status, label: props.status.replace(/_/g, ' ') })}</span>
);

/** "Zhang San, Li Si" → ["Zhang San", "Li Si"] (blanks dropped). */
export const names = (text: string) =>
  text
    .split(/[,，]/)
    .map((n) => n.trim())
    .filter(Boolean);

export const plural = (n: number, one: string, many: string) => `${n.toLocaleString()} ${n === 1 ? one : many}`;
