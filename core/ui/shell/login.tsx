import { useState } from 'preact/hooks';
import { api } from '../kit/api.js';
import { ErrorBanner } from '../kit/components.js';
import { t } from '../kit/i18n.js';
import { isLoginChallenge, type LoginChallenge, SecondFactorForm } from '../kit/second-factor.js';
import type { NavEntry } from './nav.js';

/** Email + password form; on success the server sets the HttpOnly session cookie. Below it, links to the public pages that ask for one. */
export function Login(props: { available: boolean; links: NavEntry[]; onSignedIn(): void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  // A user with two-factor sign-in: the password was right, the code comes next.
  const [challenge, setChallenge] = useState<LoginChallenge | null>(null);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const reply = await api('/admin/api/login', { body: { email, password } });
      setPassword('');
      if (isLoginChallenge(reply)) {
        setChallenge(reply);
        setBusy(false);
        return;
      }
      props.onSignedIn();
    } catch (err) {
      setError(err as Error);
      setPassword('');
      setBusy(false);
    }
  };

  if (challenge) {
    return (
      <main class="login">
        <SecondFactorForm challenge={challenge} onSignedIn={props.onSignedIn} onRestart={() => setChallenge(null)} />
      </main>
    );
  }

  return (
    <main class="login">
      <form class="login-card" onSubmit={submit} aria-labelledby="login-title">
        <p class="brand">Plinth</p>
        <h1 id="login-title">{t('shell.login.title')}</h1>
        {props.available ? null : <ErrorBanner error={t('shell.login.unavailable')} />}
        <ErrorBanner error={error} />
        <label for="login-email">{t('shell.login.email')}</label>
        <input
          id="login-email"
          type="email"
          name="email"
          autoComplete="username"
          required
          autoFocus
          value={email}
          onInput={(e) => setEmail(e.currentTarget.value)}
        />
        <label for="login-password">{t('shell.login.password')}</label>
        <input
          id="login-password"
          type="password"
          name="password"
          autoComplete="current-password"
          required
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
        />
        <button type="submit" disabled={busy || !props.available}>
          {busy ? t('shell.login.busy') : t('shell.login.submit')}
        </button>
        {props.links.length ? (
          <ul class="login-links">
            {props.links.map((link) => (
              <li key={link.href}>
                <a href={link.href}>{link.title}</a>
              </li>
            ))}
          </ul>
        ) : null}
      </form>
    </main>
  );
}
