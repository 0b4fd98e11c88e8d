// Words the server writes in English with a message id beside them (Overview cards, alerts): the
// admin UI's English catalogues, loaded in the test process as the UI loads them, to check that the
// message is in a catalogue and reads as the English the server wrote.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import type { CardMessage } from '../../core/overview/card.js';
import { addMessages, hasMessage, type Messages } from '../../core/ui/kit/i18n.js';
import { cardWords } from '../../core/ui/shell/card-words.js';

let loaded = false;

/** The core's and every plugin's English catalogue. */
function loadEnglish(): void {
  if (loaded) return;
  for (const dir of ['core', ...fs.readdirSync('plugins').map((p) => `plugins/${p}`)]) {
    const file = `${dir}/ui/messages/en.json`;
    if (fs.existsSync(file)) addMessages({ en: JSON.parse(fs.readFileSync(file, 'utf8')) as Messages });
  }
  loaded = true;
}

/** `message` is in a catalogue and its English reads `english`. */
export function assertMessageReads(english: string, message: CardMessage | null | undefined, what: string): void {
  loadEnglish();
  assert.ok(message && hasMessage(message.id), `${what} "${english}" has a message in a catalogue`);
  assert.equal(cardWords(english, message), english, `${what}: the English of ${message.id}`);
}
