// Users (superadmin): every account on the platform, searchable, suspend / activate, and whether
// each signs in with a second factor (reset it for one who lost their authenticator).
import { useState } from 'preact/hooks';
import { api, ConfirmDialog, ErrorBanner, Page, setQueryParams, Table, Time, useApi, useQueryParam } from 'plinth/plugin/ui';
import type { PublicUser } from '../api.js';
import { BASE, Pager, SearchForm, StatusBadge, useAction, usePagedList } from './shared.js';
import { tenantHref } from './tenants.js';
import { UserSessionsDialog } from './sessions.js';

/** GET /admin/users names each user's tenant. */
type User = PublicUser & { tenant_name: string | null };

export function UsersPage() {
  const list = usePagedList<User, { search: string }>(`${BASE}/admin/users`, { search: '' });
  const { error, busy, run } = useAction();
  // One's own row has no Suspend (the server refuses it: cannot_suspend_self).
  const me = useApi<{ id: string }>('/admin/api/me');
  // ?sessions=<user id>: that user's signed-in sessions, in a dialog (a link to it works too).
  const sessionsOf = useQueryParam('sessions');
  const setStatus = (user: User, action: 'suspend' | 'activate') =>
    run(async () => {
      await api(`${BASE}/admin/users/${user.id}/${action}`, { method: 'POST' });
      list.reload();
    });
  const [resetting, setResetting] = useState<User | null>(null);

  return (
    <Page title="Users">
      <SearchForm label="Search by email, name, phone or username" value={list.filters.search} onSearch={(search) => list.filter({ search })} />
      <ErrorBanner error={error ?? list.error} />
      <div class="card">
        <Table
          rows={list.data?.items ?? []}
          rowKey={(u) => u.id}
          empty={list.loading ? 'Loading…' : 'No users match.'}
          columns={[
            { label: 'Email', value: (u) => u.email ?? u.phone ?? u.username ?? '—' },
            { label: 'Name', value: (u) => u.full_name || '—' },
            { label: 'Tenant', value: (u) => <a href={tenantHref(u.tenant_id)}>{u.tenant_name ?? 'a deleted tenant'}</a> },
            { label: 'Role', value: (u) => (u.is_superadmin ? `${u.role} · superadmin` : u.role) },
            { label: 'Status', value: (u) => <StatusBadge status={u.status} /> },
            {
              label: 'Two-factor',
              value: (u) =>
                u.mfa_enabled ? (
                  <span>
                    <span class="badge badge-ok">on</span>{' '}
                    <button type="button" class="secondary small" onClick={() => setResetting(u)} aria-label={`Reset the second factor of ${u.email ?? u.id}`}>
                      Reset
                    </button>
                  </span>
                ) : (
                  <span class="badge">off</span>
                ),
            },
            { label: 'Last login', value: (u) => <Time value={u.last_login_at} /> },
            {
              label: 'Actions',
              value: (u) => (
                <span>
                  <button
                    type="button"
                    class="secondary small"
                    onClick={() => setQueryParams({ sessions: u.id })}
                    aria-label={`Sessions of ${u.email ?? u.id}`}
                  >
                    Sessions
                  </button>{' '}
                  {me.data === undefined || u.id === me.data.id ? null : u.status === 'active' ? (
                    <button type="button" class="danger small" disabled={busy} onClick={() => setStatus(u, 'suspend')}>
                      Suspend
                    </button>
                  ) : (
                    <button type="button" class="secondary small" disabled={busy} onClick={() => setStatus(u, 'activate')}>
                      Activate
                    </button>
                  )}
                </span>
              ),
            },
          ]}
        />
        <Pager data={list.data} nouns={['user', 'users']} onPage={list.setPage} />
      </div>
      {sessionsOf ? (
        <UserSessionsDialog userId={sessionsOf} user={list.data?.items.find((u) => u.id === sessionsOf)} onClose={() => setQueryParams({ sessions: null })} />
      ) : null}
      {resetting ? (
        <ConfirmDialog
          title="Reset two-factor sign-in?"
          action="Reset"
          onClose={() => setResetting(null)}
          onConfirm={async () => {
            await api(`${BASE}/admin/users/${resetting.id}/mfa/reset`, { method: 'POST' });
            list.reload();
          }}
        >
          <p>
            {resetting.email ?? resetting.id} loses their authenticator app and recovery codes, and is signed out everywhere. They are emailed, and sign in with
            their password alone until they set up a new one (at once, if the server's policy requires it). This is recorded in the audit log.
          </p>
        </ConfirmDialog>
      ) : null}
    </Page>
  );
}
