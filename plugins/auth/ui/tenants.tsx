// Tenants (superadmin): every tenant with its user count, suspend / activate.
import { api, ErrorBanner, Page, Table, Time } from '../../../core/ui/kit/index.js';
import { BASE, Pager, SearchForm, ShortId, StatusBadge, useAction, usePagedList } from './shared.js';

interface Tenant {
  id: string;
  name: string;
  status: 'active' | 'suspended';
  is_operator: boolean;
  user_count: number;
  created_at: string;
}

export function TenantsPage() {
  const list = usePagedList<Tenant, { search: string }>(`${BASE}/admin/tenants`, { search: '' });
  const { error, busy, run } = useAction();
  const setStatus = (tenant: Tenant, status: Tenant['status']) =>
    run(async () => {
      await api(`${BASE}/admin/tenants/${tenant.id}`, { method: 'PATCH', body: { status } });
      list.reload();
    });

  return (
    <Page title="Tenants">
      <SearchForm label="Search by name" value={list.filters.search} onSearch={(search) => list.filter({ search })} />
      <ErrorBanner error={error ?? list.error} />
      <div class="card">
        <Table
          rows={list.data?.items ?? []}
          rowKey={(t) => t.id}
          empty={list.loading ? 'Loading…' : 'No tenants match.'}
          columns={[
            { label: 'Name', value: (t) => (t.is_operator ? `${t.name} (operator)` : t.name) },
            { label: 'Id', value: (t) => <ShortId id={t.id} /> },
            { label: 'Users', value: 'user_count', class: 'num' },
            { label: 'Status', value: (t) => <StatusBadge status={t.status} /> },
            { label: 'Created', value: (t) => <Time value={t.created_at} /> },
            {
              label: 'Actions',
              value: (t) =>
                t.is_operator ? null : t.status === 'active' ? (
                  <button type="button" class="danger small" disabled={busy} onClick={() => setStatus(t, 'suspended')}>
                    Suspend
                  </button>
                ) : (
                  <button type="button" class="secondary small" disabled={busy} onClick={() => setStatus(t, 'active')}>
                    Activate
                  </button>
                ),
            },
          ]}
        />
        <Pager data={list.data} nouns={['tenant', 'tenants']} onPage={list.setPage} />
      </div>
    </Page>
  );
}
