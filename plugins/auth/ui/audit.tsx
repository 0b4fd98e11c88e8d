// Audit log (superadmin): who did what to what, from where; filters and pages.
import { useState } from 'preact/hooks';
import { ErrorBanner, LiveNote, Page, t, Table, Time, useLiveReload } from 'plinth/plugin/ui';
import { BASE, Pager, ShortId, usePagedList } from './shared.js';

interface Entry {
  id: number;
  created_at: string;
  actor_type: string;
  actor_id: string | null;
  actor_label: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  ip: string | null;
  details: Record<string, unknown> | null;
}

type Filters = { action: string; actor_id: string; target_id: string; since: string; until: string };
const NONE: Filters = { action: '', actor_id: '', target_id: '', since: '', until: '' };

/** A datetime-local value (the viewer's time zone) as ISO-8601 UTC for the API. */
const toIso = (local: string) => (local ? new Date(local).toISOString() : '');

function FilterForm(props: { onApply(filters: Filters): void }) {
  const [form, setForm] = useState(NONE);
  const field = (name: keyof Filters, label: string, time = false) => {
    const props = {
      id: `audit-${name}`,
      value: form[name],
      onInput: (e: { currentTarget: HTMLInputElement }) => setForm({ ...form, [name]: e.currentTarget.value }),
    };
    return (
      <div>
        <label for={props.id}>{label}</label>
        {time ? <input type="datetime-local" {...props} /> : <input {...props} />}
      </div>
    );
  };
  const apply = (event: Event) => {
    event.preventDefault();
    props.onApply({ ...form, since: toIso(form.since), until: toIso(form.until) });
  };
  const clear = () => {
    setForm(NONE);
    props.onApply(NONE);
  };
  return (
    <form class="card" onSubmit={apply} aria-label={t('auth.audit.filters')}>
      <div class="form-row">
        {field('action', t('auth.audit.action'))}
        {field('actor_id', t('auth.audit.actorId'))}
        {field('target_id', t('auth.audit.targetId'))}
      </div>
      <div class="form-row">
        {field('since', t('auth.audit.since'), true)}
        {field('until', t('auth.audit.until'), true)}
      </div>
      <div class="form-actions">
        <button type="submit">{t('auth.audit.apply')}</button>
        <button type="button" class="secondary" onClick={clear}>
          {t('auth.audit.clear')}
        </button>
      </div>
    </form>
  );
}

/** While the live channel is down. */
const POLL_MS = 15_000;

export function AuditPage() {
  const list = usePagedList<Entry, Filters>(`${BASE}/admin/audit-logs`, NONE);
  // Every tenant's rows (a superadmin's page): its own tenant's events and, through `platform`, the others'.
  const live = useLiveReload('audit.', list.reload, { pollMs: POLL_MS, platform: true });
  return (
    <Page
      title={t('auth.nav.audit')}
      actions={
        <>
          <LiveNote open={live} fallback={t('auth.audit.polling', { seconds: POLL_MS / 1000 })} />
          <button type="button" class="secondary" onClick={list.reload} disabled={list.loading}>
            {t('shell.refresh')}
          </button>
        </>
      }
    >
      <FilterForm onApply={list.filter} />
      <ErrorBanner error={list.error} />
      <div class="card">
        <Table
          rows={list.data?.items ?? []}
          rowKey={(e) => e.id}
          empty={list.loading ? t('kit.loading') : t('auth.audit.empty')}
          columns={[
            { label: t('auth.audit.time'), value: (e) => <Time value={e.created_at} /> },
            {
              label: t('auth.audit.actor'),
              value: (e) => (
                <span translate={false} title={`${e.actor_type}${e.actor_id ? ` ${e.actor_id}` : ''}`}>
                  {e.actor_label ?? e.actor_id ?? e.actor_type}
                </span>
              ),
            },
            { label: t('auth.audit.action'), value: (e) => <code title={e.details ? JSON.stringify(e.details) : undefined}>{e.action}</code> },
            {
              label: t('auth.audit.target'),
              value: (e) =>
                e.target_type ? (
                  <span>
                    <code>{e.target_type}</code> <ShortId id={e.target_id} />
                  </span>
                ) : (
                  '—'
                ),
            },
            { label: t('auth.audit.ip'), value: 'ip' },
          ]}
        />
        <Pager data={list.data} count={(count) => t('auth.audit.count', { count })} onPage={list.setPage} />
      </div>
    </Page>
  );
}
