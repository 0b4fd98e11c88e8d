// Signed-in sessions and devices: My profile's card (end one, or every other), and the Users page's
// dialog where a superadmin sees and ends a user's.
import { useState } from 'preact/hooks';
import { api, ConfirmDialog, Dialog, ErrorBanner, Table, Time, useApi } from 'plinth/plugin/ui';
import type { SessionView, PublicUser as User } from '../api.js';
import { BASE, useAction } from './shared.js';

/** GET /auth/sessions (and /admin/users/{id}/sessions): a live session, as the server shapes it. */
type Session = SessionView;

const how = (s: Session) => (s.kind === 'ui' ? 'Admin UI' : 'API sign-in');

function SessionTable(props: { sessions: Session[]; loading: boolean; busy: boolean; onEnd(session: Session): void }) {
  return (
    <Table
      rows={props.sessions}
      rowKey={(s) => s.id}
      empty={props.loading ? 'Loading…' : 'No signed-in sessions.'}
      columns={[
        {
          label: 'Device',
          value: (s) => (
            <span title={s.user_agent ?? ''}>
              {s.device} {s.current ? <span class="badge badge-ok">this session</span> : null}
            </span>
          ),
        },
        { label: 'How', value: how },
        { label: 'Address', value: (s) => s.ip ?? '—' },
        { label: 'Signed in', value: (s) => <Time value={s.created_at} /> },
        { label: 'Last used', value: (s) => <Time value={s.last_used_at} /> },
        {
          label: 'Actions',
          value: (s) => (
            <button
              type="button"
              class="secondary small"
              disabled={props.busy}
              onClick={() => props.onEnd(s)}
              aria-label={s.current ? 'End this session (you are signed out)' : `End the session on ${s.device}`}
            >
              End
            </button>
          ),
        },
      ]}
    />
  );
}

/** My profile: where I am signed in; end one session, or every other. */
export function SessionsSection() {
  const list = useApi<Session[]>(`${BASE}/auth/sessions`);
  const { error, busy, run } = useAction();
  const [confirmAll, setConfirmAll] = useState(false);
  const [notice, setNotice] = useState('');
  const sessions = list.data ?? [];
  const end = (s: Session) =>
    run(async () => {
      await api(`${BASE}/auth/sessions/${s.id}`, { method: 'DELETE' });
      // Ending this one signs this browser out.
      if (s.current) location.assign('/admin');
      else list.reload();
    });
  const others = sessions.filter((s) => !s.current).length;
  return (
    <section class="card" aria-labelledby="sessions-title">
      <h2 id="sessions-title">Sessions</h2>
      <p class="muted">Where you are signed in. Ending a session signs that device out at once; API keys are not affected.</p>
      <ErrorBanner error={error ?? list.error} />
      {notice ? (
        <p class="notice" role="status">
          {notice}
        </p>
      ) : null}
      <SessionTable sessions={sessions} loading={list.loading} busy={busy} onEnd={(s) => void end(s)} />
      <div class="form-actions">
        <button type="button" class="secondary" disabled={busy || others === 0} onClick={() => setConfirmAll(true)}>
          End all other sessions
        </button>
      </div>
      {confirmAll ? (
        <ConfirmDialog
          title="End all other sessions?"
          action="End them"
          onClose={() => setConfirmAll(false)}
          onConfirm={async () => {
            const res = await api<{ detail: string }>(`${BASE}/auth/sessions`, { method: 'DELETE' });
            setNotice(res.detail);
            list.reload();
          }}
        >
          <p>
            {others} other {others === 1 ? 'session ends' : 'sessions end'}: those devices must sign in again. This one stays signed in.
          </p>
        </ConfirmDialog>
      ) : null}
    </section>
  );
}

/** Users page (superadmin): a user's sessions; end one or all. */
export function UserSessionsDialog(props: { userId: string; user?: User; onClose(): void }) {
  const path = `${BASE}/admin/users/${props.userId}/sessions`;
  const list = useApi<Session[]>(path);
  const { error, busy, run } = useAction();
  const sessions = list.data ?? [];
  const u = props.user;
  const who = u ? (u.email ?? u.phone ?? u.username ?? u.id) : 'this user';
  return (
    <Dialog title={`Sessions of ${who}`} onClose={props.onClose}>
      <ErrorBanner error={error ?? list.error} />
      <SessionTable
        sessions={sessions}
        loading={list.loading}
        busy={busy}
        onEnd={(s) =>
          void run(async () => {
            await api(`${path}/${s.id}`, { method: 'DELETE' });
            list.reload();
          })
        }
      />
      <div class="form-actions">
        <button
          type="button"
          class="danger"
          disabled={busy || sessions.length === 0}
          onClick={() =>
            void run(async () => {
              await api(path, { method: 'DELETE' });
              list.reload();
            })
          }
        >
          End all their sessions
        </button>
      </div>
    </Dialog>
  );
}
