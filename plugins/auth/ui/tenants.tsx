// Tenants (superadmin): every tenant with its user count, by name (each opens its tenant page, where
// it is renamed, suspended, unsuspended or deleted); the operator tenant is marked. The operator
// creates a customer tenant with its owner and invites users into a tenant.
import { useState } from 'preact/hooks';
import { api, ErrorBanner, fieldStyle, Page, Table, Time, useApi } from 'plinth/plugin/ui';
import { BASE, Pager, SearchForm, StatusBadge, useAction, usePagedList } from './shared.js';

/** A tenant's page (plugins/auth/ui/tenant.tsx). */
export const tenantHref = (id: string) => `/admin/auth/tenant?id=${encodeURIComponent(id)}`;

interface Tenant {
  id: string;
  name: string;
  status: 'active' | 'suspended';
  is_operator: boolean;
  user_count: number;
  created_at: string;
}

const ROLES = ['owner', 'admin', 'member'] as const;

/** What the reply says happened to the password: set now, or a link mailed. */
const passwordNote = (email: string, invitationSent: boolean) =>
  invitationSent ? `${email} was emailed a link to choose a password.` : `${email} can sign in with the password you set.`;

/** Name, owner email and an optional password (without one the owner gets an invitation mail). */
function CreateTenant(props: { onCreated(): void }) {
  const [form, setForm] = useState({ name: '', owner_email: '', owner_name: '', password: '' });
  const [done, setDone] = useState('');
  const { error, busy, run } = useAction();
  const set = (key: keyof typeof form) => (e: { currentTarget: HTMLInputElement }) => setForm((f) => ({ ...f, [key]: e.currentTarget.value }));
  const submit = async (event: Event) => {
    event.preventDefault();
    setDone('');
    const body = {
      name: form.name.trim(),
      owner_email: form.owner_email.trim(),
      ...(form.owner_name.trim() ? { owner_name: form.owner_name.trim() } : {}),
      ...(form.password ? { password: form.password } : {}),
    };
    let created: { tenant: Tenant; invitation_sent: boolean } | undefined;
    if ((await run(async () => (created = await api(`${BASE}/admin/tenants`, { body })))) && created) {
      setDone(`Created “${created.tenant.name}”. ${passwordNote(body.owner_email, created.invitation_sent)}`);
      setForm({ name: '', owner_email: '', owner_name: '', password: '' });
      props.onCreated();
    }
  };
  return (
    <form class="card" onSubmit={submit} aria-labelledby="create-tenant-title">
      <h2 id="create-tenant-title">Create a customer tenant</h2>
      <ErrorBanner error={error} />
      {done ? (
        <p class="notice" role="status">
          {done}
        </p>
      ) : null}
      <div class="form-row">
        <div>
          <label for="tenant-name">Tenant name</label>
          <input id="tenant-name" required maxLength={200} value={form.name} onInput={set('name')} />
        </div>
        <div>
          <label for="tenant-owner-email">Owner email</label>
          <input id="tenant-owner-email" type="email" required maxLength={320} value={form.owner_email} onInput={set('owner_email')} />
        </div>
        <div>
          <label for="tenant-owner-name">Owner name (optional)</label>
          <input id="tenant-owner-name" maxLength={200} value={form.owner_name} onInput={set('owner_name')} />
        </div>
        <div>
          <label for="tenant-owner-password">Password (optional)</label>
          <input
            id="tenant-owner-password"
            type="password"
            autocomplete="new-password"
            placeholder="empty: email an invitation"
            value={form.password}
            onInput={set('password')}
          />
        </div>
      </div>
      <div class="form-actions">
        <button type="submit" disabled={busy}>
          {busy ? 'Creating…' : 'Create tenant'}
        </button>
      </div>
    </form>
  );
}

