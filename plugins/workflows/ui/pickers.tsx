// Pickers for ids a person should not have to type: a template parameter or an action's input whose
// schema says `"x-picker": "robot" | "mailbox" | "user"` is a select of the tenant's robots, mailboxes
// or users with their names, loaded from those plugins' own list endpoints (users: the auth plugin's
// GET /api/v2/tenant/users). When the list cannot be loaded (the plugin is off, or the caller may not
// list them) the field falls back to typing the id; an action's input may also be typed as a
// {{template}} (e.g. the user id the trigger carries).
import { useState } from 'preact/hooks';
import { useApi } from 'plinth/plugin/ui';
import { fieldStyle, type JsonSchema } from './shared.js';

export type PickerKind = 'robot' | 'mailbox' | 'user';

interface Option {
  value: string;
  label: string;
}

interface Source {
  path: string;
  /** "robots": how the hint and the empty list name them. */
  plural: string;
  options(reply: any): Option[];
}

const SOURCES: Record<PickerKind, Source> = {
  robot: {
    path: '/workbot/api/robots?pageSize=100',
    plural: 'robots',
    options: (reply) =>
      (reply?.data?.list ?? [])
        .filter((r: { status: string }) => r.status !== 'deleted')
        .map((r: { robotId: string; name: string; status: string }) => ({ value: r.robotId, label: `${r.name || r.robotId} (${r.status}) · ${r.robotId}` })),
  },
  mailbox: {
    path: '/mail/api/mailboxes?limit=500',
    plural: 'mailboxes',
    options: (reply) => (Array.isArray(reply) ? reply : []).map((m: { address: string }) => ({ value: m.address, label: m.address })),
  },
  user: {
    path: '/api/v2/tenant/users?page_size=200&status=active',
    plural: 'users',
    options: (reply) =>
      (reply?.items ?? []).map((u: { id: string; full_name: string; email: string | null; role: string }) => ({
        value: u.id,
        label: `${[u.full_name, u.email].filter(Boolean).join(' · ') || u.id} (${u.role})`,
      })),
  },
};

/** The picker a property asks for, if any. */
export function pickerOf(schema: JsonSchema): PickerKind | null {
  const kind = schema['x-picker'];
  return kind === 'robot' || kind === 'mailbox' || kind === 'user' ? kind : null;
}

export const pickerHint = (kind: PickerKind) => `one of your ${SOURCES[kind].plural}`;

/**
 * The select (or, when the list cannot be had, a text input) for one picked id. `described` ties it
 * to the field's hint and messages, as the schema form's other controls are.
 */
const TYPE = '\u0000type';

export function Picker(props: {
  id: string;
  kind: PickerKind;
  value: unknown;
  required: boolean;
  described: Record<string, unknown>;
  /** An action's input: it may also be typed (a {{template}}, or an id not listed). */
  templates?: boolean;
  onChange(value: string | undefined): void;
}) {
  const source = SOURCES[props.kind];
  const list = useApi<unknown>(source.path);
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
          Choose from your {source.plural}
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
          Could not list your {source.plural} ({list.error.message}): type the id.
        </span>
      </>
    );
  }
  const options = list.data === undefined ? [] : source.options(list.data);
  // A value set before (or one no longer listed) stays choosable rather than silently dropped.
  if (value && !options.some((o) => o.value === value)) options.unshift({ value, label: value });
  let blank = props.required ? `Choose one of your ${source.plural}…` : '— not set —';
  if (list.data === undefined) blank = `Loading ${source.plural}…`;
  else if (!options.length) blank = `You have no ${source.plural} yet`;
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
      {props.templates ? <option value={TYPE}>Type an id or a {'{{template}}'}…</option> : null}
    </select>
  );
}
