// What the mail pages share: the API base, the reply shapes, the mailbox picker, a confirm dialog,
// status badges and small helpers.
import type { ComponentChildren, ComponentProps } from 'preact';
import { useEffect } from 'preact/hooks';
import {
  ApiError,
  ConfirmDialog as KitConfirmDialog,
  ErrorBanner,
  fieldStyle,
  formatDate,
  formatTime,
  setQueryParams,
  t,
  tx,
  useAction,
  useApi,
} from 'plinth/plugin/ui';
export { fieldStyle, plural } from 'plinth/plugin/ui';

/** The mail plugin's face (the pages call it with the session cookie). */
export const BASE = '/mail/api';

/** Where each page lives (the manifest's page paths under /admin/mail). */
export const PAGES = { mailboxes: '/admin/mail', inbox: '/admin/mail/inbox', compose: '/admin/mail/compose', sent: '/admin/mail/sent' };

/** `/admin/mail/inbox?mailbox=…` and the like, leaving out empty values. */
export function link(page: string, query: Record<string, string | number | null | undefined> = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== null && value !== undefined && value !== '') params.set(key, String(value));
  const qs = params.toString();
  return qs ? `${page}?${qs}` : page;
}

/** One row of GET /api/mailboxes. */
export interface Mailbox {
  id: number;
  address: string;
  created_at: string;
  expires_at: string | null;
  is_pinned: 0 | 1;
  is_favorite: 0 | 1;
  forward_to: string | null;
  last_received_at: string | null;
}

/** One row of GET /api/emails (and of /api/emails/wait). */
export interface EmailSummary {
  id: number;
  sender: string;
  subject: string;
  received_at: string;
  is_read: 0 | 1;
  preview: string | null;
  verification_code: string | null;
}

/** GET /api/email/:id. */
export interface Email {
  id: number;
  mailbox: string;
  sender: string;
  sender_name: string | null;
  to_addrs: string;
  subject: string;
  verification_code: string | null;
  content: string;
  html_content: string;
  attachments: Array<{ filename: string | null; content_type: string; size: number; content_id: string | null }>;
  size: number;
  message_id: string | null;
  received_at: string;
}

export type SentStatus = 'scheduled' | 'sending' | 'sent' | 'failed' | 'canceled';

/** One row of GET /api/sent. */
export interface SentRow {
  id: number;
  resend_id: string;
  recipients: string;
  subject: string;
  status: SentStatus;
  scheduled_at: string | null;
  sent_at: string | null;
  error: string | null;
  created_at: string;
}

export { useAction };

/** The server's `{ error, code }` code (the kit keeps only the status for this envelope). */
export const codeOf = (error: Error | null): string | null => (error instanceof ApiError ? error.code : null);

/** The codes that have a hint in the catalogues (`mail.hint`). */
const HINTS = new Set(['cannot_send', 'usage_limit_reached', 'mailbox_not_found', 'mailbox_exists']);

/** The server's message, plus what to do next where its code says it. */
export function explain(error: Error | null): string | null {
  if (!error) return null;
  const code = codeOf(error);
  return code && HINTS.has(code) ? t('mail.hint', { message: error.message, code }) : error.message;
}

const TONE: Record<string, string> = { sent: 'badge-ok', scheduled: 'badge-warn', failed: 'badge-danger', canceled: '', sending: '' };

export const StatusBadge = (props: { status: string }) => <span class={`badge ${TONE[props.status] ?? ''}`}>{t('mail.status', { status: props.status })}</span>;

/** Bytes as B / KB / MB. */
export function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** The caller's mailboxes (all of them the server shows, up to 500), for pickers. */
export const useMailboxList = () => useApi<Mailbox[]>(`${BASE}/mailboxes?limit=500`);

/**
 * A mailbox chooser bound to the `?mailbox=` query parameter (so a page can be linked to one
 * mailbox, and Back works); `clear` names other parameters that belong to the old choice.
 */
export function MailboxPicker(props: {
  id: string;
  label: string;
  value: string | null;
  param?: string;
  clear?: string[];
  /** With no choice yet, open the list's first mailbox (a pinned one, else the newest) instead of an empty page. */
  pickFirst?: boolean;
  children?: ComponentChildren;
}) {
  const list = useMailboxList();
  const addresses = (list.data ?? []).map((m) => m.address);
  if (props.value && !addresses.includes(props.value)) addresses.unshift(props.value);
  const choose = (address: string) =>
    setQueryParams({ [props.param ?? 'mailbox']: address || null, ...Object.fromEntries((props.clear ?? []).map((name) => [name, null])) });
  const first = props.pickFirst && !props.value ? list.data?.[0]?.address : undefined;
  useEffect(() => {
    // replace: Back leaves the page rather than returning to its empty state.
    if (first) setQueryParams({ [props.param ?? 'mailbox']: first }, { replace: true });
  }, [first, props.param]);
  return (
    <>
      <div class="inline-form">
        <div class="grow" style={{ maxWidth: '28rem' }}>
          <label for={props.id}>{props.label}</label>
          <select id={props.id} value={props.value ?? ''} onChange={(e) => choose(e.currentTarget.value)} style={fieldStyle}>
            <option value="">
              {list.loading && !list.data ? t('mail.compose.loadingMailboxes') : addresses.length ? t('mail.picker.choose') : t('mail.picker.none')}
            </option>
            {addresses.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
        </div>
        {props.children}
      </div>
      <ErrorBanner error={list.error} />
      {list.data && !list.data.length && !props.value ? (
        <p class="muted">{tx('mail.picker.noMailboxes', { link: (text: string) => <a href={PAGES.mailboxes}>{text}</a> })}</p>
      ) : null}
    </>
  );
}

/** The kit's confirm dialog, with mail's wording for its error codes. */
export const ConfirmDialog = (props: Omit<ComponentProps<typeof KitConfirmDialog>, 'explain'>) => <KitConfirmDialog {...props} explain={explain} />;

/** The face's times are seed 003's `2024-01-01 00:00:00` (UTC, no zone; a browser would read local time): as ISO-8601. */
export const instant = <T extends string | null>(value: T): T =>
  (value && /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(value) ? `${value.replace(' ', 'T')}Z` : value) as T;

/** A time in a narrow table column: the date on one line, the time under it; the exact instant on hover. */
export function Stamp(props: { value: string | null }) {
  if (!props.value) return <span>—</span>;
  const date = new Date(instant(props.value));
  if (Number.isNaN(date.getTime())) return <span>{props.value}</span>;
  return (
    <time dateTime={date.toISOString()} title={date.toISOString()} style={{ whiteSpace: 'nowrap' }}>
      {formatDate(date, { dateStyle: 'medium' })}
      <br />
      <span class="muted">{formatTime(date, { timeStyle: 'short' })}</span>
    </time>
  );
}
