// Public pages (no session): opened from the login screen or from the links in account emails
// (settings.auth.links). They call only endpoints that need no login.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, ErrorBanner, isLoginChallenge, Page, SecondFactorForm, t } from 'plinth/plugin/ui';
import { BASE, tokenFromUrl, useAction } from './shared.js';

type Detail = { detail: string };

const SignInLink = () => (
  <p>
    <a href="/admin">{t('auth.account.backToSignIn')}</a>
  </p>
);

/** One email field posted to `endpoint`; the answer is the same whether or not the account exists. */
function EmailForm(props: { endpoint: string; intro: string; button: string }) {
  const [email, setEmail] = useState('');
  const [sent, setSent] = useState('');
  const { error, busy, run } = useAction();
  const submit = (event: Event) => {
    event.preventDefault();
    void run(async () => setSent((await api<Detail>(props.endpoint, { body: { email: email.trim() } })).detail));
  };
  if (sent) {
    return (
      <>
        <p class="notice" role="status">
          {sent}
        </p>
        <SignInLink />
      </>
    );
  }
  return (
    <form onSubmit={submit}>
      <p class="muted">{props.intro}</p>
      <ErrorBanner error={error} />
      <label for="account-email">{t('auth.account.email')}</label>
      <input id="account-email" type="email" autoComplete="email" required autoFocus value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
      <button type="submit" disabled={busy}>
        {busy ? t('auth.account.sending') : props.button}
      </button>
      <SignInLink />
    </form>
  );
}

export const ForgotPasswordPage = () => (
  <Page title={t('auth.forgot.title')}>
    <EmailForm endpoint={`${BASE}/auth/forgot-password`} intro={t('auth.forgot.intro')} button={t('auth.forgot.button')} />
  </Page>
);

export function ResetPasswordPage() {
  const token = tokenFromUrl();
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [done, setDone] = useState('');
  const { error, setError, busy, run } = useAction();

  const submit = (event: Event) => {
    event.preventDefault();
    if (password !== repeat) return setError(new Error(t('auth.reset.mismatch')));
    void run(async () => setDone((await api<Detail>(`${BASE}/auth/reset-password`, { body: { token, new_password: password } })).detail));
  };

  if (!token || done) {
    return (
      <Page title={t('auth.nav.reset-password')}>
        {done ? (
          <p class="notice" role="status">
            {done}
          </p>
        ) : (
          <ErrorBanner error={t('auth.reset.incomplete')} />
        )}
        <p>{done ? <a href="/admin">{t('auth.account.signIn')}</a> : <a href="/admin/auth/forgot-password">{t('auth.reset.askNew')}</a>}</p>
      </Page>
    );
  }
  return (
    <Page title={t('auth.nav.reset-password')}>
      <form onSubmit={submit}>
        <ErrorBanner error={error} />
        {error instanceof ApiError && error.code === 'invalid_token' ? (
          <p>
            <a href="/admin/auth/forgot-password">{t('auth.reset.askNew')}</a>
          </p>
        ) : null}
        <label for="reset-password">{t('auth.password.new')}</label>
        <input
          id="reset-password"
          type="password"
          autoComplete="new-password"
          required
          autoFocus
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
        />
        <label for="reset-repeat">{t('auth.password.repeat')}</label>
        <input id="reset-repeat" type="password" autoComplete="new-password" required value={repeat} onInput={(e) => setRepeat(e.currentTarget.value)} />
        <button type="submit" disabled={busy}>
          {busy ? t('auth.saving') : t('auth.reset.submit')}
        </button>
      </form>
    </Page>
  );
}

/** Posts the link's token once, on load, and shows what the server said. */
function useTokenPost<T>(post: (token: string) => Promise<T>): { result?: T; error: Error | null } {
  const [state, setState] = useState<{ result?: T; error: Error | null }>({ error: null });
  useEffect(() => {
    const token = tokenFromUrl();
    if (!token) return setState({ error: new Error(t('auth.link.incomplete')) });
    post(token).then(
      (result) => setState({ result, error: null }),
      (error: Error) => setState({ error }),
    );
  }, []);
  return state;
}

export function VerifyEmailPage() {
  const { result, error } = useTokenPost((token) => api<Detail>(`${BASE}/auth/verify-email`, { body: { token } }));
  return (
    <Page title={t('auth.nav.verify-email')}>
      <ErrorBanner error={error} />
      {result ? (
        <p class="notice" role="status">
          {result.detail}
        </p>
      ) : error ? null : (
        <p class="muted" role="status">
          {t('auth.verify.busy')}
        </p>
      )}
      <p>
        <a href="/admin">{t('auth.verify.goToAdmin')}</a>
      </p>
    </Page>
  );
}

/** With a token: signs this browser in (the session cookie) and opens the admin. Without: asks for a link. */
export function MagicLinkPage() {
  const [hasToken] = useState(() => Boolean(tokenFromUrl()));
  return hasToken ? <MagicSignIn /> : <MagicLinkRequest />;
}

function MagicSignIn() {
  const { result, error } = useTokenPost((token) => api<unknown>('/admin/api/login', { body: { magic_token: token } }));
  // A user with two-factor sign-in: the link was the first step, the code from their app comes next.
  const challenge = isLoginChallenge(result) ? result : null;
  const open = () => location.replace('/admin'); // a full load: the shell starts again, signed in (or at its sign-in)
  useEffect(() => {
    if (result && !challenge) open();
  }, [result]);
  if (challenge) return <SecondFactorForm challenge={challenge} onSignedIn={open} onRestart={open} />;
  if (!error) {
    return (
      <Page title={t('auth.magic.signingIn.title')}>
        <p class="muted" role="status">
          {t('auth.magic.signingIn')}
        </p>
      </Page>
    );
  }
  return (
    <Page title={t('auth.magic.broken.title')}>
      <ErrorBanner error={error} />
      <EmailForm endpoint={`${BASE}/auth/magic-link/request`} intro={t('auth.magic.broken.intro')} button={t('auth.magic.broken.button')} />
    </Page>
  );
}

const MagicLinkRequest = () => (
  <Page title={t('auth.magic.title')}>
    <EmailForm endpoint={`${BASE}/auth/magic-link/request`} intro={t('auth.magic.intro')} button={t('auth.magic.button')} />
  </Page>
);
