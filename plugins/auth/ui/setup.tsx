// The first superadmin's setup (public): opened from the link `plinth start` prints instead of a
// password when its output is not a terminal. It works once, within the hour; it does not sign in.
import { useEffect, useState } from 'preact/hooks';
import { api, ErrorBanner, Page } from 'plinth/plugin/ui';
import { boundsOf, NewPasswordField, useRegistrationInfo } from './password-field.js';
import { BASE, tokenFromUrl, useAction } from './shared.js';

type Check = { state: 'checking' } | { state: 'ready'; email: string | null; expires_at: string } | { state: 'refused'; error: Error };

const NEW_LINK =
  'A setup link works once, for an hour. Start Plinth again for a new one (it prints one at every start until the superadmin ' +
  'has a password), or make a superadmin with `npm run plinth -- create-admin --email you@example.com --password …`.';

export function SetupPage() {
  const [token] = useState(tokenFromUrl);
  const [check, setCheck] = useState<Check>({ state: 'checking' });
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [done, setDone] = useState<{ detail: string; email: string } | null>(null);
  const info = useRegistrationInfo();
  const { error, setError, busy, run } = useAction();

  useEffect(() => {
    if (!token) return setCheck({ state: 'refused', error: new Error('This link is incomplete: open the setup link from the startup output again.') });
    api<{ email: string | null; expires_at: string }>(`${BASE}/auth/setup/check`, { body: { token } }).then(
      (found) => {
        setCheck({ state: 'ready', ...found });
        setEmail(found.email ?? '');
      },
      (err: Error) => setCheck({ state: 'refused', error: err }),
    );
  }, [token]);

  const submit = (event: Event) => {
    event.preventDefault();
    if (password !== repeat) return setError(new Error('The passwords do not match.'));
    void run(async () => setDone(await api<{ detail: string; email: string }>(`${BASE}/auth/setup`, { body: { token, password, email: email.trim() } })));
  };

  if (done) {
    return (
      <Page title="Plinth is set up">
        <p class="notice" role="status">
          {done.detail}
        </p>
        <p>
          <a href="/admin">Sign in</a>
        </p>
      </Page>
    );
  }
  if (check.state === 'checking') {
    return (
      <Page title="Set up Plinth">
        <p class="muted" role="status">
          Checking the link…
        </p>
      </Page>
    );
  }
  if (check.state === 'refused') {
    return (
      <Page title="This setup link does not work">
        <ErrorBanner error={check.error} />
        <p>{NEW_LINK}</p>
      </Page>
    );
  }
  return (
    <Page title="Set up Plinth">
      <form onSubmit={submit}>
        <p class="muted">
          Choose the superadmin’s password: the operator’s account, which can do everything here. This link works once, until{' '}
          {new Date(check.expires_at).toLocaleTimeString()}.
        </p>
        <ErrorBanner error={error} />
        <label for="setup-email">Superadmin email</label>
        <input id="setup-email" type="email" autoComplete="username" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        <NewPasswordField id="setup-password" label="Password" value={password} onInput={setPassword} bounds={boundsOf(info.data)} autoFocus />
        <label for="setup-repeat">Repeat the password</label>
        <input id="setup-repeat" type="password" autoComplete="new-password" required value={repeat} onInput={(e) => setRepeat(e.currentTarget.value)} />
        <button type="submit" disabled={busy}>
          {busy ? 'Saving…' : 'Save and continue'}
        </button>
      </form>
    </Page>
  );
}
