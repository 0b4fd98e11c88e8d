// Mail domains (superadmins): the ones from config/env (read-only) and the ones added here, each
// offered to every tenant or to one; add and remove (removal is refused while mailboxes exist).
import { useState } from 'preact/hooks';
import { api, ErrorBanner, Page, Table, t, tx, useApi } from 'plinth/plugin/ui';
import type { DomainView as DomainRow } from '../services/domains.js';
import { BASE, ConfirmDialog, explain, fieldStyle, Stamp, useAction } from './shared.js';

interface Tenant {
  id: string;
  name: string;
}

/** Tenants to offer a domain to (the auth plugin's admin list, first 100 by newest). */
const useTenants = () => useApi<{ items: Tenant[] }>('/api/v2/admin/tenants?page_size=100');

function AddDomain(props: { tenants: Tenant[]; onAdded(): void }) {
  const [domain, setDomain] = useState('');
  const [tenantId, setTenantId] = useState('');
  const [hours, setHours] = useState('');
  const [added, setAdded] = useState<string | null>(null);
  const { error, busy, run } = useAction();
  const submit = (event: Event) => {
    event.preventDefault();
    setAdded(null);
    void run(async () => {
      const row = await api<DomainRow>(`${BASE}/admin/domains`, {
        body: { domain: domain.trim(), tenant_id: tenantId || null, mailbox_hours: hours ? Number(hours) : null },
      });
      setAdded(row.domain);
      setDomain('');
      props.onAdded();
    });
  };
  return (
    <section class="card" aria-labelledby="add-domain-title">
      <h2 id="add-domain-title">{t('mail.domains.addTitle')}</h2>
      <ErrorBanner error={explain(error)} />
      <form class="inline-form" onSubmit={submit} style={{ flexWrap: 'wrap' }}>
        <div class="grow" style={{ minWidth: '14rem' }}>
          <label for="domain-name">{t('mail.domains.domain')}</label>
          <input
            id="domain-name"
            autoComplete="off"
            maxLength={253}
            placeholder={t('mail.domains.placeholder')}
            value={domain}
            onInput={(e) => setDomain(e.currentTarget.value)}
          />
        </div>
        <div style={{ minWidth: '14rem' }}>
          <label for="domain-tenant">{t('mail.domains.offeredTo')}</label>
          <select id="domain-tenant" value={tenantId} onChange={(e) => setTenantId(e.currentTarget.value)} style={fieldStyle}>
            <option value="">{t('mail.domains.everyTenant')}</option>
            {props.tenants.map((tenant) => (
              <option key={tenant.id} value={tenant.id}>
                {tenant.name}
              </option>
            ))}
          </select>
        </div>
        <div style={{ width: '10rem' }}>
          <label for="domain-hours">{t('mail.domains.hours')}</label>
          <input
            id="domain-hours"
            type="number"
            min={1}
            placeholder={t('mail.domains.default')}
            value={hours}
            onInput={(e) => setHours(e.currentTarget.value)}
          />
        </div>
        <button type="submit" disabled={busy || !domain.trim()}>
          {t('mail.domains.add')}
        </button>
      </form>
      {added ? (
        <p class="notice" role="status" style={{ margin: 0 }}>
          {tx('mail.domains.added', { domain: added, strong: (text: string) => <strong>{text}</strong> })}
        </p>
      ) : null}
    </section>
  );
}

export function DomainsPage() {
  const list = useApi<DomainRow[]>(`${BASE}/admin/domains`);
  const tenants = useTenants();
  const [removing, setRemoving] = useState<DomainRow | null>(null);
  const names = new Map((tenants.data?.items ?? []).map((tenant) => [tenant.id, tenant.name]));
  return (
    <Page
      title={t('mail.nav.domains')}
      actions={
        <button type="button" class="secondary" onClick={list.reload}>
          {t('mail.refresh')}
        </button>
      }
    >
      {removing ? (
        <ConfirmDialog
          title={t('mail.domains.removeTitle', { domain: removing.domain })}
          action={t('mail.domains.removeAction')}
          onClose={() => setRemoving(null)}
          onConfirm={async () => {
            await api(`${BASE}/admin/domains/${encodeURIComponent(removing.domain)}`, { method: 'DELETE' });
            list.reload();
          }}
        >
          <p style={{ margin: '0 0 0.75rem' }}>{t('mail.domains.removeBody')}</p>
        </ConfirmDialog>
      ) : null}
      <AddDomain tenants={tenants.data?.items ?? []} onAdded={list.reload} />
      <section class="card" aria-labelledby="domains-title">
        <h2 id="domains-title">{t('mail.domains.title')}</h2>
        <ErrorBanner error={list.error} />
        <Table
          rows={list.data ?? []}
          rowKey={(d) => d.domain}
          empty={list.loading ? t('mail.loading') : t('mail.domains.empty')}
          columns={[
            { label: t('mail.domains.domain'), value: (d) => d.domain },
            { label: t('mail.domains.offeredTo'), value: (d) => (d.tenant_id ? (names.get(d.tenant_id) ?? d.tenant_id) : t('mail.domains.everyTenant')) },
            { label: t('mail.domains.mailboxes'), value: (d) => t('mail.domains.mailboxCount', { count: d.mailboxes }) },
            {
              label: t('mail.domains.lifetime'),
              value: (d) => (d.mailbox_hours ? t('mail.domains.hoursValue', { hours: d.mailbox_hours }) : t('mail.domains.default')),
            },
            {
              label: t('mail.domains.addedCol'),
              value: (d) => (d.read_only ? <span class="badge">{t('mail.domains.config')}</span> : <Stamp value={d.created_at} />),
            },
            {
              label: t('mail.col.actions'),
              value: (d) =>
                d.read_only ? (
                  <span class="muted" title={t('mail.domains.fromConfigHint')}>
                    {t('mail.domains.fromConfig')}
                  </span>
                ) : (
                  <button type="button" class="danger small" aria-label={t('mail.domains.removeLabel', { domain: d.domain })} onClick={() => setRemoving(d)}>
                    {t('mail.domains.remove')}
                  </button>
                ),
            },
          ]}
        />
      </section>
    </Page>
  );
}
