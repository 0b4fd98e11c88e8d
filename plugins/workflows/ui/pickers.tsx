// Pickers for ids a person should not have to type: a template parameter or an action's input whose
// schema says `"x-plinth-ref": "<kind>"` (robot, mailbox, user, or any kind a plugin registers) is a
// select of the tenant's things of that kind with their names, from GET /api/v2/workflows/refs/{kind}
// (the owning plugin's lookup). When the list cannot be loaded (its plugin is off, or the caller may
// not list them) the field falls back to typing the id; an action's input may also be typed as a
// {{template}} (e.g. the user id the trigger carries).
import { useState } from 'preact/hooks';
import { t, useApi } from 'plinth/plugin/ui';
import { BASE, fieldStyle, templateToken, type JsonSchema } from './shared.js';

/** GET /workflows/refs/{kind} */
interface RefList {
  kind: string;
  plural: string;
  items: Array<{ id: string; name: string; detail?: string }>;
}

/** The ref kind a property names, if any. */
export function pickerOf(schema: JsonSchema): string | null {
  const kind = schema['x-plinth-ref'];
  return typeof kind === 'string' && /^[a-z][a-z0-9-]{0,39}$/.test(kind) ? kind : null;
}

/** "robots" for "robot" until the list says how its plugin names them. */
const guessPlural = (kind: string) => `${kind.replace(/-/g, ' ')}${kind.endsWith('x') ? 'es' : 's'}`;

/**
 * The things of a kind, as the picker's sentences name them: the catalogue's word for the kinds it
 * knows (robot, mailbox, user), else the owning plugin's English plural (or a guess until it is known).
 */
const pluralOf = (kind: string, plural?: string) => t('workflows.picker.plural', { kind, plural: plural ?? guessPlural(kind) });

export const pickerHint = (kind: string) => t('workflows.picker.hint', { plural: pluralOf(kind) });

/**
 * The select (or, when the list cannot be had, a text input) for one picked id. `described` ties it
 * to the field's hint and messages, as the schema form's other controls are.
 */
const TYPE = '\u0000type';

export function Picker(props: {
  id: string;
  kind: string;
  value: unknown;
  required: boolean;
  described: Record<string, unknown>;
  /** An action's input: it may also be typed (a {{template}}, or an id not listed). */
  templates?: boolean;
  onChange(value: string | undefined): void;
}) {
  const list = useApi<RefList>(`${BASE}/refs/${props.kind}`);
  const plural = pluralOf(props.kind, list.data?.plural);
  const value = typeof props.value === 'string' ? props.value : '';
  const [typing, setTyping] = useState(() => Boolean(props.templates && value.includes('{{')));
  if (typing) {
    return (
      <>
        <input
          id={props.id}
          autoComplete="off"
          spellcheck={false}
          value={value}
          onInput={(e) => props.onChange(e.currentTarget.value || undefined)}
          {...props.described}
        />
        <button type="button" class="secondary small" style={{ marginTop: '0.3rem' }} onClick={() => setTyping(false)}>
          {t('workflows.picker.chooseFrom', { plural })}
        </button>
      </>
    );
  }
  if (list.error) {
    return (
      <>
        <input
          id={props.id}
          autoComplete="off"
          spellcheck={false}
          value={value}
          onInput={(e) => props.onChange(e.currentTarget.value || undefined)}
          {...props.described}
        />
        <span class="muted" style={{ display: 'block', fontSize: '0.8rem' }}>
          {t('workflows.picker.cannotList', { plural, error: list.error.message })}
        </span>
      </>
    );
  }
  const options = (list.data?.items ?? []).map((i) => ({ value: i.id, label: i.detail && i.detail !== i.name ? `${i.name} · ${i.detail}` : i.name }));
  // A value set before (or one no longer listed) stays choosable rather than silently dropped.
  if (value && !options.some((o) => o.value === value)) options.unshift({ value, label: value });
  let blank = props.required ? t('workflows.picker.choose', { plural }) : t('workflows.picker.notSet');
  if (list.data === undefined) blank = t('workflows.picker.loading', { plural });
  else if (!options.length) blank = t('workflows.picker.none', { plural });
  return (
    <select
      id={props.id}
      value={value}
      disabled={list.data === undefined}
      onChange={(e) => {
        if (e.currentTarget.value === TYPE) setTyping(true);
        else props.onChange(e.currentTarget.value || undefined);
      }}
      style={fieldStyle}
      {...props.described}
    >
      <option value="">{blank}</option>
      {options.map((o) => (
        <option key={o.value} value={o.value}>
          {o.label}
        </option>
      ))}
      {props.templates ? <option value={TYPE}>{t('workflows.picker.type', { template: templateToken() })}</option> : null}
    </select>
  );
}
