// The first superadmin's setup (public): opened from the link `plinth start` prints instead of a
// password when its output is not a terminal. It works once, within the hour; it does not sign in.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, ErrorBanner, formatTime, Page, t, tx } from 'plinth/plugin/ui';
import { boundsOf, NewPasswordField, useRegistrationInfo } from './password-field.js';
import { BASE, tokenFromUrl, useAction } from './shared.js';

type Check = { state: 'checking' } | { state: 'ready'; email: string | null; expires_at: string } | { state: 'refused'; error: Error };

/** Why the link was refused: a used or expired link in the UI's words, anything else as the server said it. */
const refusal = (error: Error) => (error instanceof ApiError && error.code === 'invalid_token' ? t('auth.setup.invalidLink') : error);

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
    if (!token) return setCheck({ state: 'refused', error: new Error(t('auth.setup.incomplete')) });
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
    if (password !== repeat) return setError(new Error(t('auth.setup.mismatch')));
    void run(async () => setDone(await api<{ detail: string; email: string }>(`${BASE}/auth/setup`, { body: { token, password, email: email.trim() } })));
  };

  if (done) {
    return (
      <Page title={t('auth.setup.doneTitle')}>
        <p class="notice" role="status">
          {t('auth.setup.done', { email: done.email })}
        </p>
        <p>
          <a href="/admin">{t('auth.setup.signIn')}</a>
        </p>
      </Page>
    );
  }
  if (check.state === 'checking') {
    return (
      <Page title={t('auth.nav.setup')}>
        <p class="muted" role="status">
          {t('auth.setup.checking')}
        </p>
      </Page>
    );
  }
  if (check.state === 'refused') {
    return (
      <Page title={t('auth.setup.refusedTitle')}>
        <ErrorBanner error={refusal(check.error)} />
        <p>{tx('auth.setup.newLink', { code: (text: string) => <code>{text}</code> })}</p>
      </Page>
    );
  }
  return (
    <Page title={t('auth.nav.setup')}>
      <form onSubmit={submit}>
        <p class="muted">{t('auth.setup.intro', { until: formatTime(check.expires_at) })}</p>
        <ErrorBanner error={error} />
        <label for="setup-email">{t('auth.setup.email')}</label>
        <input id="setup-email" type="email" autoComplete="username" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        <NewPasswordField
          id="setup-password"
          label={t('auth.register.password')}
          value={password}
          onInput={setPassword}
          bounds={boundsOf(info.data)}
          autoFocus
        />
        <label for="setup-repeat">{t('auth.setup.repeat')}</label>
        <input id="setup-repeat" type="password" autoComplete="new-password" required value={repeat} onInput={(e) => setRepeat(e.currentTarget.value)} />
        <button type="submit" disabled={busy}>
          {busy ? t('auth.changePassword.saving') : t('auth.setup.submit')}
        </button>
      </form>
    </Page>
  );
}
