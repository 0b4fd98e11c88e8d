// Pickers for ids a person should not have to type: a template parameter whose schema says
// `"x-picker": "robot" | "mailbox" | "user"` is a select of the tenant's robots, mailboxes or users
// with their names, loaded from those plugins' own list endpoints. When the list cannot be loaded
// (the plugin is off, or the caller may not list them) the field falls back to typing the id.
import { useApi } from '../../../core/ui/kit/index.js';
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
    path: '/workbot/api/admin/users?pageSize=200',
    plural: 'users',
    options: (reply) =>
      (reply?.data?.list ?? []).map((u: { userId: string; nickname: string; email: string | null }) => ({
        value: u.userId,
        label: [u.nickname, u.email].filter(Boolean).join(' · ') || u.userId,
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
export function Picker(props: {
  id: string;
  kind: PickerKind;
  value: unknown;
  required: boolean;
  described: Record<string, unknown>;
  onChange(value: string | undefined): void;
}) {
  const source = SOURCES[props.kind];
  const list = useApi<unknown>(source.path);
  const value = typeof props.value === 'string' ? props.value : '';
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
      onChange={(e) => props.onChange(e.currentTarget.value || undefined)}
      style={fieldStyle}
      {...props.described}
    >
      <option value="">{blank}</option>
      {options.map((o) => (
        <option key={o.value} value={o.value}>
          {o.label}
        </option>
      ))}
    </select>
  );
}
