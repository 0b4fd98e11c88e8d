// One tenant (superadmin), opened from Tenants: rename, suspend or unsuspend, delete, and every
// enabled plugin's section of it (owner and members, plan, API keys, robots, mailboxes, licenses,
// recent audit…). Sections come from the server (core/overview/tenant.ts) and are drawn here the
// same way whoever contributed them. Deleting first shows what goes, counted by each plugin.
import { useState } from 'preact/hooks';
import { api, cardWords, ConfirmDialog, ErrorBanner, formatNumber, Page, Table, Time, t, tOr, tx, useApi, useQueryParam } from 'plinth/plugin/ui';
import type { CardMessage, TenantDeletion, TenantFact, TenantSection } from 'plinth/plugin';
import { BASE, StatusBadge, useAction } from './shared.js';

const LIST = '/admin/auth/tenants';

interface TenantView {
  id: string;
  name: string;
  status: 'active' | 'suspended';
  is_operator: boolean;
  user_count: number;
  created_at: string;
}

interface Deletion {
  tenant: { id: string; name: string };
  blocked: string | null;
  goes: TenantDeletion[];
}

interface Me {
  tenant_id: string | null;
}

/** "robots" is a plugin's name; the confirmation says whose rows they are by the plugin's group name in the nav, capitalised. */
const pluginTitle = (name: string) => {
  const group = tOr(`${name}.nav.group`, name);
  return group.charAt(0).toUpperCase() + group.slice(1);
};

/** A number in the viewer's locale; words in the viewer's language when the server gave their message. */
const shown = (value: string | number, message: CardMessage | null | undefined): string =>
  typeof value === 'number' ? formatNumber(value) : cardWords(value, message ?? undefined);

function Fact(props: { fact: TenantFact }) {
  const { fact } = props;
  const value = shown(fact.value, fact.messages?.value);
  return (
    <div>
      <dt>{cardWords(fact.label, fact.messages?.label)}</dt>
      <dd>{fact.href ? <a href={fact.href}>{value}</a> : value}</dd>
    </div>
  );
}

function Section(props: { section: TenantSection }) {
  const { section } = props;
  const titleId = `section-${section.id.replace(/[^a-z0-9-]/gi, '-')}`;
  const times = new Set(section.table?.times ?? []);
  const title = cardWords(section.title, section.messages?.title);
  const cells = section.table?.messages?.cells;
  return (
    <section class="card" aria-labelledby={titleId} data-section={section.id}>
      <h2 id={titleId}>{title}</h2>
      {section.error ? <p class="error">{cardWords(section.error, section.messages?.error)}</p> : null}
      {section.facts?.length ? (
        <dl class="facts">
          {section.facts.map((f) => (
            <Fact key={f.label} fact={f} />
          ))}
        </dl>
      ) : null}
      {section.table ? (
        <>
          <Table
            caption={title}
            rows={section.table.rows.map((row, r) => ({ row, r }))}
            empty={t('auth.tenant.none')}
            columns={section.table.columns.map((label, i) => ({
              label: cardWords(label, section.table?.messages?.columns?.[i]),
              value: ({ row, r }: { row: Array<string | number | null>; r: number }) => {
                const cell = row[i];
                return times.has(label) ? <Time value={cell} /> : cell === null ? '—' : shown(cell, cells?.[r]?.[i]);
              },
            }))}
          />
          {section.table.total !== undefined && section.table.total > section.table.rows.length ? (
            <p class="muted">{t('auth.tenant.latest', { shown: section.table.rows.length, total: section.table.total })}</p>
          ) : null}
        </>
      ) : null}
      {section.href ? (
        <p>
          <a href={section.href}>{t('auth.tenant.open', { title })}</a>
        </p>
      ) : null}
    </section>
  );
}

function Rename(props: { tenant: TenantView; onDone(): void }) {
  const [name, setName] = useState(props.tenant.name);
  const { error, busy, run } = useAction();
  const submit = async (event: Event) => {
    event.preventDefault();
    if (await run(() => api(`${BASE}/admin/tenants/${props.tenant.id}`, { method: 'PATCH', body: { name: name.trim() } }))) props.onDone();
  };
  return (
    <form class="inline-form" onSubmit={submit} aria-label={t('auth.tenant.renameLabel')}>
      <ErrorBanner error={error} />
      <div class="grow">
        <label for="tenant-rename">{t('auth.tenant.name')}</label>
        <input id="tenant-rename" required maxLength={200} value={name} onInput={(e) => setName(e.currentTarget.value)} />
      </div>
      <button type="submit" disabled={busy || !name.trim() || name.trim() === props.tenant.name}>
        {busy ? t('auth.tenant.renaming') : t('auth.tenant.rename')}
      </button>
    </form>
  );
}

