// Choose your own password: where the shell sends someone who signed in with a generated one (the
// first start's, shown on a terminal) before any other page (their `required_step`).
import { useState } from 'preact/hooks';
import { api, ErrorBanner, Page } from 'plinth/plugin/ui';
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
    if (next !== repeat) return setError(new Error('The new passwords do not match.'));
    const saved = await run(() => api(`${BASE}/auth/set-password`, { body: { password: next, current_password: current } }));
    // A full load: the shell asks again who is signed in, and what is left to do.
    if (saved) location.assign('/admin');
  };

  return (
    <Page title="Choose your own password">
      <form class="card" onSubmit={submit} aria-labelledby="change-password-intro">
        <p id="change-password-intro">
          You signed in with a password Plinth generated and printed at its first start. Choose one of your own before you go on; the generated one stops
          working.
        </p>
        <ErrorBanner error={error} />
        <label for="change-current">Generated password</label>
        <input
          id="change-current"
          type="password"
          autoComplete="current-password"
          required
          value={current}
          onInput={(e) => setCurrent(e.currentTarget.value)}
        />
        <NewPasswordField id="change-new" label="New password" value={next} onInput={setNext} bounds={boundsOf(info.data)} />
        <label for="change-repeat">Repeat the new password</label>
        <input id="change-repeat" type="password" autoComplete="new-password" required value={repeat} onInput={(e) => setRepeat(e.currentTarget.value)} />
        <div class="form-actions">
          <button type="submit" disabled={busy}>
            {busy ? 'Saving…' : 'Save my password'}
          </button>
        </div>
      </form>
    </Page>
  );
}
