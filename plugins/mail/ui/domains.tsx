// Mail domains (superadmins): the ones from config/env (read-only) and the ones added here, each
// offered to every tenant or to one; add and remove (removal is refused while mailboxes exist).
import { useState } from 'preact/hooks';
import { api, ErrorBanner, Page, Table, useApi } from 'plinth/plugin/ui';
import type { DomainView as DomainRow } from '../services/domains.js';
import { BASE, ConfirmDialog, explain, fieldStyle, plural, Stamp, useAction } from './shared.js';

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
      <h2 id="add-domain-title">Add a domain</h2>
      <ErrorBanner error={explain(error)} />
      <form class="inline-form" onSubmit={submit} style={{ flexWrap: 'wrap' }}>
        <div class="grow" style={{ minWidth: '14rem' }}>
          <label for="domain-name">Domain</label>
          <input
            id="domain-name"
            autoComplete="off"
            maxLength={253}
            placeholder="e.g. mail.example.com"
            value={domain}
            onInput={(e) => setDomain(e.currentTarget.value)}
          />
        </div>
        <div style={{ minWidth: '14rem' }}>
          <label for="domain-tenant">Offered to</label>
          <select id="domain-tenant" value={tenantId} onChange={(e) => setTenantId(e.currentTarget.value)} style={fieldStyle}>
            <option value="">Every tenant</option>
            {props.tenants.map((t) => (
              <option key={t.id} value={t.id}>
                {t.name}
              </option>
            ))}
          </select>
        </div>
        <div style={{ width: '10rem' }}>
          <label for="domain-hours">Mailbox lifetime (hours)</label>
          <input id="domain-hours" type="number" min={1} placeholder="default" value={hours} onInput={(e) => setHours(e.currentTarget.value)} />
        </div>
        <button type="submit" disabled={busy || !domain.trim()}>
          Add domain
        </button>
      </form>
      {added ? (
        <p class="notice" role="status" style={{ margin: 0 }}>
          Added <strong>{added}</strong>. Point its MX record at this server to receive mail for it.
        </p>
      ) : null}
    </section>
  );
}

export function DomainsPage() {
  const list = useApi<DomainRow[]>(`${BASE}/admin/domains`);
  const tenants = useTenants();
  const [removing, setRemoving] = useState<DomainRow | null>(null);
  const names = new Map((tenants.data?.items ?? []).map((t) => [t.id, t.name]));
  return (
    <Page
      title="Mail domains"
      actions={
        <button type="button" class="secondary" onClick={list.reload}>
          Refresh
        </button>
      }
    >
      {removing ? (
        <ConfirmDialog
          title={`Remove ${removing.domain}?`}
          action="Remove domain"
          onClose={() => setRemoving(null)}
          onConfirm={async () => {
            await api(`${BASE}/admin/domains/${encodeURIComponent(removing.domain)}`, { method: 'DELETE' });
            list.reload();
          }}
        >
          <p style={{ margin: '0 0 0.75rem' }}>
            New mailboxes can no longer be made at it, and mail for it is refused. A domain that still has mailboxes cannot be removed.
          </p>
        </ConfirmDialog>
      ) : null}
      <AddDomain tenants={tenants.data?.items ?? []} onAdded={list.reload} />
      <section class="card" aria-labelledby="domains-title">
        <h2 id="domains-title">Domains</h2>
        <ErrorBanner error={list.error} />
        <Table
          rows={list.data ?? []}
          rowKey={(d) => d.domain}
          empty={list.loading ? 'Loading…' : 'No domains.'}
          columns={[
            { label: 'Domain', value: (d) => d.domain },
            { label: 'Offered to', value: (d) => (d.tenant_id ? (names.get(d.tenant_id) ?? d.tenant_id) : 'Every tenant') },
            { label: 'Mailboxes', value: (d) => plural(d.mailboxes, 'mailbox', 'mailboxes') },
            { label: 'Lifetime', value: (d) => (d.mailbox_hours ? `${d.mailbox_hours} h` : 'default') },
            { label: 'Added', value: (d) => (d.read_only ? <span class="badge">config</span> : <Stamp value={d.created_at} />) },
            {
              label: 'Actions',
              value: (d) =>
                d.read_only ? (
                  <span class="muted" title="Set in config or PLINTH_MAIL_DOMAINS">
                    from config
                  </span>
                ) : (
                  <button type="button" class="danger small" aria-label={`Remove ${d.domain}`} onClick={() => setRemoving(d)}>
                    Remove
                  </button>
                ),
            },
          ]}
        />
      </section>
    </Page>
  );
}
