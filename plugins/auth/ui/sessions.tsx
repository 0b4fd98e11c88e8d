// Signed-in sessions and devices: My profile's card (end one, or every other), and the Users page's
// dialog where a superadmin sees and ends a user's.
import { useState } from 'preact/hooks';
import { api, ConfirmDialog, Dialog, ErrorBanner, t, Table, Time, useApi } from 'plinth/plugin/ui';
import type { SessionView, PublicUser as User } from '../api.js';
import { BASE, useAction } from './shared.js';

/** GET /auth/sessions (and /admin/users/{id}/sessions): a live session, as the server shapes it. */
type Session = SessionView;

/** "Firefox on Linux" in the UI's language; a program's name ("curl") as it is. */
function deviceName(s: Session): string {
  const { browser, system, program } = s.device_parts;
  if (browser) return system ? t('auth.sessions.browserOn', { browser, system }) : browser;
  return program ?? t('auth.sessions.unknownDevice');
}

const how = (s: Session) => (s.kind === 'ui' ? t('auth.sessions.ui') : t('auth.sessions.api'));

function SessionTable(props: { sessions: Session[]; loading: boolean; busy: boolean; onEnd(session: Session): void }) {
  return (
    <Table
      rows={props.sessions}
      rowKey={(s) => s.id}
      empty={props.loading ? t('kit.loading') : t('auth.sessions.empty')}
      columns={[
        {
          label: t('auth.sessions.device'),
          value: (s) => (
            <span>
              {/* The user agent is data; the names in the device's are browsers', systems' and programs' */}
              <span title={s.user_agent ?? ''} translate={false}>
                {deviceName(s)}
              </span>{' '}
              {s.current ? <span class="badge badge-ok">{t('auth.sessions.current')}</span> : null}
            </span>
          ),
        },
        { label: t('auth.sessions.how'), value: how },
        { label: t('auth.sessions.address'), value: (s) => s.ip ?? '—' },
        { label: t('auth.sessions.signedIn'), value: (s) => <Time value={s.created_at} /> },
        { label: t('auth.sessions.lastUsed'), value: (s) => <Time value={s.last_used_at} /> },
        {
          label: t('auth.actions'),
          value: (s) => (
            <button
              type="button"
              class="secondary small"
              disabled={props.busy}
              onClick={() => props.onEnd(s)}
              aria-label={s.current ? t('auth.sessions.endCurrent') : t('auth.sessions.endOn', { device: deviceName(s) })}
            >
              {t('auth.sessions.end')}
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
      <h2 id="sessions-title">{t('auth.sessions.title')}</h2>
      <p class="muted">{t('auth.sessions.intro')}</p>
      <ErrorBanner error={error ?? list.error} />
      {notice ? (
        <p class="notice" role="status">
          {notice}
        </p>
      ) : null}
      <SessionTable sessions={sessions} loading={list.loading} busy={busy} onEnd={(s) => void end(s)} />
      <div class="form-actions">
        <button type="button" class="secondary" disabled={busy || others === 0} onClick={() => setConfirmAll(true)}>
          {t('auth.sessions.endOthers')}
        </button>
      </div>
      {confirmAll ? (
        <ConfirmDialog
          title={t('auth.sessions.endOthersConfirm')}
          action={t('auth.sessions.endThem')}
          onClose={() => setConfirmAll(false)}
          onConfirm={async () => {
            const res = await api<{ ended: number }>(`${BASE}/auth/sessions`, { method: 'DELETE' });
            setNotice(t('auth.sessions.ended', { count: res.ended }));
            list.reload();
          }}
        >
          <p>{t('auth.sessions.endOthersText', { count: others })}</p>
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
  const who = u ? (u.email ?? u.phone ?? u.username ?? u.id) : t('auth.sessions.thisUser');
  return (
    <Dialog title={t('auth.sessions.of', { who })} onClose={props.onClose}>
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
          {t('auth.sessions.endAllTheirs')}
        </button>
      </div>
    </Dialog>
  );
}
