import type { Page, Request } from 'playwright-core';

// Finds what a page still says in English while the UI speaks Simplified Chinese (issue 40): every
// visible text node, and the placeholder, title, aria-label and alt a person or a screen reader
// meets, is checked for English words. Data the page shows as it was typed (names, addresses, ids,
// codes) is not a translation's business: addresses, URLs, ids, identifiers (`account:read`,
// `admin.user.created`), <code>/<pre>/<kbd>/<samp> and [translate="no"] are skipped, acronyms and
// product names are allowed, and a test names the rest of its data in `allow`.

/** Words that stay as they are in the Chinese UI: product and protocol names, units. */
const ALWAYS_ALLOWED = [
  'Plinth',
  'WorkBot',
  'MoltFlow',
  'PostgreSQL',
  'SQLite',
  'Redis',
  'Stripe',
  'OpenAI',
  'Claude',
  'Cursor',
  'Chrome',
  'passkey',
  'Authenticator',
  'Google',
  'Microsoft',
  'npm',
  'http',
  'https',
  // Chinese admin UIs (and the MoltFlow seed's Chinese) write Webhook as it is.
  'Webhook',
  'localhost',
  'KiB',
  'MiB',
  'GiB',
  'ms',
];

/** Runs in the page: the browser's own JavaScript (no TypeScript). */
const FIND_ENGLISH = String.raw`({ allow, always }) => {
      const SKIP = 'code, pre, kbd, samp, script, style, noscript, [translate="no"], [hidden]';
      const alwaysSet = new Set(always.map((w) => w.toLowerCase()));
      const visible = (el) => {
        if (el.closest(SKIP)) return false;
        const style = getComputedStyle(el);
        if (style.visibility === 'hidden' || style.display === 'none') return false;
        return el.getClientRects().length > 0 || el.tagName === 'OPTION';
      };
      const describe = (el) => {
        const parts = [];
        for (let e = el; e && e !== document.body && parts.length < 4; e = e.parentElement) {
          parts.unshift(e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.classList.length ? '.' + Array.from(e.classList).join('.') : ''));
        }
        return parts.join(' > ');
      };
      const englishWords = (raw) => {
        let text = raw;
        for (const a of allow) text = text.split(a).join(' ');
        text = text
          .replace(/\b[\w.+-]+@[\w-]+(\.[\w-]+)+\b/g, ' ') // addresses
          .replace(/\bhttps?:\/\/\S+/g, ' ') // URLs
          .replace(/(^|\s)\/[\w/.:?=&{}%-]*/g, ' ') // paths
          .replace(/\b[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}\b/gi, ' ') // UUIDs
          .replace(/[\w-]*[0-9_:.@/][\w:./@-]*/g, ' ') // identifiers, scopes, versions, keys, numbers with units
          .replace(/\b[A-Z][A-Z0-9]{1,7}s?\b/g, ' '); // acronyms: API, SMTP, TOTP, URL, IDs
        const words = text.match(/[A-Za-z][A-Za-z'’-]*/g) ?? [];
        return words.filter((w) => w.length >= 2 && !alwaysSet.has(w.toLowerCase()));
      };
      const found = [];
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const text = node.textContent?.trim() ?? '';
        const el = node.parentElement;
        if (!text || !el || !visible(el)) continue;
        const words = englishWords(text);
        if (words.length) found.push({ text, where: 'text', words, element: describe(el) });
      }
      for (const el of Array.from(document.body.querySelectorAll('[placeholder], [title], [aria-label], [alt]'))) {
        if (!visible(el)) continue;
        for (const attr of ['placeholder', 'title', 'aria-label', 'alt']) {
          const value = el.getAttribute(attr)?.trim();
          if (!value) continue;
          const words = englishWords(value);
          if (words.length) found.push({ text: value, where: attr, words, element: describe(el) });
        }
      }
      // The document's title too (the tab a person sees).
      const titleWords = englishWords(document.title);
      if (titleWords.length) found.push({ text: document.title, where: 'document.title', words: titleWords, element: 'title' });
      return found;
    }`;

export interface Untranslated {
  /** The text as shown (trimmed). */
  text: string;
  /** Where: `text`, or the attribute's name. */
  where: string;
  /** The English words found in it. */
  words: string[];
  /** A short path to the element (tag#id.class), to find it. */
  element: string;
}

/**
 * The visible English left on the page now. `allow`: strings the test's own data put on the page
 * (a user's name, a tenant's) and words to accept, matched case-sensitively, removed before looking.
 */
export async function untranslatedText(page: Page, options: { allow?: readonly string[] } = {}): Promise<Untranslated[]> {
  const allow = [...(options.allow ?? [])].sort((a, b) => b.length - a.length);
  // A string, not a function: the test runner's transpiler wraps named functions in a helper the page does not have.
  return page.evaluate(`(${FIND_ENGLISH})(${JSON.stringify({ allow, always: ALWAYS_ALLOWED })})`);
}

/** The findings as lines for an assertion message. */
export const describeUntranslated = (found: readonly Untranslated[]): string =>
  found.map((f) => `${f.where === 'text' ? '' : `[${f.where}] `}"${f.text}" (${f.words.join(', ')}) at ${f.element}`).join('\n');

/** How long no request may be in flight before a page counts as drawn (Playwright's networkidle uses the same). */
const QUIET_MS = 500;

/**
 * Watches a page's requests so a walk can wait until its reads have answered: none in flight for
 * QUIET_MS. Playwright's `networkidle` leaves out only EventSource streams, so a page that keeps a
 * long poll open for as long as it is shown never gets there; `longPolls` names those requests
 * (their URLs), which are left out too.
 */
export function watchRequests(page: Page, longPolls: readonly RegExp[] = []): { settled(timeoutMs?: number): Promise<void> } {
  const open = new Set<Request>();
  let changed = Date.now();
  page.on('request', (r) => {
    if (r.resourceType() === 'eventsource' || longPolls.some((p) => p.test(r.url()))) return;
    open.add(r);
    changed = Date.now();
  });
  const ended = (r: Request) => {
    if (open.delete(r)) changed = Date.now();
  };
  page.on('requestfinished', ended);
  page.on('requestfailed', ended);
  return {
    async settled(timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs;
      while (open.size || Date.now() - changed < QUIET_MS) {
        if (Date.now() > until) {
          const urls = [...open].map((r) => r.url()).join(', ');
          throw new Error(`requests still in flight after ${timeoutMs} ms: ${urls || 'none, but never quiet'}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
  };
}
