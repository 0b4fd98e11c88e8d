import type { Address, Email } from 'postal-mime';
import type SanitizeHtml from 'sanitize-html';
import type { AppError } from 'plinth/plugin/errors';
import type { MailSettings } from '../config.js';
import { extractVerificationCode } from './code-extractor.js';
import { htmlRenderer } from './mail-text.js';
import { MailErrors } from './errors.js';

// A received message from raw bytes to what is stored of it: parsed within the MIME limits,
// read as text, its HTML sanitised and its verification code found. Pure CPU work, no I/O: it
// runs in the parse workers (parse-pool.ts) and, where there are none, on the main thread.

/** What is stored of a parsed message, worked out before it joins a transaction (no CPU work inside one). */
export interface Prepared {
  messageId: string | null;
  sender: string;
  senderName: string;
  recipients: string[];
  /** Delivered-To or X-Original-To: where a relay says it delivered the message. */
  deliveredTo: string | null;
  subject: string;
  preview: string;
  text: string;
  html: string | null;
  code: string | null;
  attachments: Array<{ filename: string | null; content_type: string; size: number; content_id: string | null }>;
  forwarded: boolean;
}

export const FORWARDED_HEADER = 'x-plinth-forwarded';

interface MailLibraries {
  PostalMime: typeof import('postal-mime').default;
  sanitizeHtml: typeof SanitizeHtml;
  compileHtmlToText: typeof import('html-to-text').compile;
}
let libraries: Promise<MailLibraries> | null = null;

/** postal-mime, sanitize-html and html-to-text are loaded with the first message, not at boot (memory, boot time). */
export function mailLibraries(): Promise<MailLibraries> {
  libraries ??= Promise.all([import('postal-mime'), import('sanitize-html'), import('html-to-text')]).then(([m, s, h]) => ({
    PostalMime: m.default,
    sanitizeHtml: s.default,
    compileHtmlToText: h.compile,
  }));
  return libraries;
}

let renderer: Promise<(html: string) => string> | null = null;

/**
 * The text a message is read by (stored as `content`, previewed, searched for a code): its
 * text/plain part, or else its HTML rendered with cell and block boundaries kept (mail-text.ts).
 */
export async function messageText(parsed: Email, settings: MailSettings): Promise<string> {
  const text = parsed.text ?? '';
  if (text.trim() || typeof parsed.html !== 'string') return text;
  renderer ??= mailLibraries().then((l) => htmlRenderer(l.compileHtmlToText, settings.maxHtmlBytes));
  return (await renderer)(parsed.html);
}

/**
 * Received HTML is hostile until proven otherwise: scripts, event handlers, forms, frames and
 * javascript: URLs are removed before it is stored for display (the raw message keeps the original).
 */
export function sanitizeMailHtml(html: string, sanitizeHtml: typeof SanitizeHtml): string {
  return sanitizeHtml(html, sanitizeOptions(sanitizeHtml));
}

/** Built once: sanitize-html copies its options per call, but the tag list and transform made anew each time were a quarter of its cost on a small message. */
let sanitizeOptionsBuilt: SanitizeHtml.IOptions | null = null;
function sanitizeOptions(sanitizeHtml: typeof SanitizeHtml): SanitizeHtml.IOptions {
  sanitizeOptionsBuilt ??= {
    allowedTags: [...sanitizeHtml.defaults.allowedTags, 'img', 'font', 'center', 'span', 'div'],
    allowedAttributes: {
      '*': ['style', 'align', 'width', 'height', 'bgcolor', 'color', 'dir', 'title'],
      a: ['href', 'name', 'target', 'rel'],
      img: ['src', 'alt', 'width', 'height'],
      font: ['face', 'size', 'color'],
      td: ['colspan', 'rowspan', 'valign'],
      th: ['colspan', 'rowspan', 'valign'],
    },
    allowedSchemes: ['http', 'https', 'mailto', 'cid', 'data'],
    allowedSchemesByTag: { img: ['http', 'https', 'cid', 'data'] },
    allowProtocolRelative: false,
    transformTags: { a: sanitizeHtml.simpleTransform('a', { rel: 'noopener noreferrer nofollow', target: '_blank' }) },
  };
  return sanitizeOptionsBuilt;
}

/**
 * Why the parser refused a message, as a 422: the same bytes always fail the same way, so this is
 * a permanent refusal (SMTP 554 5.6.0), never a "try again".
 */
function malformed(err: unknown, settings: MailSettings): AppError {
  const message = err instanceof Error ? err.message : String(err);
  const reason = /nesting depth/i.test(message)
    ? `MIME parts nested more than ${maxNesting(settings)} deep`
    : /header size/i.test(message)
      ? `MIME headers over ${settings.smtp.maxHeaderBytes} bytes`
      : `unparsable MIME (${message.slice(0, 200)})`;
  return MailErrors.messageMalformed(reason);
}

