// The second step of a sign-in: POST /admin/api/login answered `{ mfa_required, challenge_token }`
// (a password, or an emailed link, of a user with two-factor sign-in); this form sends the code
// from their authenticator app, or one of their recovery codes, and the server sets the cookie.
import { useState } from 'preact/hooks';
import { api } from './api.js';
import { ErrorBanner } from './components.js';
import { t } from './i18n.js';

/** What /admin/api/login answers when a second factor is due. */
export interface LoginChallenge {
  ok: false;
  mfa_required: true;
  challenge_token: string;
  methods: string[];
  expires_in: number;
}

export const isLoginChallenge = (reply: unknown): reply is LoginChallenge =>
  typeof reply === 'object' && reply !== null && (reply as { mfa_required?: unknown }).mfa_required === true;

/** The code form; `onSignedIn` once the cookie is set, `onRestart` when the challenge is dead (sign in again). */
export function SecondFactorForm(props: { challenge: LoginChallenge; onSignedIn(): void; onRestart(): void }) {
  const [recovery, setRecovery] = useState(false);
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const answer = recovery ? { recovery_code: code.trim() } : { code: code.replace(/\s+/g, '') };
      await api('/admin/api/login', { body: { challenge_token: props.challenge.challenge_token, ...answer } });
      props.onSignedIn();
    } catch (err) {
      setError(err as Error);
      setCode('');
      setBusy(false);
    }
  };
  const dead = (error as { code?: string } | null)?.code === 'invalid_challenge';

  return (
    <form class="login-card" onSubmit={submit} aria-labelledby="second-factor-title">
      <p class="brand">Plinth</p>
      <h1 id="second-factor-title">{t('kit.mfa.title')}</h1>
      <p class="muted">{recovery ? t('kit.mfa.recoveryHint') : t('kit.mfa.codeHint')}</p>
      <ErrorBanner error={error} />
      {dead ? (
        <button type="button" onClick={props.onRestart}>
          {t('kit.mfa.signInAgain')}
        </button>
      ) : (
        <>
          <label for="second-factor-code">{recovery ? t('kit.mfa.recoveryCode') : t('kit.mfa.code')}</label>
          <input
            key={recovery ? 'recovery' : 'code'}
            id="second-factor-code"
            name="one-time-code"
            autoComplete="one-time-code"
            {...(recovery
              ? { inputMode: 'text' as const, placeholder: 'xxxx-xxxx-xxxx' }
              : { inputMode: 'numeric' as const, pattern: '[0-9 ]{6,8}', placeholder: '123456' })}
            required
            autoFocus
            value={code}
            onInput={(e) => setCode(e.currentTarget.value)}
          />
          <button type="submit" disabled={busy}>
            {busy ? t('kit.mfa.checking') : t('kit.mfa.verify')}
          </button>
          <button
            type="button"
            class="secondary"
            onClick={() => {
              setRecovery(!recovery);
              setCode('');
              setError(null);
            }}
          >
            {recovery ? t('kit.mfa.useApp') : t('kit.mfa.useRecovery')}
          </button>
        </>
      )}
    </form>
  );
}
