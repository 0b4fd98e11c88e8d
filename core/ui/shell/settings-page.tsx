import { useEffect, useState } from 'preact/hooks';
import { api } from '../kit/api.js';
import { ErrorBanner, Page } from '../kit/components.js';
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
const WHERE = {
  connection: { config: 'mailer.smtpUrl in the config file', environment: 'the environment (PLINTH_MAILER_SMTP_URL)' },
  from: { config: 'mailer.from in the config file', environment: 'the environment (PLINTH_MAILER_FROM)' },
} as const;
const TLS_LABELS = { tls: 'TLS (usually port 465)', starttls: 'STARTTLS, required (usually 587)', none: 'None (a trusted network only)' } as const;
/** The port a TLS mode usually uses, offered when the mode changes and the port was the previous mode's. */
const USUAL_PORT = { tls: 465, starttls: 587, none: 25 } as const;

const Locked = (props: { part: 'connection' | 'from'; source: Source }) =>
  props.source ? (
    <p class="muted" id={`locked-${props.part}`}>
      Set by {WHERE[props.part][props.source]}: change it there. It cannot be changed here.
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
      setNote('Saved. Every instance uses it from its next mail.');
      props.onSaved(saved);
    });
  };

  return (
    <form class="card" onSubmit={submit} aria-labelledby="relay-title">
      <h2 id="relay-title">Outgoing mail relay</h2>
      <p class="muted">
        {relay.transport === 'smtp'
          ? `Mail is sent through ${relay.host}:${relay.port}.`
          : 'No relay: outgoing mail is kept in the outbox (Outgoing mail), not delivered.'}
      </p>
      <ErrorBanner error={save.error} />
      <fieldset disabled={connectionLocked} aria-describedby={connectionLocked ? 'locked-connection' : undefined}>
        <legend>Server</legend>
        <Locked part="connection" source={relay.locked.connection} />
        <div class="form-row">
          <div>
            <label for="relay-host">Host</label>
            <input id="relay-host" value={host} maxLength={253} placeholder="smtp.example.com" onInput={(e) => setHost(e.currentTarget.value)} />
          </div>
          <div>
            <label for="relay-port">Port</label>
            <input id="relay-port" type="number" min={1} max={65535} required value={port} onInput={(e) => setPort(e.currentTarget.value)} />
          </div>
          <div>
            <label for="relay-tls">Encryption</label>
            <select id="relay-tls" value={tls} onChange={(e) => changeTls(e.currentTarget.value as Relay['tls'])}>
              {(['starttls', 'tls', 'none'] as const).map((mode) => (
                <option key={mode} value={mode}>
                  {TLS_LABELS[mode]}
                </option>
              ))}
            </select>
          </div>
        </div>
        <div class="form-row">
          <div>
            <label for="relay-user">User name</label>
            <input id="relay-user" value={user} maxLength={320} autocomplete="off" onInput={(e) => setUser(e.currentTarget.value)} />
          </div>
          <div>
            <label for="relay-password">Password</label>
            <input
              id="relay-password"
              type="password"
              value={password}
              maxLength={1000}
              autocomplete="new-password"
              placeholder={relay.password_set ? 'kept (leave blank to keep it)' : 'none'}
              onInput={(e) => setPassword(e.currentTarget.value)}
            />
          </div>
        </div>
      </fieldset>
      <fieldset disabled={fromLocked} aria-describedby={fromLocked ? 'locked-from' : undefined}>
        <legend>Sender</legend>
        <Locked part="from" source={relay.locked.from} />
        <label for="relay-from">From</label>
        <input id="relay-from" value={from} maxLength={320} placeholder="Plinth <no-reply@example.com>" onInput={(e) => setFrom(e.currentTarget.value)} />
      </fieldset>
      <div class="form-actions">
        <button type="submit" disabled={save.busy || (connectionLocked && fromLocked)}>
          {save.busy ? 'Saving…' : 'Save'}
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
      setResult(`The relay accepted the test mail to ${to.trim()}.`);
    });
  };
  return (
    <form class="card" onSubmit={submit} aria-labelledby="relay-test-title">
      <h2 id="relay-test-title">Send a test mail</h2>
      <ErrorBanner error={test.error} />
      <div class="form-row">
        <div>
          <label for="relay-test-to">To</label>
          <input id="relay-test-to" type="email" required value={to} maxLength={320} onInput={(e) => setTo(e.currentTarget.value)} />
        </div>
      </div>
      <div class="form-actions">
        <button type="submit" disabled={test.busy || props.relay.transport !== 'smtp'}>
          {test.busy ? 'Sending…' : 'Send a test mail'}
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
    <Page title="Settings">
      <ErrorBanner error={error} />
      {relay ? (
        <>
          <RelayForm relay={relay} onSaved={setSaved} />
          <TestMail relay={relay} />
        </>
      ) : loading ? (
        <p class="muted" role="status">
          Loading…
        </p>
      ) : null}
    </Page>
  );
}