/** How deep multiparts may nest: postal-mime's own bound (256), or the part limit when lower. */
const maxNesting = (settings: MailSettings) => Math.min(256, settings.smtp.maxMimeParts);

/**
 * postal-mime's part tree. It bounds nesting and header bytes but not how many parts a message
 * has, so the parts are counted here, stopping once past the limit. `root` is not in its typings:
 * malformed.test.ts's 2,000 parts fail if a new version moves it.
 */
interface MimePart {
  childNodes: MimePart[];
}
function morePartsThan(root: MimePart, limit: number): boolean {
  let count = 0;
  const open = [root];
  for (let part = open.pop(); part; part = open.pop()) {
    count += part.childNodes.length;
    if (count > limit) return true;
    open.push(...part.childNodes);
  }
  return false;
}

/**
 * Parses within a time budget and the MIME limits (nesting, parts, header bytes). A timeout stays
 * a 503 (the machine may just be busy); a parser error or a limit passed is a 422. postal-mime
 * parses from the bytes in one pass with no streams, about half mailparser's CPU a message.
 */
export async function parseMessage(raw: Buffer, settings: MailSettings): Promise<Email> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(MailErrors.parseTimedOut()), settings.smtp.parseTimeoutMs);
  });
  try {
    const { PostalMime } = await mailLibraries();
    const parser = new PostalMime({ maxNestingDepth: maxNesting(settings), maxHeadersSize: settings.smtp.maxHeaderBytes });
    const parsing = parser.parse(raw).then(
      (email) => {
        if (morePartsThan((parser as unknown as { root: MimePart }).root, settings.smtp.maxMimeParts)) {
          throw MailErrors.messageMalformed(`more than ${settings.smtp.maxMimeParts} MIME parts`);
        }
        return email;
      },
      (err: unknown) => {
        throw malformed(err, settings);
      },
    );
    return await Promise.race([parsing, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Where a relay says it delivered the message: Delivered-To (an address) or X-Original-To (text). */
function deliveredTo(parsed: Email, clean: (v: string, max?: number) => string): string | null {
  const address = parsed.deliveredTo ?? parsed.headers.find((h) => h.key === 'x-original-to')?.value;
  return address?.trim() ? clean(address.trim(), 320) : null;
}

/** The mailboxes of an address list, a group's members included. */
const mailboxes = (list: Address[] | undefined) => (list ?? []).flatMap((a) => (a.group ? a.group : [a]));

function toPrepared(parsed: Email, text: string, envelopeFrom: string, sanitizeHtml: typeof SanitizeHtml, settings: MailSettings): Prepared {
  const from = mailboxes(parsed.from ? [parsed.from] : [])[0];
  const html = typeof parsed.html === 'string' ? sanitizeMailHtml(parsed.html.slice(0, settings.maxHtmlBytes), sanitizeHtml) : null;
  const subject = parsed.subject ?? '';
  const code = extractVerificationCode(subject, text);
  // Cut to the columns' sizes and without NUL (PostgreSQL text refuses it): one odd message must
  // never fail the transaction it shares with others.
  const clean = (v: string, max?: number) => (max === undefined ? v : v.slice(0, max)).replace(/\0/g, '');
  return {
    messageId: parsed.messageId ? clean(parsed.messageId, 998) : null,
    sender: clean(from?.address || envelopeFrom || '', 320),
    senderName: clean(from?.name ?? '', 320),
    recipients: [...mailboxes(parsed.to), ...mailboxes(parsed.cc)].map((m) => clean(m.address ?? '')).filter(Boolean),
    deliveredTo: deliveredTo(parsed, clean),
    subject: clean(subject, 998),
    preview: clean(text.slice(0, 2000).replace(/\s+/g, ' ').trim(), 200),
    text: clean(text),
    html: html === null ? null : clean(html),
    code,
    attachments: parsed.attachments.map((a) => ({
      filename: a.filename ? clean(a.filename, 255) : null,
      content_type: clean(a.mimeType, 255),
      size: typeof a.content === 'string' ? Buffer.byteLength(a.content) : a.content.byteLength,
      content_id: a.contentId ? clean(a.contentId.replace(/^<|>$/g, ''), 255) : null,
    })),
    forwarded: parsed.headers.some((h) => h.key === FORWARDED_HEADER && h.value !== ''),
  };
}

/** Parses a raw message and works out what is stored of it; a malformed message is a 422 (malformed_message). */
export async function prepareMessage(raw: Buffer, envelopeFrom: string, settings: MailSettings): Promise<Prepared> {
  const parsed = await parseMessage(raw, settings);
  return toPrepared(parsed, await messageText(parsed, settings), envelopeFrom, (await mailLibraries()).sanitizeHtml, settings);
}
