/**
 * The languages Plinth speaks (the admin UI's catalogues, the mails' templates) and how a wish
 * (a user's setting, a browser's Accept-Language or navigator.languages) is matched to one of them.
 * Shared by the server and the admin UI bundle: no Node imports here.
 */
export const LANGUAGES = ['en', 'zh-CN'] as const;
export type Language = (typeof LANGUAGES)[number];
export const DEFAULT_LANGUAGE: Language = 'en';

/** Each language's name in itself, for a picker. */
export const LANGUAGE_NAMES: Record<Language, string> = { en: 'English', 'zh-CN': '简体中文' };

export const isLanguage = (value: unknown): value is Language => typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);

/**
 * The language a BCP 47 tag asks for, or null for one we do not speak. Any Chinese tag is served
 * Simplified Chinese (the only script we ship: better than English for a zh-TW reader); `en-GB`
 * gets English.
 */
export function matchLanguage(tag: string | null | undefined): Language | null {
  if (!tag) return null;
  const lower = tag.trim().toLowerCase();
  if (!lower) return null;
  const exact = LANGUAGES.find((l) => l.toLowerCase() === lower);
  if (exact) return exact;
  const primary = lower.split(/[-_]/)[0];
  if (primary === 'zh') return 'zh-CN';
  if (primary === 'en') return 'en';
  return null;
}

/** The first of these wishes we speak (in order of preference), else `fallback`. */
export function pickLanguage(wishes: ReadonlyArray<string | null | undefined>, fallback: Language = DEFAULT_LANGUAGE): Language {
  for (const wish of wishes) {
    const match = matchLanguage(wish);
    if (match) return match;
  }
  return fallback;
}
