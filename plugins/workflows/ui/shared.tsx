// What the workflows pages share: the API base and reply shapes, who may change things, moving
// between the pages, the 422 field errors of the /api/v2 face, a pager, a confirm dialog, badges,
// JSON blocks and the "Run now" dialog.
import { useState } from 'preact/hooks';
import { sampleText } from './sample.js';
import { api, ApiError, Dialog, ErrorBanner, fieldStyle, setQueryParams, t, tOr, tx, useAction, useApi, useTenantAdmin } from 'plinth/plugin/ui';
export { Pager, ConfirmDialog, plural } from 'plinth/plugin/ui';
export { fieldStyle, withQuery } from 'plinth/plugin/ui';

export { useAction };

/** The workflows plugin's face (MoltFlow style, beside auth and billing; the pages call it with the session cookie). */
export const BASE = '/api/v2/workflows';

/** Where each page lives (the manifest's page paths under /admin/workflows). */
export const PAGES = { list: '/admin/workflows', edit: '/admin/workflows/edit', runs: '/admin/workflows/runs' };

export type { JsonSchema } from './json-schema.js';
import type { JsonSchema } from './json-schema.js';
export type TriggerType = 'event' | 'cron' | 'webhook' | 'manual';
export const TRIGGER_TYPES: TriggerType[] = ['event', 'cron', 'webhook', 'manual'];

export interface Trigger {
  type: TriggerType;
  event?: string;
  cron?: string;
  signed?: boolean;
}

export interface Retry {
  attempts?: number;
  backoff_base_ms?: number;
  backoff_max_ms?: number;
}

export interface Step {
  id: string;
  action: string;
  input: Record<string, unknown>;
  retry?: Retry;
}

export interface Definition {
  trigger: Trigger;
  condition: JsonSchema | null;
  steps: Step[];
}

/** GET /workflows/{id} (and each item of GET /workflows). */
export interface Workflow extends Definition {
  id: string;
  name: string;
  description: string;
  enabled: boolean;
  version: number;
  /** Webhook triggers: `url` and `secret` only in the reply that made them (shown once). */
  webhook: { signed: boolean; url?: string | null; secret?: string | null } | null;
  secrets: string[];
  missing_secrets: string[];
  next_run_at: string | null;
  created_by: string | null;
  created_at: string;
  updated_at: string;
}

/** The API's list shape: `?page=1&page_size=20`. */
export interface PageOf<T> {
  items: T[];
  total: number;
  page: number;
  page_size: number;
  pages: number;
}

/** GET /workflows/actions */
export interface ActionInfo {
  name: string;
  plugin: string;
  description: string;
  input: JsonSchema;
  output: JsonSchema;
}

/** GET /workflows/events */
export interface EventInfo {
  name: string;
  plugin: string;
  version: number;
  description: string | null;
  schema: JsonSchema;
}

export type RunStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'stopped' | 'blocked';
export const RUN_STATUSES: RunStatus[] = ['pending', 'running', 'succeeded', 'failed', 'stopped', 'blocked'];

