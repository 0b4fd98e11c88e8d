// The Overview's cards in the UI's language: a card's English fields are the server's, each with a
// message id of the owning plugin's catalogue (core/overview/card.ts CardMessage); the shell imports
// every plugin's catalogue, so the page says them in the UI's language.
import type { CardMessage } from '../../overview/card.js';
import { tOr } from '../kit/i18n.js';

/** A card's words: its message when a catalogue has the id, else the English the server wrote (a plugin that ships no catalogue). */
export function cardWords(english: string, message: CardMessage | undefined): string {
  if (!message) return english;
  const values = Object.fromEntries(Object.entries(message.values ?? {}).map(([k, v]) => [k, typeof v === 'object' ? cardWords(v.text, v) : v]));
  return tOr(message.id, english, values);
}
