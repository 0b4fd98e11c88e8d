import type { Logger } from './logger.js';

/**
 * What the person starting the server needs to read: the admin URL, a password generated for them,
 * the SMTP port. `plinth start` prints it in plain text under the listening line, whatever the log
 * format, so it is never a field inside a JSON record.
 *
 * Plugins add lines with `announce(logger, { Label: 'value' })` while they start. It goes through
 * the logger because every service already has one (the auth plugin's bootstrap has nothing else),
 * and a logger's children share their root's notes, so any plugin logger reaches the app's banner.
 */
export type Notes = Array<[label: string, value: NoteValue]>;

/** A line's text, or how to make it when the banner is printed (a link on the public URL, which is final only once the server listens). */
export type NoteValue = string | (() => string);

const NOTES = Symbol.for('plinth.banner.notes');

type WithNotes = Logger & { [NOTES]?: Notes };

/** Makes `logger` (and every child of it) collect announcements into the returned list. */
export function collectNotes(logger: Logger): Notes {
  const notes: Notes = [];
  (logger as WithNotes)[NOTES] = notes;
  return notes;
}

/** Adds lines to the startup banner; without one (a logger no app collects from) they are logged instead. */
export function announce(logger: Logger, lines: Record<string, NoteValue>): void {
  const notes = (logger as WithNotes)[NOTES];
  if (notes) notes.push(...Object.entries(lines));
  else logger.info(Object.fromEntries(Object.entries(lines).map(([label, value]) => [label, text(value)])), 'startup notice');
}

export interface BannerFacts {
  publicUrl: string;
  /** `host:port` the HTTP server is bound to. */
  bind: string;
  /** Null when the admin UI is turned off. */
  adminUrl: string | null;
  notes: Notes;
}

/** Aligned `Label:  value` lines under a title, framed by blank lines so it stands out among log lines. */
export function formatBanner(facts: BannerFacts): string {
  const rows: Notes = [
    ...(facts.adminUrl ? [['Admin UI', facts.adminUrl] as [string, string]] : []),
    ['Public URL', facts.publicUrl],
    ['Listening on', facts.bind],
    ...facts.notes,
  ];
  const width = Math.max(...rows.map(([label]) => label.length)) + 1;
  const body = rows.map(([label, value]) => `  ${`${label}:`.padEnd(width)}  ${text(value)}`);
  return ['', 'Plinth is running', ...body, ''].join('\n') + '\n';
}

const text = (value: NoteValue): string => (typeof value === 'function' ? value() : value);
