import { useEffect, useState } from 'preact/hooks';
import { api } from '../kit/api.js';
import { ErrorBanner, Page } from '../kit/components.js';
import { t } from '../kit/i18n.js';
import { useAction } from '../kit/use-action.js';
import { useApi } from '../kit/use-api.js';

type Source = 'config' | 'environment' | null;

/** GET /api/admin/mailer (core/mailer-relay.ts RelayView). */
interface Relay {
  transport: 'smtp' | 'outbox';
  host: string | null;
  port: number;
  tls: 'none' | 'starttls' | 'tls';
  user: string | null;
  password_set: boolean;
  from: string;
  locked: { connection: Source; from: Source };
}

const BASE = '/api/admin/mailer';
/** The port a TLS mode usually uses, offered when the mode changes and the port was the previous mode's. */
const USUAL_PORT = { tls: 465, starttls: 587, none: 25 } as const;

const Locked = (props: { part: 'connection' | 'from'; source: Source }) =>
  props.source ? (
    <p class="muted" id={`locked-${props.part}`}>
      {t(`shell.settings.relay.locked.${props.part}.${props.source}`)}
    </p>
  ) : null;

/** The outgoing-mail relay form: the password is write-only (left blank, the kept one stays). */
function RelayForm(props: { relay: Relay; onSaved(relay: Relay): void }) {
  const { relay } = props;
  const [host, setHost] = useState(relay.host ?? '');
  const [port, setPort] = useState(String(relay.port));
  const [tls, setTls] = useState(relay.tls);
  const [user, setUser] = useState(relay.user ?? '');
  const [password, setPassword] = useState('');
  const [from, setFrom] = useState(relay.from);
  const [note, setNote] = useState('');
  const save = useAction();
  const connectionLocked = relay.locked.connection !== null;
  const fromLocked = relay.locked.from !== null;

  const changeTls = (next: Relay['tls']) => {
    if (port === String(USUAL_PORT[tls])) setPort(String(USUAL_PORT[next]));
    setTls(next);
  };
  const submit = async (event: Event) => {
    event.preventDefault();
    setNote('');
    await save.run(async () => {
      const body: Record<string, unknown> = {};
      if (!connectionLocked) Object.assign(body, { host: host.trim() || null, port: Number(port), tls, user: user.trim() || null, password });
      if (!fromLocked) body.from = from.trim() || null;
      const saved = await api<Relay>(BASE, { method: 'PATCH', body });
      setPassword('');
      setNote(t('shell.settings.relay.saved'));
      props.onSaved(saved);
    });
  };

  return (
    <form class="card" onSubmit={submit} aria-labelledby="relay-title">
      <h2 id="relay-title">{t('shell.settings.relay.title')}</h2>
      <p class="muted">
        {relay.transport === 'smtp' ? t('shell.settings.relay.via', { host: relay.host, port: String(relay.port) }) : t('shell.settings.relay.none')}
      </p>
      <ErrorBanner error={save.error} />
      <fieldset disabled={connectionLocked} aria-describedby={connectionLocked ? 'locked-connection' : undefined}>
        <legend>{t('shell.settings.relay.server')}</legend>
        <Locked part="connection" source={relay.locked.connection} />
        <div class="form-row">
          <div>
            <label for="relay-host">{t('shell.settings.relay.host')}</label>
            <input id="relay-host" value={host} maxLength={253} placeholder="smtp.example.com" onInput={(e) => setHost(e.currentTarget.value)} />
          </div>
          <div>
            <label for="relay-port">{t('shell.settings.relay.port')}</label>
            <input id="relay-port" type="number" min={1} max={65535} required value={port} onInput={(e) => setPort(e.currentTarget.value)} />
          </div>
          <div>
            <label for="relay-tls">{t('shell.settings.relay.tls')}</label>
            <select id="relay-tls" value={tls} onChange={(e) => changeTls(e.currentTarget.value as Relay['tls'])}>
              {(['starttls', 'tls', 'none'] as const).map((mode) => (
                <option key={mode} value={mode}>
                  {t(`shell.settings.relay.tls.${mode}`)}
                </option>
              ))}
            </select>
          </div>
        </div>
        <div class="form-row">
          <div>
            <label for="relay-user">{t('shell.settings.relay.user')}</label>
            <input id="relay-user" value={user} maxLength={320} autocomplete="off" onInput={(e) => setUser(e.currentTarget.value)} />
          </div>
          <div>
            <label for="relay-password">{t('shell.settings.relay.password')}</label>
            <input
              id="relay-password"
              type="password"
              value={password}
              maxLength={1000}
              autocomplete="new-password"
              placeholder={relay.password_set ? t('shell.settings.relay.passwordKept') : t('shell.settings.relay.passwordNone')}
              onInput={(e) => setPassword(e.currentTarget.value)}
            />
          </div>
        </div>
      </fieldset>
      <fieldset disabled={fromLocked} aria-describedby={fromLocked ? 'locked-from' : undefined}>
        <legend>{t('shell.settings.relay.sender')}</legend>
        <Locked part="from" source={relay.locked.from} />
        <label for="relay-from">{t('shell.settings.relay.from')}</label>
        <input id="relay-from" value={from} maxLength={320} placeholder="Plinth <no-reply@example.com>" onInput={(e) => setFrom(e.currentTarget.value)} />
      </fieldset>
      <div class="form-actions">
        <button type="submit" disabled={save.busy || (connectionLocked && fromLocked)}>
          {save.busy ? t('shell.settings.relay.saving') : t('shell.settings.relay.save')}
        </button>
        <span class="muted" role="status">
          {note}
        </span>
      </div>
    </form>
  );
}

/** "Send a test mail": through the saved relay, with its answer or the relay's own error. */
function TestMail(props: { relay: Relay }) {
  const [to, setTo] = useState('');
  const [result, setResult] = useState('');
  const test = useAction();
  useEffect(() => setResult(''), [props.relay]);
  const submit = async (event: Event) => {
    event.preventDefault();
    setResult('');
    await test.run(async () => {
      await api(`${BASE}/test`, { body: { to: to.trim() } });
      setResult(t('shell.settings.test.ok', { to: to.trim() }));
    });
  };
  return (
    <form class="card" onSubmit={submit} aria-labelledby="relay-test-title">
      <h2 id="relay-test-title">{t('shell.settings.test.title')}</h2>
      <ErrorBanner error={test.error} />
      <div class="form-row">
        <div>
          <label for="relay-test-to">{t('shell.settings.test.to')}</label>
          <input id="relay-test-to" type="email" required value={to} maxLength={320} onInput={(e) => setTo(e.currentTarget.value)} />
        </div>
      </div>
      <div class="form-actions">
        <button type="submit" disabled={test.busy || props.relay.transport !== 'smtp'}>
          {test.busy ? t('shell.settings.test.sending') : t('shell.settings.test.submit')}
        </button>
        <span role="status">{result}</span>
      </div>
    </form>
  );
}

/** The operator's settings changed at runtime (superadmins): for now the outgoing-mail relay. */
export function SettingsPage() {
  const { data, error, loading } = useApi<Relay>(BASE);
  const [saved, setSaved] = useState<Relay | null>(null);
  const relay = saved ?? data;
  return (
    <Page title={t('shell.nav.settings')}>
      <ErrorBanner error={error} />
      {relay ? (
        <>
          <RelayForm relay={relay} onSaved={setSaved} />
          <TestMail relay={relay} />
        </>
      ) : loading ? (
        <p class="muted" role="status">
          {t('kit.loading')}
        </p>
      ) : null}
    </Page>
  );
}
