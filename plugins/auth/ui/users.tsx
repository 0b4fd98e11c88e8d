// Users (superadmin): every account on the platform, searchable, suspend / activate, and whether
// each signs in with a second factor (reset it for one who lost their authenticator).
import { useState } from 'preact/hooks';
import { api, ConfirmDialog, ErrorBanner, Page, setQueryParams, t, Table, Time, useApi, useQueryParam } from 'plinth/plugin/ui';
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
    <Page title={t('auth.nav.users')}>
      <SearchForm label={t('auth.users.search')} value={list.filters.search} onSearch={(search) => list.filter({ search })} />
      <ErrorBanner error={error ?? list.error} />
      <div class="card">
        <Table
          rows={list.data?.items ?? []}
          rowKey={(u) => u.id}
          empty={list.loading ? t('kit.loading') : t('auth.users.empty')}
          columns={[
            { label: t('auth.account.email'), value: (u) => u.email ?? u.phone ?? u.username ?? '—' },
            { label: t('auth.users.name'), value: (u) => u.full_name || '—' },
            { label: t('auth.profile.tenant'), value: (u) => <a href={tenantHref(u.tenant_id)}>{u.tenant_name ?? t('auth.users.deletedTenant')}</a> },
            {
              label: t('auth.profile.role'),
              value: (u) =>
                u.is_superadmin ? `${t('auth.role', { role: u.role })} · ${t('auth.role', { role: 'superadmin' })}` : t('auth.role', { role: u.role }),
            },
            { label: t('shell.outbox.statusLabel'), value: (u) => <StatusBadge status={u.status} /> },
            {
              label: t('auth.users.twoFactor'),
              value: (u) =>
                u.mfa_enabled ? (
                  <span>
                    <span class="badge badge-ok">{t('auth.users.on')}</span>{' '}
                    <button
                      type="button"
                      class="secondary small"
                      onClick={() => setResetting(u)}
                      aria-label={t('auth.users.resetLabel', { who: u.email ?? u.id })}
                    >
                      {t('auth.users.reset')}
                    </button>
                  </span>
                ) : (
                  <span class="badge">{t('auth.users.off')}</span>
                ),
            },
            { label: t('auth.profile.lastSignIn'), value: (u) => <Time value={u.last_login_at} /> },
            {
              label: t('auth.actions'),
              value: (u) => (
                <span>
                  <button
                    type="button"
                    class="secondary small"
                    onClick={() => setQueryParams({ sessions: u.id })}
                    aria-label={t('auth.sessions.of', { who: u.email ?? u.id })}
                  >
                    {t('auth.sessions.title')}
                  </button>{' '}
                  {me.data === undefined || u.id === me.data.id ? null : u.status === 'active' ? (
                    <button type="button" class="danger small" disabled={busy} onClick={() => setStatus(u, 'suspend')}>
                      {t('auth.users.suspend')}
                    </button>
                  ) : (
                    <button type="button" class="secondary small" disabled={busy} onClick={() => setStatus(u, 'activate')}>
                      {t('auth.users.activate')}
                    </button>
                  )}
                </span>
              ),
            },
          ]}
        />
        <Pager data={list.data} count={(count) => t('auth.users.count', { count })} onPage={list.setPage} />
      </div>
      {sessionsOf ? (
        <UserSessionsDialog userId={sessionsOf} user={list.data?.items.find((u) => u.id === sessionsOf)} onClose={() => setQueryParams({ sessions: null })} />
      ) : null}
      {resetting ? (
        <ConfirmDialog
          title={t('auth.users.resetTitle')}
          action={t('auth.users.reset')}
          onClose={() => setResetting(null)}
          onConfirm={async () => {
            await api(`${BASE}/admin/users/${resetting.id}/mfa/reset`, { method: 'POST' });
            list.reload();
          }}
        >
          <p>{t('auth.users.resetText', { who: resetting.email ?? resetting.id })}</p>
        </ConfirmDialog>
      ) : null}
    </Page>
  );
}
