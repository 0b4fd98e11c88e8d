import type { compile as CompileHtmlToText } from 'html-to-text';

/**
 * The readable text of an HTML-only message, stored as its `content` and read by the code
 * extractor. html-to-text's default rendering (what mailparser used) lays layout tables out inline,
 * so `<tr><td>903174</td></tr><tr><td>If…` became "903174If…": here a table row is a line, a cell
 * is separated from its neighbours by a space, and div, p, br, li, headings stay line breaks.
 */

/** Deeper than this, html-to-text's recursive walk nears the call stack's limit. */
const MAX_DEPTH = 1000;
const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param', 'source', 'track', 'wbr']);
/** Closed implicitly by a sibling (td after td), so an unclosed run of them does not nest. */
const IMPLIED_END = new Set(['p', 'li', 'dt', 'dd', 'option', 'optgroup', 'tr', 'td', 'th', 'thead', 'tbody', 'tfoot', 'rt', 'rp']);
const CELL_TAG = /<\/?(?:td|th)\b[^<>]*>/gi;
const BLOCK_TAG = /<\/?(?:tr|table|thead|tbody|tfoot|div|p|br|li|ul|ol|h[1-6]|center|section|article|header|footer|blockquote|pre|hr)\b[^<>]*>/gi;
const SKIPPED = ['head', 'style', 'script', 'noscript', 'title', 'template', 'img'];

/**
 * Whether the markup nests elements deeper than `max`, in one linear pass. It may overestimate
 * (an end tag is taken to close one level only), never underestimate: parsing deep markup is
 * quadratic in htmlparser2, so such HTML is rendered by the plain fallback instead.
 */
export function nestsDeeperThan(html: string, max: number): boolean {
  const open = new Map<string, number>();
  let depth = 0;
  for (const m of html.matchAll(/<(\/?)([a-zA-Z][\w:-]{0,40})[^<>]{0,4096}?(\/?)>/g)) {
    const name = m[2].toLowerCase();
    if (VOID.has(name) || IMPLIED_END.has(name)) continue;
    const count = open.get(name) ?? 0;
    if (m[1]) {
      if (count) {
        open.set(name, count - 1);
        depth--;
      }
    } else if (!m[3]) {
      open.set(name, count + 1);
      if (++depth > max) return true;
    }
  }
  return false;
}

const ENTITIES: Record<string, string> = {
  nbsp: ' ',
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  copy: '©',
  reg: '®',
  middot: '·',
  ndash: '–',
  mdash: '—',
};

/** Tags out, cells apart, block boundaries as line breaks, common entities decoded: for markup too deep to parse. */
export function plainRendering(html: string): string {
  return html
    .replace(/<(style|script|title)\b[^<>]*>[^<]*<\/\1\s*>/gi, ' ') // [^<]*: linear, however many are left open
    .replace(CELL_TAG, ' ')
    .replace(BLOCK_TAG, '\n')
    .replace(/<[^<>]*>/g, '')
    .replace(/&(?:#(\d{1,7})|#x([0-9a-f]{1,6})|([a-z]{2,8}));/gi, (all, dec: string, hex: string, name: string) => {
      const point = dec ? Number(dec) : hex ? Number.parseInt(hex, 16) : -1;
      if (point >= 0) return point > 0 && point <= 0x10ffff ? String.fromCodePoint(point) : '';
      return ENTITIES[name.toLowerCase()] ?? all;
    })
    .replace(/[ \t\u00a0]+/g, ' ')
    .replace(/ ?\n\s*/g, '\n')
    .trim();
}

/** Builds the renderer once, from html-to-text (loaded with the parser, on the first message). */
export function htmlRenderer(compile: typeof CompileHtmlToText, maxBytes: number): (html: string) => string {
  const block = (lines: number) => ({ format: 'block', options: { leadingLineBreaks: lines, trailingLineBreaks: lines } });
  const render = compile({
    wordwrap: false,
    limits: { maxDepth: MAX_DEPTH, maxInputLength: maxBytes },
    formatters: {
      // A cell is inline text with a space on each side: cells of a row share its line.
      cell: (elem, walk, builder) => {
        builder.addInline(' ');
        walk(elem.children, builder);
        builder.addInline(' ');
      },
    },
    selectors: [
      { selector: 'table', ...block(1) },
      { selector: 'tr', ...block(1) },
      { selector: 'td', format: 'cell' },
      { selector: 'th', format: 'cell' },
      { selector: 'center', ...block(1) },
      { selector: 'a', options: { hideLinkHrefIfSameAsText: true } },
      // Headings keep their case: an alphanumeric code in an <h1> is typed as shown.
      ...[1, 2, 3, 4, 5, 6].map((n) => ({ selector: `h${n}`, format: 'block', options: { leadingLineBreaks: 2, trailingLineBreaks: 2 } })),
      ...SKIPPED.map((selector) => ({ selector, format: 'skip' })),
    ],
  });
  return (html: string) => {
    const cut = html.slice(0, maxBytes);
    return nestsDeeperThan(cut, MAX_DEPTH) ? plainRendering(cut) : render(cut);
  };
}