/** Adds a user to a tenant by email with a role (an invitation mail unless a password is set). */
function InviteUser(props: { tenants: readonly Tenant[]; onInvited(): void }) {
  const [tenantId, setTenantId] = useState('');
  const [form, setForm] = useState({ email: '', role: 'member', password: '' });
  const [done, setDone] = useState('');
  const { error, busy, run } = useAction();
  const target = tenantId || props.tenants[0]?.id || '';
  const submit = async (event: Event) => {
    event.preventDefault();
    setDone('');
    const body = { email: form.email.trim(), role: form.role, ...(form.password ? { password: form.password } : {}) };
    let invited: { invitation_sent: boolean } | undefined;
    if ((await run(async () => (invited = await api(`${BASE}/admin/tenants/${target}/users`, { body })))) && invited) {
      setDone(`Added ${body.email} as ${body.role}. ${passwordNote(body.email, invited.invitation_sent)}`);
      setForm({ email: '', role: 'member', password: '' });
      props.onInvited();
    }
  };
  return (
    <form class="card" onSubmit={submit} aria-labelledby="invite-user-title">
      <h2 id="invite-user-title">Invite a user into a tenant</h2>
      <ErrorBanner error={error} />
      {done ? (
        <p class="notice" role="status">
          {done}
        </p>
      ) : null}
      <div class="form-row">
        <div>
          <label for="invite-tenant">Tenant</label>
          <select id="invite-tenant" style={fieldStyle} value={target} onChange={(e) => setTenantId(e.currentTarget.value)}>
            {props.tenants.map((t) => (
              <option key={t.id} value={t.id}>
                {t.name}
                {t.is_operator ? ' (operator)' : ''}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="invite-email">Email</label>
          <input
            id="invite-email"
            type="email"
            required
            maxLength={320}
            value={form.email}
            onInput={(e) => setForm((f) => ({ ...f, email: e.currentTarget.value }))}
          />
        </div>
        <div>
          <label for="invite-role">Role</label>
          <select id="invite-role" style={fieldStyle} value={form.role} onChange={(e) => setForm((f) => ({ ...f, role: e.currentTarget.value }))}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="invite-password">Password (optional)</label>
          <input
            id="invite-password"
            type="password"
            autocomplete="new-password"
            placeholder="empty: email an invitation"
            value={form.password}
            onInput={(e) => setForm((f) => ({ ...f, password: e.currentTarget.value }))}
          />
        </div>
      </div>
      <div class="form-actions">
        <button type="submit" disabled={busy || !target}>
          {busy ? 'Inviting…' : 'Invite user'}
        </button>
      </div>
    </form>
  );
}

export function TenantsPage() {
  const list = usePagedList<Tenant, { search: string }>(`${BASE}/admin/tenants`, { search: '' });
  const me = useApi<{ tenant_id: string | null }>('/admin/api/me');
  const { error, busy, run } = useAction();
  // Not the operator tenant, nor the signed-in superadmin's own: suspending either would lock them out (the server refuses too).
  const mayChange = (t: Tenant) => !t.is_operator && me.data !== undefined && me.data.tenant_id !== t.id;
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
            {
              label: 'Name',
              value: (t) =>
                t.is_operator ? (
                  <>
                    <a href={tenantHref(t.id)}>{t.name}</a>{' '}
                    <span class="badge badge-ok" title="The installation's own tenant (the first superadmin's): internal plan, no limits">
                      operator
                    </span>
                  </>
                ) : (
                  <a href={tenantHref(t.id)}>{t.name}</a>
                ),
            },
            { label: 'Users', value: 'user_count', class: 'num' },
            { label: 'Status', value: (t) => <StatusBadge status={t.status} /> },
            { label: 'Created', value: (t) => <Time value={t.created_at} /> },
            {
              label: 'Actions',
              value: (t) =>
                !mayChange(t) ? null : t.status === 'active' ? (
                  <button type="button" class="danger small" disabled={busy} onClick={() => setStatus(t, 'suspended')} aria-label={`Suspend ${t.name}`}>
                    Suspend
                  </button>
                ) : (
                  <button type="button" class="secondary small" disabled={busy} onClick={() => setStatus(t, 'active')} aria-label={`Unsuspend ${t.name}`}>
                    Unsuspend
                  </button>
                ),
            },
          ]}
        />
        <Pager data={list.data} nouns={['tenant', 'tenants']} onPage={list.setPage} />
      </div>
      <CreateTenant onCreated={list.reload} />
      <InviteUser tenants={list.data?.items ?? []} onInvited={list.reload} />
    </Page>
  );
}
