import type { ComponentChildren, JSX } from 'preact';
import { formatDateTime, t } from './i18n.js';

/** A page's title row, with optional actions (buttons) on the right. */
export function Page(props: { title: string; actions?: ComponentChildren; children?: ComponentChildren }) {
  return (
    <section class="page">
      <header class="page-header">
        <h1>{props.title}</h1>
        {props.actions ? <div class="page-actions">{props.actions}</div> : null}
      </header>
      {props.children}
    </section>
  );
}

/** Shows what went wrong, in words the server chose; renders nothing when there is no error. */
export function ErrorBanner(props: { error: Error | string | null | undefined }) {
  if (!props.error) return null;
  return (
    <div class="error-banner" role="alert">
      {typeof props.error === 'string' ? props.error : props.error.message}
    </div>
  );
}

export interface Column<T> {
  label: string;
  /** A property to print as is, or a function for anything richer. */
  value: keyof T | ((row: T) => ComponentChildren);
  class?: string;
}

/** A plain data table; `empty` is shown in place of rows when there are none. */
export function Table<T>(props: {
  columns: Column<T>[];
  rows: readonly T[];
  rowKey?: (row: T, index: number) => string | number;
  empty?: string;
  caption?: string;
}) {
  const { columns, rows } = props;
  const cell = (row: T, column: Column<T>): ComponentChildren => {
    if (typeof column.value === 'function') return column.value(row);
    const v = row[column.value];
    return v === null || v === undefined ? '—' : String(v);
  };
  return (
    <table class="table">
      {props.caption ? <caption>{props.caption}</caption> : null}
      <thead>
        <tr>
          {columns.map((c) => (
            <th key={c.label} scope="col" class={c.class}>
              {c.label}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.length === 0 ? (
          <tr>
            <td class="empty" colSpan={columns.length}>
              {props.empty ?? t('kit.table.empty')}
            </td>
          </tr>
        ) : (
          rows.map((row, i) => (
            <tr key={props.rowKey ? props.rowKey(row, i) : i}>
              {columns.map((c) => (
                <td key={c.label} class={c.class}>
                  {cell(row, c)}
                </td>
              ))}
            </tr>
          ))
        )}
      </tbody>
    </table>
  );
}

/** An ISO-8601 (or epoch ms / Date) time shown in the UI's language, with the exact value on hover. */
export function Time(props: { value: unknown }): JSX.Element {
  const { value } = props;
  if (value === null || value === undefined || value === '') return <span>—</span>;
  const date = new Date(value as string | number);
  if (Number.isNaN(date.getTime())) return <span>{String(value)}</span>;
  const iso = date.toISOString();
  return (
    <time dateTime={iso} title={iso}>
      {formatDateTime(date)}
    </time>
  );
}
