// Users (WorkBot admins: superadmins and the home tenant's owners and admins): the home tenant's
// users (a superadmin: everyone's) with their robots and activation codes; disable one
// after a confirm (you cannot disable yourself here, nor anyone above your role: the server says so).
import { useState } from 'preact/hooks';
import { api, ErrorBanner, Page, Table, Time, useApi } from 'plinth/plugin/ui';
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
        <label for="users-search">Search by name, email or phone</label>
        <input id="users-search" type="search" maxLength={100} value={text} onInput={(e) => setText(e.currentTarget.value)} />
      </div>
      <button type="submit">Search</button>
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
    <Page title="WorkBot users">
      {disabling ? (
        <ConfirmDialog title={`Disable ${userLabel(disabling)}?`} action="Disable user" onConfirm={() => disable(disabling)} onClose={() => setDisabling(null)}>
          <p style={{ margin: '0 0 0.5rem' }}>They are signed out at once and cannot sign in while disabled. Their robots keep running.</p>
        </ConfirmDialog>
      ) : null}
      <SearchForm
        onSearch={(text) => {
          setKeyword(text);
          setPage(1);
        }}
      />
      <ErrorBanner error={list.error} />
      <section class="card" aria-label="Users">
        <Table
          rows={data?.list ?? []}
          rowKey={(u) => u.userId}
          empty={!data ? 'Loading…' : keyword ? 'No users match.' : 'No users yet.'}
          columns={[
            { label: 'Name', value: (u) => u.nickname || '—' },
            { label: 'Email or phone', value: (u) => u.email ?? u.phone ?? '—' },
            { label: 'Role', value: roleLabel },
            { label: 'Status', value: (u) => <StatusBadge status={u.status} /> },
            { label: 'Robots', value: (u) => u.robotCount.toLocaleString(), class: 'num' },
            { label: 'Codes', value: (u) => u.totalActivationCodes.toLocaleString(), class: 'num' },
            { label: 'Last login', value: (u) => <Time value={u.lastLoginAt} /> },
            {
              label: 'Actions',
              value: (u) =>
                u.status === 'active' && me.data && u.userId !== me.data.data.userId ? (
                  <button type="button" class="danger small" aria-label={`Disable ${userLabel(u)}`} onClick={() => setDisabling(u)}>
                    Disable
                  </button>
                ) : null,
            },
          ]}
        />
        <Pager total={data?.total} page={page} pageSize={PAGE_SIZE} nouns={['user', 'users']} onPage={setPage} />
      </section>
    </Page>
  );
}