/** One item of GET /workflows/runs. */
export interface RunSummary {
  id: number;
  workflow_id: string;
  version: number;
  trigger: { type: string; key: string | null };
  status: RunStatus;
  reason: string | null;
  /** The reason as a code with its values (null for runs from before codes: `reason` shows as it is). */
  reason_code: string | null;
  reason_args: Record<string, string | number> | null;
  current_step: number;
  chain: string[];
  depth: number;
  rerun_of: number | null;
  next_at: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

export interface RunStep {
  index: number;
  id: string;
  action: string;
  status: string;
  input: unknown;
  output: unknown;
  error: string | null;
  attempts: number;
  history: Array<{ attempt: number; started_at: string; finished_at?: string; error?: string }>;
  started_at: string | null;
  finished_at: string | null;
  duration_ms: number | null;
}

/** GET /workflows/runs/{runId} */
export interface RunDetail extends RunSummary {
  trigger_payload: unknown;
  steps: RunStep[];
}

/** What POST /workflows/{id}/run and /runs/{id}/rerun answer. */
export interface StartReply {
  run_id: number | null;
  status: 'pending' | 'duplicate' | 'blocked' | 'not_matched';
  reason?: string;
}

/** Owners and admins change things; members see the pages read-only. */
export const useCanManage = useTenantAdmin;

/** Opens another admin page the way a link does (a history entry and the shell's navigate event). */
export function go(href: string): void {
  history.pushState(null, '', href);
  window.dispatchEvent(new Event('plinth:navigate'));
}

export const editHref = (id: string) => `${PAGES.edit}?id=${encodeURIComponent(id)}`;
export const runHref = (runId: number) => `${PAGES.runs}?run=${runId}`;
export const runsOfHref = (workflowId: string) => `${PAGES.runs}?workflow=${encodeURIComponent(workflowId)}`;

/** A filter of a listing page changed: set it in the URL (so the view can be linked) and go back to page 1. */
export const setFilter = (name: string, value: string) => setQueryParams({ [name]: value || null, page: null });

/** The `?page=` of a listing page, 1 when absent or not a page number. */
export const pageNumber = (text: string | null) => Math.max(1, Math.floor(Number(text)) || 1);

/**
 * The field errors of a 422 from the /api/v2 face (`{ detail: [{ loc: ['body', 'steps', '0', 'id'], msg }] }`),
 * by path without `body` (`steps.0.id`); several messages for one path are joined.
 */
export function fieldErrors(error: Error | null): Record<string, string> {
  if (!(error instanceof ApiError) || error.status !== 422) return {};
  const detail = (error.body as { detail?: unknown } | null)?.detail;
  if (!Array.isArray(detail)) return {};
  const out: Record<string, string> = {};
  for (const d of detail as Array<{ loc?: unknown[]; msg?: string }>) {
    const path = (d.loc ?? [])
      .map(String)
      .filter((part, i) => !(i === 0 && part === 'body'))
      .join('.');
    const msg = d.msg ?? t('workflows.shared.invalid');
    out[path] = out[path] ? `${out[path]}; ${msg}` : msg;
  }
  return out;
}

/** The errors whose path is `prefix` or under it, as "rest: message" lines. */
export function errorsUnder(errors: Record<string, string>, prefix: string): string[] {
  return Object.entries(errors)
    .filter(([path]) => path === prefix || path.startsWith(`${prefix}.`))
    .map(([path, msg]) => (path === prefix ? msg : `${path.slice(prefix.length + 1)}: ${msg}`));
}

/** Messages under a field, tied to it by id (`aria-describedby`). */
export function FieldMessages(props: { id: string; messages: string[] }) {
  if (!props.messages.length) return null;
  return (
    <span id={props.id} class="error-text" style={{ display: 'block', fontSize: '0.85rem', marginTop: '0.25rem', whiteSpace: 'pre-line' }}>
      {props.messages.join('\n')}
    </span>
  );
}

const TONE: Record<string, string> = {
  succeeded: 'badge-ok',
  enabled: 'badge-ok',
  running: 'badge-warn',
  pending: 'badge-warn',
  waiting: 'badge-warn',
  retrying: 'badge-warn',
  stopped: '',
  disabled: '',
  failed: 'badge-danger',
  blocked: 'badge-danger',
};

/** A run's or a step's status (or enabled/disabled) in words; one the UI does not know as it is. */
export const statusText = (value: string) => t('workflows.status', { value, label: value });

/** A run's or a step's status (or enabled/disabled) in a coloured pill. */
export const Badge = (props: { value: string }) => <span class={`badge ${TONE[props.value] ?? ''}`}>{statusText(props.value)}</span>;

/** How hints name "a template" ({{template}}), in the UI's language. */
export const templateToken = () => t('workflows.shared.templateToken');

/** A text area for JSON (or templates): monospace, no spell check. */
export const codeStyle = { ...fieldStyle, resize: 'vertical' as const, fontFamily: 'ui-monospace, SFMono-Regular, Menlo, monospace', fontSize: '0.85rem' };

/** A value as indented JSON in a scrollable block; `label` names it for screen readers. */
export function JsonBlock(props: { value: unknown; label: string }) {
  const text = props.value === undefined ? '' : typeof props.value === 'string' ? props.value : JSON.stringify(props.value, null, 2);
  return (
    <pre
      role="region"
      aria-label={props.label}
      style={{
        margin: '0.25rem 0 0',
        padding: '0.5rem 0.65rem',
        maxHeight: '18rem',
        overflow: 'auto',
        background: 'var(--bg)',
        border: '1px solid var(--border)',
        borderRadius: '6px',
        fontSize: '0.82rem',
        whiteSpace: 'pre-wrap',
        wordBreak: 'break-word',
      }}
    >
      <code>{text || '—'}</code>
    </pre>
  );
}

/**
 * JSON text to a value, or why it is not JSON: `error` to show under a field ("is not valid JSON: …"),
 * `detail` the parser's own words for a sentence that names what is not JSON.
 */
export function parseJson(text: string): { value?: unknown; error?: string; detail?: string } {
  try {
    return { value: JSON.parse(text) };
  } catch (err) {
    const detail = (err as Error).message;
    return { error: t('workflows.shared.notJson', { detail }), detail };
  }
}

export { isPlainObject } from './json-schema.js';
import { isPlainObject } from './json-schema.js';

/** "event auth.login", "cron 0 9 * * 1", "webhook (signed)", "manual". */
export const triggerText = (trigger: Trigger): string =>
  t('workflows.shared.triggerText', { type: trigger.type, event: trigger.event ?? '?', cron: trigger.cron ?? '?', signed: String(Boolean(trigger.signed)) });

/** Milliseconds as "85 ms" or "1.2 s". */
export const duration = (ms: number | null | undefined) =>
  ms === null || ms === undefined
    ? '—'
    : ms < 1000
      ? t('workflows.duration.ms', { ms: Math.round(ms) })
      : t('workflows.duration.s', { s: (ms / 1000).toFixed(1) });

/** Why a run failed, stopped or was blocked, in the UI's language when its code is known; what an action or a person wrote stays as written. */
export const reasonText = (r: Pick<RunSummary, 'reason' | 'reason_code' | 'reason_args'>): string | null =>
  r.reason_code && r.reason ? tOr(`workflows.reason.${r.reason_code}`, r.reason, r.reason_args ?? {}) : r.reason;

/** A run's time from its creation (or start) to its end, or so far. */
export function runDuration(r: Pick<RunSummary, 'created_at' | 'started_at' | 'finished_at'>): string {
  if (!r.finished_at) return '—';
  return duration(new Date(r.finished_at).getTime() - new Date(r.started_at ?? r.created_at).getTime());
}

/**
 * "Run now": a JSON payload (the trigger data the steps' templates see), POST /workflows/{id}/run,
 * then the new run's page. The workflow's condition must match the payload; the server says why not.
 */
export function RunNowDialog(props: { workflow: Pick<Workflow, 'id' | 'name' | 'trigger' | 'condition'>; onClose(): void }) {
  const { trigger, condition } = props.workflow;
  const eventName = trigger.type === 'event' ? trigger.event : undefined;
  // The payload starts as the trigger's sample (as the dry run's does), made to pass the condition.
  const events = useApi<EventInfo[]>(`${BASE}/events`);
  const ready = !eventName || events.data !== undefined || events.error !== null;
  const [typed, setText] = useState<string | null>(null);
  const text = typed ?? (ready ? sampleText(events.data?.find((e) => e.name === eventName)?.schema, condition) : '');
  const { error, setError, busy, run } = useAction();
  const submit = (event: Event) => {
    event.preventDefault();
    const parsed = parseJson(text.trim() || '{}');
    if (parsed.error) return setError(new Error(t('workflows.runNow.notJson', { detail: parsed.detail })));
    if (!isPlainObject(parsed.value)) return setError(new Error(t('workflows.runNow.notObject', { example: '{ "code": "123456" }' })));
    void run(async () => {
      const reply = await api<StartReply>(`${BASE}/${props.workflow.id}/run`, { body: { payload: parsed.value } });
      if (reply.run_id === null) throw new Error(t('workflows.runNow.notStarted', { status: reply.status }));
      props.onClose();
      go(runHref(reply.run_id));
    });
  };
  return (
    <Dialog title={t('workflows.runNow.title', { name: props.workflow.name })} onClose={props.onClose}>
      <form onSubmit={submit} noValidate>
        <ErrorBanner error={error} />
        <label for="run-now-payload">{t('workflows.runNow.payload')}</label>
        <textarea
          id="run-now-payload"
          rows={8}
          spellcheck={false}
          autoFocus
          value={text}
          onInput={(e) => setText(e.currentTarget.value)}
          style={codeStyle}
          aria-describedby="run-now-hint"
        />
        <span id="run-now-hint" class="muted" style={{ fontSize: '0.85rem' }}>
          {tx('workflows.runNow.hint', { example: '{{trigger.…}}', code: (text: string) => <code>{text}</code> })}
        </span>
        <div class="form-actions">
          <button type="submit" disabled={busy}>
            {t('workflows.runNow.submit', { busy: String(busy) })}
          </button>
          <button type="button" class="secondary" onClick={props.onClose}>
            {t('kit.cancel')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