function DeleteDialog(props: { tenant: TenantView; onClose(): void; onDeleted(): void }) {
  const what = useApi<Deletion>(`${BASE}/admin/tenants/${props.tenant.id}/deletion`);
  const [typed, setTyped] = useState('');
  const d = what.data;
  return (
    <ConfirmDialog
      title={t('auth.tenant.deleteTitle', { name: props.tenant.name })}
      action={t('auth.tenant.deleteAction')}
      onClose={props.onClose}
      onConfirm={async () => {
        if (!d || d.blocked) throw new Error(d?.blocked ?? t('auth.tenant.stillCounting'));
        if (typed.trim() !== props.tenant.name) throw new Error(t('auth.tenant.typeName'));
        await api(`${BASE}/admin/tenants/${props.tenant.id}`, { method: 'DELETE' });
        props.onDeleted();
      }}
    >
      <ErrorBanner error={what.error} />
      {d?.blocked ? <p class="error">{d.blocked}</p> : null}
      {d && !d.blocked ? (
        <>
          <p>{t('auth.tenant.cannotUndo')}</p>
          <ul aria-label={t('auth.tenant.whatGoes')}>
            {d.goes.map((p) => (
              <li key={p.plugin}>
                {tx('auth.tenant.goesLine', {
                  b: (text: string) => <strong>{text}</strong>,
                  plugin: pluginTitle(p.plugin),
                  rows: p.rows
                    .map((r) => t('auth.tenant.goesRow', { count: formatNumber(r.count), label: cardWords(r.label, r.message) }))
                    .join(t('auth.tenant.goesSeparator')),
                })}
              </li>
            ))}
          </ul>
          <p class="muted">{t('auth.tenant.auditStays')}</p>
          <label for="tenant-delete-confirm">{t('auth.tenant.confirmLabel', { name: props.tenant.name })}</label>
          <input id="tenant-delete-confirm" value={typed} onInput={(e) => setTyped(e.currentTarget.value)} autocomplete="off" />
        </>
      ) : what.loading ? (
        <p role="status">{t('auth.tenant.counting')}</p>
      ) : null}
    </ConfirmDialog>
  );
}

export function TenantPage() {
  const id = useQueryParam('id');
  // Made only for a tenant: leaving the page drops the id from the URL a moment before the shell
  // unmounts it, and a page made without one would ask the server for `tenants//sections`.
  if (id) return <Tenant key={id} id={id} />;
  return (
    <Page title={t('auth.tenant.title')}>
      <p>
        <a href={LIST}>{t('auth.tenant.allTenants')}</a>
      </p>
    </Page>
  );
}

function Tenant({ id }: { id: string }) {
  const page = useApi<{ tenant: TenantView; sections: TenantSection[] }>(`${BASE}/admin/tenants/${encodeURIComponent(id)}/sections`);
  const me = useApi<Me>('/admin/api/me');
  const { error, busy, run } = useAction();
  const [deleting, setDeleting] = useState(false);
  const [deleted, setDeleted] = useState<string | null>(null);
  const tenant = page.data?.tenant;
  // The operator tenant and the signed-in superadmin's own are never suspended or deleted from here (the server refuses too).
  const protectedTenant = tenant ? tenant.is_operator || me.data?.tenant_id === tenant.id : true;
  const setStatus = (status: TenantView['status']) =>
    run(async () => {
      await api(`${BASE}/admin/tenants/${id}`, { method: 'PATCH', body: { status } });
      page.reload();
    });

  if (deleted) {
    return (
      <Page title={t('auth.tenant.deletedTitle')}>
        <p class="notice" role="status">
          {t('auth.tenant.deletedNotice', { name: deleted })}
        </p>
        <p>
          <a href={LIST}>{t('auth.tenant.allTenants')}</a>
        </p>
      </Page>
    );
  }
  return (
    <Page title={tenant ? tenant.name : t('auth.tenant.title')}>
      <p style={{ margin: '0 0 1rem' }}>
        <a href={LIST}>{t('auth.tenant.allTenants')}</a>
      </p>
      <ErrorBanner error={error ?? page.error} />
      {tenant ? (
        <>
          <div class="card">
            <dl class="facts">
              <div>
                <dt>{t('auth.tenant.status')}</dt>
                <dd>
                  <StatusBadge status={tenant.status} />
                  {tenant.is_operator ? (
                    <>
                      {' '}
                      <span class="badge badge-ok">{t('auth.tenant.operator')}</span>
                    </>
                  ) : null}
                </dd>
              </div>
              <div>
                <dt>{t('auth.tenant.users')}</dt>
                <dd>{formatNumber(tenant.user_count)}</dd>
              </div>
              <div>
                <dt>{t('auth.tenant.created')}</dt>
                <dd>
                  <Time value={tenant.created_at} />
                </dd>
              </div>
            </dl>
            <Rename key={tenant.name} tenant={tenant} onDone={page.reload} />
            {protectedTenant ? null : (
              <div class="form-actions">
                {tenant.status === 'active' ? (
                  <button type="button" class="danger" disabled={busy} onClick={() => setStatus('suspended')}>
                    {t('auth.tenant.suspend')}
                  </button>
                ) : (
                  <button type="button" class="secondary" disabled={busy} onClick={() => setStatus('active')}>
                    {t('auth.tenant.unsuspend')}
                  </button>
                )}
                <button type="button" class="danger" onClick={() => setDeleting(true)}>
                  {t('auth.tenant.delete')}
                </button>
              </div>
            )}
          </div>
          {page.data?.sections.map((s) => (
            <Section key={s.id} section={s} />
          ))}
          {deleting ? <DeleteDialog tenant={tenant} onClose={() => setDeleting(false)} onDeleted={() => setDeleted(tenant.name)} /> : null}
        </>
      ) : page.loading ? (
        <p class="muted" role="status">
          {t('auth.tenant.loading')}
        </p>
      ) : null}
    </Page>
  );
}
