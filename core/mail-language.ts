/**
 * Mails in the recipient's language (issue 40): a plugin writes each mail once per language we ship
 * as ICU messages (`{url}`, `{hours, plural, one {# hour} other {# hours}}`), and sends the one of
 * the recipient's setting, else the server's default.
 */
import { IntlMessageFormat } from 'intl-messageformat';
import { DEFAULT_LANGUAGE, matchLanguage, type Language } from './languages.js';

export interface MailText {
  subject: string;
  text: string;
}

/** One mail in every language Plinth ships (a missing one is a type error, not an English mail). */
export type MailTemplate = Record<Language, MailText>;

/** The language to write to someone in: their setting when we speak it, else `fallback` (the server's default). */
export const mailLanguage = (setting: string | null | undefined, fallback: Language = DEFAULT_LANGUAGE): Language => matchLanguage(setting) ?? fallback;

/** The template's subject and text in `language`, with the values put in. */
export function renderMail(template: MailTemplate, language: Language, values: Record<string, string | number | Date> = {}): MailText {
  const { subject, text } = template[language];
  const format = (message: string) => String(new IntlMessageFormat(message, language).format(values));
  return { subject: format(subject), text: format(text) };
}
