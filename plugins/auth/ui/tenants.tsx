// Tenants (superadmin): every tenant with its user count, by name (each opens its tenant page, where
// it is renamed, suspended, unsuspended or deleted); the operator tenant is marked. The operator
// creates a customer tenant with its owner and invites users into a tenant.
import { useState } from 'preact/hooks';
import { api, ErrorBanner, fieldStyle, Page, Table, Time, t, useApi } from 'plinth/plugin/ui';
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
const passwordNote = (email: string, invitationSent: boolean) => t('auth.tenants.passwordNote', { email, invited: invitationSent ? 'yes' : 'no' });

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
      setDone(t('auth.tenants.create.done', { name: created.tenant.name, note: passwordNote(body.owner_email, created.invitation_sent) }));
      setForm({ name: '', owner_email: '', owner_name: '', password: '' });
      props.onCreated();
    }
  };
  return (
    <form class="card" onSubmit={submit} aria-labelledby="create-tenant-title">
      <h2 id="create-tenant-title">{t('auth.tenants.create.title')}</h2>
      <ErrorBanner error={error} />
      {done ? (
        <p class="notice" role="status">
          {done}
        </p>
      ) : null}
      <div class="form-row">
        <div>
          <label for="tenant-name">{t('auth.tenants.create.name')}</label>
          <input id="tenant-name" required maxLength={200} value={form.name} onInput={set('name')} />
        </div>
        <div>
          <label for="tenant-owner-email">{t('auth.tenants.create.ownerEmail')}</label>
          <input id="tenant-owner-email" type="email" required maxLength={320} value={form.owner_email} onInput={set('owner_email')} />
        </div>
        <div>
          <label for="tenant-owner-name">{t('auth.tenants.create.ownerName')}</label>
          <input id="tenant-owner-name" maxLength={200} value={form.owner_name} onInput={set('owner_name')} />
        </div>
        <div>
          <label for="tenant-owner-password">{t('auth.tenants.password')}</label>
          <input
            id="tenant-owner-password"
            type="password"
            autocomplete="new-password"
            placeholder={t('auth.tenants.passwordPlaceholder')}
            value={form.password}
            onInput={set('password')}
          />
        </div>
      </div>
      <div class="form-actions">
        <button type="submit" disabled={busy}>
          {busy ? t('auth.tenants.create.busy') : t('auth.tenants.create.submit')}
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
      setDone(
        t('auth.tenants.invite.done', {
          email: body.email,
          role: t('auth.role', { role: body.role }),
          note: passwordNote(body.email, invited.invitation_sent),
        }),
      );
      setForm({ email: '', role: 'member', password: '' });
      props.onInvited();
    }
  };
  return (
    <form class="card" onSubmit={submit} aria-labelledby="invite-user-title">
      <h2 id="invite-user-title">{t('auth.tenants.invite.title')}</h2>
      <ErrorBanner error={error} />
      {done ? (
        <p class="notice" role="status">
          {done}
        </p>
      ) : null}
      <div class="form-row">
        <div>
          <label for="invite-tenant">{t('auth.tenants.invite.tenant')}</label>
          <select id="invite-tenant" style={fieldStyle} value={target} onChange={(e) => setTenantId(e.currentTarget.value)}>
            {props.tenants.map((tenant) => (
              <option key={tenant.id} value={tenant.id}>
                {tenant.is_operator ? t('auth.tenants.invite.operatorOption', { name: tenant.name }) : tenant.name}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="invite-email">{t('auth.tenants.invite.email')}</label>
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
          <label for="invite-role">{t('auth.tenants.invite.role')}</label>
          <select id="invite-role" style={fieldStyle} value={form.role} onChange={(e) => setForm((f) => ({ ...f, role: e.currentTarget.value }))}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {t('auth.role', { role: r })}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="invite-password">{t('auth.tenants.password')}</label>
          <input
            id="invite-password"
            type="password"
            autocomplete="new-password"
            placeholder={t('auth.tenants.passwordPlaceholder')}
            value={form.password}
            onInput={(e) => setForm((f) => ({ ...f, password: e.currentTarget.value }))}
          />
        </div>
      </div>
      <div class="form-actions">
        <button type="submit" disabled={busy || !target}>
          {busy ? t('auth.tenants.invite.busy') : t('auth.tenants.invite.submit')}
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
  const mayChange = (tenant: Tenant) => !tenant.is_operator && me.data !== undefined && me.data.tenant_id !== tenant.id;
  const setStatus = (tenant: Tenant, status: Tenant['status']) =>
    run(async () => {
      await api(`${BASE}/admin/tenants/${tenant.id}`, { method: 'PATCH', body: { status } });
      list.reload();
    });

  return (
    <Page title={t('auth.tenants.title')}>
      <SearchForm label={t('auth.tenants.search')} value={list.filters.search} onSearch={(search) => list.filter({ search })} />
      <ErrorBanner error={error ?? list.error} />
      <div class="card">
        <Table
          rows={list.data?.items ?? []}
          rowKey={(row) => row.id}
          empty={list.loading ? t('auth.tenants.loading') : t('auth.tenants.empty')}
          columns={[
            {
              label: t('auth.tenants.name'),
              value: (row) =>
                row.is_operator ? (
                  <>
                    <a href={tenantHref(row.id)}>{row.name}</a>{' '}
                    <span class="badge badge-ok" title={t('auth.tenants.operatorHint')}>
                      {t('auth.tenants.operator')}
                    </span>
                  </>
                ) : (
                  <a href={tenantHref(row.id)}>{row.name}</a>
                ),
            },
            { label: t('auth.tenants.users'), value: 'user_count', class: 'num' },
            { label: t('auth.tenants.status'), value: (row) => <StatusBadge status={row.status} /> },
            { label: t('auth.tenants.created'), value: (row) => <Time value={row.created_at} /> },
            {
              label: t('auth.tenants.actions'),
              value: (row) =>
                !mayChange(row) ? null : row.status === 'active' ? (
                  <button
                    type="button"
                    class="danger small"
                    disabled={busy}
                    onClick={() => setStatus(row, 'suspended')}
                    aria-label={t('auth.tenants.suspendLabel', { name: row.name })}
                  >
                    {t('auth.tenants.suspend')}
                  </button>
                ) : (
                  <button
                    type="button"
                    class="secondary small"
                    disabled={busy}
                    onClick={() => setStatus(row, 'active')}
                    aria-label={t('auth.tenants.unsuspendLabel', { name: row.name })}
                  >
                    {t('auth.tenants.unsuspend')}
                  </button>
                ),
            },
          ]}
        />
        <Pager data={list.data} count={(count) => t('auth.tenants.count', { count })} onPage={list.setPage} />
      </div>
      <CreateTenant onCreated={list.reload} />
      <InviteUser tenants={list.data?.items ?? []} onInvited={list.reload} />
    </Page>
  );
}
