// A new-password field with its strength shown as it is typed, judged by the server's own rules
// (../password-rules.ts) and its list of common passwords, loaded (once) when the field first shows.
import { useEffect, useState } from 'preact/hooks';
import { t, useApi } from 'plinth/plugin/ui';
import { type PasswordBounds, passwordProblem, passwordStrength, STRENGTH_LABELS } from '../password-rules.js';
import { BASE } from './shared.js';

/** GET /auth/registration: the registration mode and the password bounds. */
export interface RegistrationInfo {
  registration: 'open' | 'verify' | 'closed';
  password_min_length: number;
  password_max_length: number;
}

let common: Promise<Set<string>> | null = null;
/** The common-password list (its own chunk of the bundle, ~400 kB, fetched only by pages with this field). */
const loadCommon = () => {
  common ??= import('@zxcvbn-ts/language-common').then((m) => new Set(m.dictionary['passwords-common']));
  common.catch(() => (common = null));
  return common;
};

function useCommonList(): Set<string> | null {
  const [list, setList] = useState<Set<string> | null>(null);
  useEffect(() => {
    let live = true;
    loadCommon().then(
      (set) => live && setList(set),
      () => undefined, // without the list the meter still judges length; the server checks the rest
    );
    return () => {
      live = false;
    };
  }, []);
  return list;
}

export const useRegistrationInfo = () => useApi<RegistrationInfo>(`${BASE}/auth/registration`);

/** The meter under a new password: the server's refusal in its words, or how strong it is. */
function Strength(props: { password: string; bounds: PasswordBounds; id: string }) {
  const list = useCommonList();
  if (!props.password)
    return (
      <p id={props.id} class="muted password-strength" aria-live="polite">
        {t('auth.password.atLeast', { min: props.bounds.min })}
      </p>
    );
  const isCommon = (p: string) => Boolean(list?.has(p));
  const problem = passwordProblem(props.password, props.bounds, isCommon);
  const score = problem ? 0 : passwordStrength(props.password, isCommon);
  const text = problem ? t('auth.password.refused', { problem }) : t('auth.password.strength', { label: STRENGTH_LABELS[score as 1 | 2 | 3 | 4] });
  return (
    <div id={props.id} class="password-strength" aria-live="polite">
      <meter min={0} max={4} low={2} high={3} optimum={4} value={score} aria-label={t('auth.password.strengthLabel')} />
      <span class={problem ? 'tone-text-alert' : score < 2 ? 'tone-text-warn' : ''}>{text}</span>
    </div>
  );
}

/** Label, input (autocomplete new-password) and its strength meter. */
export function NewPasswordField(props: {
  id: string;
  label: string;
  value: string;
  onInput(value: string): void;
  bounds: PasswordBounds;
  autoFocus?: boolean;
}) {
  return (
    <>
      <label for={props.id}>{props.label}</label>
      <input
        id={props.id}
        type="password"
        autoComplete="new-password"
        required
        autoFocus={props.autoFocus}
        maxLength={props.bounds.max}
        aria-describedby={`${props.id}-strength`}
        value={props.value}
        onInput={(e) => props.onInput(e.currentTarget.value)}
      />
      <Strength id={`${props.id}-strength`} password={props.value} bounds={props.bounds} />
    </>
  );
}

/** The bounds from GET /auth/registration, or the defaults while it loads. */
export const boundsOf = (info: RegistrationInfo | undefined): PasswordBounds => ({
  min: info?.password_min_length ?? 8,
  max: info?.password_max_length ?? 256,
});
