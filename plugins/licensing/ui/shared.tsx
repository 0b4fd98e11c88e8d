// What the licensing pages share: the API base, the reply shapes, status badges and small helpers.
import { ApiError, formatDate, formatNumber, t } from 'plinth/plugin/ui';
import type { License } from '../api.js';

/** The licensing plugin's admin face (the pages call it with the session cookie). */
export const BASE = '/license/api/admin';

// The replies' shapes are the plugin's own types (api.ts), not copies: GET /licenses/{license_id}
// answers a License and its Devices; a row of GET /licenses is the seed's projection of a License.
export type { Device, License } from '../api.js';
export type Plan = License['plan'];

/** One row of GET /licenses: the seed's names (`device_limit` is the license's device_cap). */
export type LicenseRow = Pick<
  License,
  'license_id' | 'activation_code' | 'email' | 'plan' | 'active_devices' | 'issued_at' | 'valid_until' | 'user_hint' | 'status'
> & { device_limit: number };

export interface Stats {
  total_licenses: number;
  active_licenses: number;
  plan_statistics: Record<string, number>;
  active_devices: number;
}

export { useAction } from 'plinth/plugin/ui';
export { fieldStyle } from 'plinth/plugin/ui';

/** The server's message, plus what to do next where the reason says it (409 DEVICE_LIMIT_REACHED). */
export function explain(error: Error | null): string | null {
  if (!error) return null;
  if (error instanceof ApiError && (error.body as { reason?: string } | null)?.reason === 'DEVICE_LIMIT_REACHED')
    return t('licensing.error.deviceLimit', { message: error.message });
  return error.message;
}

const TONE: Record<string, string> = {
  active: 'badge-ok',
  revoked: 'badge-danger',
  disabled: 'badge-danger',
  expired: 'badge-warn',
  deactivated: 'badge-warn',
};

export const StatusBadge = (props: { status: string }) => (
  <span class={`badge ${TONE[props.status] ?? ''}`}>{t('licensing.status', { status: props.status })}</span>
);

/** A valid-until time as a date, with the exact time on hover; "never" for a lifetime license. */
export function ValidUntil(props: { value: string | null }) {
  if (!props.value) return <span>{t('licensing.never')}</span>;
  const past = new Date(props.value) <= new Date();
  return (
    <time dateTime={props.value} title={props.value} class={past ? 'error-text' : undefined} style={{ whiteSpace: 'nowrap' }}>
      {formatDate(props.value)}
    </time>
  );
}

/** A plan's name in the UI's language (the server's id when it is not one of the three). */
export const planName = (plan: string) => t('licensing.plan', { plan });

export { formatNumber };
