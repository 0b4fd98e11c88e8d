/**
 * The admin UI's words: ICU messages (plurals, selects, numbers, dates) by stable id, in catalogues
 * each owner ships (core/ui/messages for the shell and kit, plugins/<name>/ui/messages for a
 * plugin, registered by the plugin's UI entry with `addMessages`), formatted by FormatJS's
 * intl-messageformat through the browser's Intl. docs/ui-i18n.md tells how to add a string.
 */
import type { ComponentChildren } from 'preact';
import { IntlMessageFormat } from 'intl-messageformat';
import { DEFAULT_LANGUAGE, LANGUAGES, pickLanguage, type Language } from '../../languages.js';
import en from '../messages/en.json' with { type: 'json' };
import zhCN from '../messages/zh-CN.json' with { type: 'json' };

export { LANGUAGES, LANGUAGE_NAMES, type Language } from '../../languages.js';

/** One language's messages: id → ICU message. */
export type Messages = Record<string, string>;

const catalogues = new Map<Language, Messages>(LANGUAGES.map((lang) => [lang, {}]));
const compiled = new Map<string, IntlMessageFormat | null>();
const listeners = new Set<(lang: Language) => void>();
let language: Language = DEFAULT_LANGUAGE;

/** Adds an owner's messages; a language we do not ship is ignored. Ids are global: prefix them with the owner (`robots.list.empty`). */
export function addMessages(byLanguage: Partial<Record<string, Messages>>): void {
  for (const [lang, messages] of Object.entries(byLanguage)) {
    const catalogue = catalogues.get(lang as Language);
    if (catalogue && messages) Object.assign(catalogue, messages);
  }
  compiled.clear();
}

addMessages({ en, 'zh-CN': zhCN });

/** The language the UI speaks now. */
export const currentLanguage = (): Language => language;

/** The user's setting, else the browser's languages, else English. */
export function chooseLanguage(setting: string | null | undefined): Language {
  const browser = typeof navigator === 'undefined' ? [] : (navigator.languages ?? [navigator.language]);
  return pickLanguage([setting, ...browser]);
}

/** Switches the UI's language (and `<html lang>`); the shell re-renders every page on the change. */
export function setLanguage(lang: Language): void {
  const changed = lang !== language;
  language = lang;
  if (typeof document !== 'undefined') document.documentElement.lang = lang;
  if (changed) for (const listener of listeners) listener(lang);
}

/** Called with the new language after each change; returns the unsubscribe. */
export function onLanguageChange(listener: (lang: Language) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Whether the id has a message in the current language (or English). */
export const hasMessage = (id: string): boolean => id in catalogues.get(language)! || id in catalogues.get(DEFAULT_LANGUAGE)!;

function formatter(id: string): IntlMessageFormat | null {
  const key = `${language}\u0000${id}`;
  let format = compiled.get(key);
  if (format === undefined) {
    // A message missing in this language falls back to English (the catalogue test keeps them in step).
    const source = catalogues.get(language)![id] ?? catalogues.get(DEFAULT_LANGUAGE)![id];
    format = source === undefined ? null : new IntlMessageFormat(source, language);
    compiled.set(key, format);
  }
  return format;
}

/**
 * The message `id` with its values (`{count, plural, one {# robot} other {# robots}}`, `{name}`);
 * the id itself when no catalogue has it, so a missing string shows and the walk test sees it.
 */
export function t(id: string, values?: Record<string, string | number | Date | null | undefined>): string {
  const format = formatter(id);
  if (!format) return id;
  const out = format.format(values as Record<string, string | number | Date>);
  return Array.isArray(out) ? out.join('') : String(out);
}

/** Like `t`, but `fallback` (e.g. a title the server sent) when no catalogue has the id. */
export const tOr = (id: string, fallback: string, values?: Record<string, string | number | Date>): string => (hasMessage(id) ? t(id, values) : fallback);

/**
 * A message with markup: its tags become components (`Open <link>API keys</link>` with
 * `{ link: (text) => <a href="…">{text}</a> }`) and values may be elements.
 */
export function tx(id: string, values: Record<string, unknown>): ComponentChildren {
  const format = formatter(id);
  if (!format) return id;
  return format.format(values as Record<string, never>) as ComponentChildren;
}

// --- Numbers and dates through Intl, in the UI's language ---------------------------------------

export const formatNumber = (value: number, options?: Intl.NumberFormatOptions): string => new Intl.NumberFormat(language, options).format(value);

const asDate = (value: string | number | Date): Date => (value instanceof Date ? value : new Date(value));

/** A date and time (default: medium date, medium time). */
export const formatDateTime = (value: string | number | Date, options: Intl.DateTimeFormatOptions = { dateStyle: 'medium', timeStyle: 'medium' }): string =>
  new Intl.DateTimeFormat(language, options).format(asDate(value));

/** A date (default: medium). */
export const formatDate = (value: string | number | Date, options: Intl.DateTimeFormatOptions = { dateStyle: 'medium' }): string =>
  new Intl.DateTimeFormat(language, options).format(asDate(value));

/** A time of day (default: short). */
export const formatTime = (value: string | number | Date, options: Intl.DateTimeFormatOptions = { timeStyle: 'short' }): string =>
  new Intl.DateTimeFormat(language, options).format(asDate(value));

const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['year', 365 * 86_400_000],
  ['month', 30 * 86_400_000],
  ['week', 7 * 86_400_000],
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
  ['second', 1000],
];

/** "3 minutes ago", "in 2 days" (`3 分钟前`), from `now`. */
export function formatRelativeTime(value: string | number | Date, now: number = Date.now()): string {
  const diff = asDate(value).getTime() - now;
  const [unit, ms] = UNITS.find(([, size]) => Math.abs(diff) >= size) ?? UNITS[UNITS.length - 1];
  return new Intl.RelativeTimeFormat(language, { numeric: 'auto' }).format(Math.round(diff / ms), unit);
}

/** A list: "a, b and c" / "a、b和c". */
export const formatList = (items: readonly string[], type: 'conjunction' | 'disjunction' = 'conjunction'): string =>
  new Intl.ListFormat(language, { type }).format(items);
