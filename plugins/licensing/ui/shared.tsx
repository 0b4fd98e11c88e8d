// What the licensing pages share: the API base, the reply shapes, status badges and small helpers.
import { ApiError } from '../../../core/ui/kit/index.js';

/** The licensing plugin's admin face (the pages call it with the session cookie). */
export const BASE = '/license/api/admin';

export type Plan = 'monthly' | 'yearly' | 'lifetime' | 'custom';
export type LicenseStatus = 'active' | 'revoked' | 'expired' | 'disabled';

/** One row of GET /licenses. */
export interface LicenseRow {
  license_id: string;
  activation_code: string;
  email: string | null;
  plan: Plan;
  device_limit: number;
  active_devices: number;
  issued_at: string;
  valid_until: string | null;
  user_hint: string | null;
  status: LicenseStatus;
}

/** GET /licenses/{license_id}: the license … */
export interface License {
  license_id: string;
  activation_code: string;
  email: string | null;
  plan: Plan;
  product: string;
  device_cap: number;
  active_devices: number;
  issued_at: string;
  valid_until: string | null;
  user_hint: string | null;
  status: LicenseStatus;
  status_reason: string | null;
}

/** … and its devices. */
export interface Device {
  device_id: string;
  device_name: string | null;
  ip_address: string | null;
  status: 'active' | 'deactivated';
  first_seen_at: string;
  last_seen_at: string;
  deactivated_at: string | null;
}

export interface Stats {
  total_licenses: number;
  active_licenses: number;
  plan_statistics: Record<string, number>;
  active_devices: number;
}

export { useAction } from '../../../core/ui/kit/index.js';
export { fieldStyle } from '../../../core/ui/kit/index.js';

/** The server's message, plus what to do next where the reason says it (409 DEVICE_LIMIT_REACHED). */
export function explain(error: Error | null): string | null {
  if (!error) return null;
  if (error instanceof ApiError && (error.body as { reason?: string } | null)?.reason === 'DEVICE_LIMIT_REACHED')
    return `${error.message}. Deactivate another device first.`;
  return error.message;
}

const TONE: Record<string, string> = {
  active: 'badge-ok',
  revoked: 'badge-danger',
  disabled: 'badge-danger',
  expired: 'badge-warn',
  deactivated: 'badge-warn',
};

export const StatusBadge = (props: { status: string }) => <span class={`badge ${TONE[props.status] ?? ''}`}>{props.status}</span>;

/** A valid-until time as a date, with the exact time on hover; "never" for a lifetime license. */
export function ValidUntil(props: { value: string | null }) {
  if (!props.value) return <span>never</span>;
  const past = new Date(props.value) <= new Date();
  return (
    <time dateTime={props.value} title={props.value} class={past ? 'error-text' : undefined} style={{ whiteSpace: 'nowrap' }}>
      {new Date(props.value).toLocaleDateString(undefined, { dateStyle: 'medium' })}
    </time>
  );
}

export const plural = (n: number, one: string, many: string) => `${n.toLocaleString()} ${n === 1 ? one : many}`;
