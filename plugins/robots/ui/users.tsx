// Users (WorkBot admins: superadmins and the home tenant's owners and admins): the home tenant's
// users (a superadmin: everyone's) with their robots and activation codes; disable one
// after a confirm (you cannot disable yourself here, nor anyone above your role: the server says so).
import { useState } from 'preact/hooks';
import { api, ErrorBanner, formatNumber, Page, Table, Time, t, useApi } from 'plinth/plugin/ui';
import { BASE, ConfirmDialog, Pager, StatusBadge, roleLabel, userLabel, withQuery, type List, type Reply, type UserRow } from './shared.js';

const PAGE_SIZE = 20;

function SearchForm(props: { onSearch(keyword: string): void }) {
  const [text, setText] = useState('');
  const submit = (event: Event) => {
    event.preventDefault();
    props.onSearch(text.trim());
  };
  return (
    <form class="inline-form" role="search" onSubmit={submit}>
      <div class="grow">
        <label for="users-search">{t('robots.users.search')}</label>
        <input id="users-search" type="search" maxLength={100} value={text} onInput={(e) => setText(e.currentTarget.value)} />
      </div>
      <button type="submit">{t('robots.search')}</button>
    </form>
  );
}

export function UsersPage() {
  const [keyword, setKeyword] = useState('');
  const [page, setPage] = useState(1);
  const [disabling, setDisabling] = useState<UserRow | null>(null);
  // Who I am on this face: my userId (a number, as in the list).
  const me = useApi<Reply<{ userId: number }>>(`${BASE}/user/info`);
  const list = useApi<Reply<List<UserRow>>>(withQuery(`${BASE}/admin/users`, { page, pageSize: PAGE_SIZE, keyword }));
  const data = list.data?.data;
  const disable = async (user: UserRow) => {
    await api(`${BASE}/admin/users/${encodeURIComponent(user.userId)}/disable`, { method: 'POST' });
    list.reload();
  };

  return (
    <Page title={t('robots.users.title')}>
      {disabling ? (
        <ConfirmDialog
          title={t('robots.users.disableTitle', { user: String(userLabel(disabling)) })}
          action={t('robots.users.disableAction')}
          onConfirm={() => disable(disabling)}
          onClose={() => setDisabling(null)}
        >
          <p style={{ margin: '0 0 0.5rem' }}>{t('robots.users.disableBody')}</p>
        </ConfirmDialog>
      ) : null}
      <SearchForm
        onSearch={(text) => {
          setKeyword(text);
          setPage(1);
        }}
      />
      <ErrorBanner error={list.error} />
      <section class="card" aria-label={t('robots.users.section')}>
        <Table
          rows={data?.list ?? []}
          rowKey={(u) => u.userId}
          empty={!data ? t('robots.loading') : keyword ? t('robots.users.noMatch') : t('robots.users.empty')}
          columns={[
            { label: t('robots.users.col.name'), value: (u) => u.nickname || '—' },
            { label: t('robots.users.col.contact'), value: (u) => u.email ?? u.phone ?? '—' },
            { label: t('robots.users.col.role'), value: roleLabel },
            { label: t('robots.users.col.status'), value: (u) => <StatusBadge status={u.status} /> },
            { label: t('robots.users.col.robots'), value: (u) => formatNumber(u.robotCount), class: 'num' },
            { label: t('robots.users.col.codes'), value: (u) => formatNumber(u.totalActivationCodes), class: 'num' },
            { label: t('robots.users.col.lastLogin'), value: (u) => <Time value={u.lastLoginAt} /> },
            {
              label: t('robots.users.col.actions'),
              value: (u) =>
                u.status === 'active' && me.data && u.userId !== me.data.data.userId ? (
                  <button
                    type="button"
                    class="danger small"
                    aria-label={t('robots.users.disableLabel', { user: String(userLabel(u)) })}
                    onClick={() => setDisabling(u)}
                  >
                    {t('robots.users.disable')}
                  </button>
                ) : null,
            },
          ]}
        />
        <Pager total={data?.total} page={page} pageSize={PAGE_SIZE} count={(count) => t('robots.users.count', { count })} onPage={setPage} />
      </section>
    </Page>
  );
}
