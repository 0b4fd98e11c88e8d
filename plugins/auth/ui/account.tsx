// Public pages (no session): opened from the login screen or from the links in account emails
// (settings.auth.links). They call only endpoints that need no login.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, ErrorBanner, isLoginChallenge, Page, SecondFactorForm } from 'plinth/plugin/ui';
import { BASE, tokenFromUrl, useAction } from './shared.js';

type Detail = { detail: string };

const SignInLink = () => (
  <p>
    <a href="/admin">Back to sign in</a>
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
      <label for="account-email">Email</label>
      <input id="account-email" type="email" autoComplete="email" required autoFocus value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
      <button type="submit" disabled={busy}>
        {busy ? 'Sending…' : props.button}
      </button>
      <SignInLink />
    </form>
  );
}

export const ForgotPasswordPage = () => (
  <Page title="Forgot your password?">
    <EmailForm
      endpoint={`${BASE}/auth/forgot-password`}
      intro="Enter your email address and we will send you a link to choose a new password."
      button="Send me a reset link"
    />
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
    if (password !== repeat) return setError(new Error('The passwords do not match.'));
    void run(async () => setDone((await api<Detail>(`${BASE}/auth/reset-password`, { body: { token, new_password: password } })).detail));
  };

  if (!token || done) {
    return (
      <Page title="Choose a new password">
        {done ? (
          <p class="notice" role="status">
            {done}
          </p>
        ) : (
          <ErrorBanner error="This link is incomplete. Open the link from the email again, or ask for a new one." />
        )}
        <p>{done ? <a href="/admin">Sign in</a> : <a href="/admin/auth/forgot-password">Ask for a new link</a>}</p>
      </Page>
    );
  }
  return (
    <Page title="Choose a new password">
      <form onSubmit={submit}>
        <ErrorBanner error={error} />
        {error instanceof ApiError && error.code === 'invalid_token' ? (
          <p>
            <a href="/admin/auth/forgot-password">Ask for a new link</a>
          </p>
        ) : null}
        <label for="reset-password">New password</label>
        <input
          id="reset-password"
          type="password"
          autoComplete="new-password"
          required
          autoFocus
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
        />
        <label for="reset-repeat">Repeat the new password</label>
        <input id="reset-repeat" type="password" autoComplete="new-password" required value={repeat} onInput={(e) => setRepeat(e.currentTarget.value)} />
        <button type="submit" disabled={busy}>
          {busy ? 'Saving…' : 'Set the new password'}
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
    if (!token) return setState({ error: new Error('This link is incomplete. Open the link from the email again.') });
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
    <Page title="Verify your email">
      <ErrorBanner error={error} />
      {result ? (
        <p class="notice" role="status">
          {result.detail}
        </p>
      ) : error ? null : (
        <p class="muted" role="status">
          Verifying…
        </p>
      )}
      <p>
        <a href="/admin">Go to the admin</a>
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
      <Page title="Signing you in">
        <p class="muted" role="status">
          Signing you in…
        </p>
      </Page>
    );
  }
  return (
    <Page title="This sign-in link does not work">
      <ErrorBanner error={error} />
      <EmailForm
        endpoint={`${BASE}/auth/magic-link/request`}
        intro="Sign-in links work once and expire after a few minutes. Ask for a new one:"
        button="Email me a new link"
      />
    </Page>
  );
}

const MagicLinkRequest = () => (
  <Page title="Sign in with an email link">
    <EmailForm
      endpoint={`${BASE}/auth/magic-link/request`}
      intro="Enter your email address and we will send you a link that signs you in, no password needed."
      button="Email me a sign-in link"
    />
  </Page>
);
