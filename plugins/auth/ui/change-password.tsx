// Choose your own password: where the shell sends someone who signed in with a generated one (the
// first start's, shown on a terminal) before any other page (their `required_step`).
import { useState } from 'preact/hooks';
import { api, ErrorBanner, Page, t } from 'plinth/plugin/ui';
import { boundsOf, NewPasswordField, useRegistrationInfo } from './password-field.js';
import { BASE, useAction } from './shared.js';

export function ChangePasswordPage() {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const info = useRegistrationInfo();
  const { error, setError, busy, run } = useAction();

  const submit = async (event: Event) => {
    event.preventDefault();
    if (next !== repeat) return setError(new Error(t('auth.changePassword.mismatch')));
    const saved = await run(() => api(`${BASE}/auth/set-password`, { body: { password: next, current_password: current } }));
    // A full load: the shell asks again who is signed in, and what is left to do.
    if (saved) location.assign('/admin');
  };

  return (
    <Page title={t('auth.changePassword.title')}>
      <form class="card" onSubmit={submit} aria-labelledby="change-password-intro">
        <p id="change-password-intro">{t('auth.changePassword.intro')}</p>
        <ErrorBanner error={error} />
        <label for="change-current">{t('auth.changePassword.generated')}</label>
        <input
          id="change-current"
          type="password"
          autoComplete="current-password"
          required
          value={current}
          onInput={(e) => setCurrent(e.currentTarget.value)}
        />
        <NewPasswordField id="change-new" label={t('auth.password.new')} value={next} onInput={setNext} bounds={boundsOf(info.data)} />
        <label for="change-repeat">{t('auth.password.repeat')}</label>
        <input id="change-repeat" type="password" autoComplete="new-password" required value={repeat} onInput={(e) => setRepeat(e.currentTarget.value)} />
        <div class="form-actions">
          <button type="submit" disabled={busy}>
            {busy ? t('auth.changePassword.saving') : t('auth.changePassword.submit')}
          </button>
        </div>
      </form>
    </Page>
  );
}
