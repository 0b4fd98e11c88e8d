/**
 * Finds the verification code in a message: a 4–8 character token with a digit, close to a word
 * like "code", "OTP", "PIN", "TAN", "one-time password", Bestätigungscode, código, codice, kod,
 * код, 验证码, 認証コード, 인증번호, mã xác minh… in the subject or body. A code written in groups
 * (`284-613`, `123 456`, `61 84 29`, one digit per box `5 8 1 9 2 7`) is returned as typed, without
 * the separators (`284613`); full-width digits come back as ASCII. Years, dates, times, prices,
 * phone numbers, order/invoice/card/tracking numbers, colours, postal codes and digits inside
 * URLs, domains or addresses are not codes, nor are promo, zip, postal, tracking, customer or
 * error codes, a booking's PIN (a bare PIN counts only in a mail about signing in or verifying)
 * or the number of a pull request up for "code review".
 *
 * Every pattern here is linear (bounded quantifiers, no nested unbounded repeats) and the text is
 * cut to MAX_SCAN characters first: this runs on every received message, on hostile input.
 */
const MAX_SCAN = 20_000;
const WINDOW = 80;

/** Compound words ending in a code word that name some other code: Gutscheincode, barcode, postcode… */
const OTHER_COMPOUND = new RegExp(
  String.raw`^(?:bar|post|zip|promo|gutschein|rabatt|aktions|geo|uni|source|qr|voucher|coupon|discount|gift|invite|error|` +
    String.raw`fehler|status|swift|tax|area|country|region|colou?r|farb)$`,
  'iu',
);

/** The code words themselves; KEYWORD_AT adds where they may stand (word edges, a compound's start). */
const LATIN_CODE_WORDS =
  'codes?|kod|kode|kodu|kodunuz|codice|c[oó]digo|passwor[dt]|kennwort|otp|pin|passcode|token|clave|senha|contraseña|wachtwoord|hasło|şifre|lösenord';
const LATIN_PHRASES = String.raw`mot\s+de\s+passe|(?:verification|security|confirmation|access)\s+number|mã(?=\s+(?:xác|otp|bảo|kích))|numero\s+di\s+verifica`;
const CYRILLIC_CODE_WORDS = 'код(?:а|ом|у|ы)?|пароль';
const CJK_CODE_WORDS = [
  '验证码|校验码|驗證碼|校驗碼|动态码|動態碼|确认码|確認碼|动态密码|動態密碼|认证码|認證碼|安全码|登录码|激活码',
  '認証コード|確認コード|認証番号|確認番号|セキュリティコード|ワンタイムパスワード|パスコード|検証コード',
  String.raw`인증\s?번호|인증\s?코드|확인\s?코드|보안\s?코드`,
].join('|');
/** A Latin code word may end a compound of up to this many letters (Bestätigungscode, verificatiecode, engångskod). */
const MAX_PREFIX = 30;

const KEYWORDS_SOURCE = [
  String.raw`(?<!\p{L})(?<prefix>\p{Script=Latin}{0,${MAX_PREFIX}}?)(?:${LATIN_CODE_WORDS})(?!\p{L})`,
  String.raw`(?<!\p{L})(?:${LATIN_PHRASES})(?!\p{L})`,
  String.raw`(?<!\p{L})(?:${CYRILLIC_CODE_WORDS})(?!\p{L})`,
  CJK_CODE_WORDS,
].join('|');
/** Tried only at given positions (sticky): see keywordMatches. Exported for its test against a whole-text scan. */
export const KEYWORD_AT = new RegExp(KEYWORDS_SOURCE, 'iuy');
/** Every KEYWORD_AT match holds one of these, at most MAX_PREFIX characters after its start. */
const CODE_WORDS = new RegExp([LATIN_CODE_WORDS, LATIN_PHRASES, CYRILLIC_CODE_WORDS, CJK_CODE_WORDS].join('|'), 'giu');
/** Upper-case only: "TAN" is a German banking code, "tan" a colour. */
const CASED_KEYWORDS = /(?<!\p{L})(?:TAN|mTAN|smsTAN|pushTAN|SMS-TAN)(?!\p{L})/gu;

/** A keyword that names some other kind of code: "promo code", "zip code", "código postal"… */
const OTHER_CODE_BEFORE = new RegExp(
  String.raw`(?:zip|postal|post|area|country|promo(?:tion(?:al)?)?|discount|coupon|voucher|gift(?:\s?card)?|referral|invite|` +
    String.raw`invitation|tracking|source|qr|bar|error|status|tax|swift|sort|product|course|dress|colou?r|` +
    String.raw`auth(?:ori[sz]ation)?|approval|meeting|customer|client|wi-?fi|优惠|邀请|优惠券|折扣|クーポン|招待|쿠폰|초대)[\s-]{0,3}$`,
  'iu',
);
const OTHER_CODE_AFTER = new RegExp(
  String.raw`^[\s-]{0,3}(?:reviews?|of\s+conduct|snippets?|base|freeze|coverage|quality|postal|client[e]?|fiscale|` +
    String.raw`promo(?:cional)?|de\s+descuento|de\s+cup[oó]n|de\s+invitaci[oó]n|de\s+seguimiento|de\s+rastreio|de\s+barras|` +
    String.raw`sconto|отслеживания|заказа|купона|промо|приглашения)`,
  'iu',
);

const NOT_GLUED_BEFORE = String.raw`(?<![\p{Script=Latin}\p{Script=Cyrillic}\p{Script=Greek}\p{N}._%$€£¥@#+/-])`;
const NOT_GLUED_AFTER =
  String.raw`(?![\p{Script=Latin}\p{Script=Cyrillic}\p{Script=Greek}\p{N}%/@]|\.\d|,\d{3}(?!\d)|,\d{1,2}\s{0,2}(?:[€$£¥₽%]|` +
  String.raw`eur|usd|rub|руб|元)|-\d)`;
/**
 * A 4–8 character token not glued to Latin/Cyrillic/Greek letters or digits (CJK text glues codes
 * to words: 校验码5831，인증번호는 4829입니다) and not part of a number ("12.50", "1,234", "1234,50 €"),
 * or a code in groups: digits in 2–4s apart by single spaces, letters and digits in 2–4s apart by dashes.
 */
const CANDIDATE = new RegExp(
  `${NOT_GLUED_BEFORE}(\\d{2,4}(?: \\d{2,4}){1,3}|[A-Za-z0-9]{2,4}(?:-[A-Za-z0-9]{2,4}){1,2}|[A-Za-z0-9]{4,8})${NOT_GLUED_AFTER}`,
  'giu',
);

/** Words right before a number that make it something else: order, invoice, card, phone… */
const NOT_A_CODE_BEFORE = new RegExp(
  String.raw`(?:(?<![\p{Script=Latin}\p{Script=Cyrillic}])(?:order|invoice|ticket|case|ref(?:erence)?|no\.?|nr\.?|` +
    String.raw`(?<!(?:verification|security|confirmation|access)\s)number|tracking|account\s+(?:number|no\.?)|acct|` +
    String.raw`ending(?:\s+(?:in|with))?|last\s+(?:4|four)(?:\s+digits)?|call|phone|tel|fax|hotline|ext\.?|room|version|build|` +
    String.raw`pr|pull\s+request|issue|pipeline|commit|` +
    `número|numero|numéro|nº|pedido|factura|fattura|ordine|commande|bestellung|rechnung|заказ[аеу]?|номер|счёт|счет)|n°|№|#|` +
    `订单号?|订单编号|單號|单号|运单号|快递单号|尾号|尾號|末四位|致电|电话|電話|拨打|客服|注文番号|注文|お問い合わせ番号|受付番号|주문번호|주문)` +
    String.raw`(?:\s{0,3}(?:is|was|es|是|为|為|は|:|：|#))*\s{0,3}$`,
  'iu',
);
const CURRENCY_BEFORE = /[$€£¥₹₽]\s{0,3}$|(?<!\p{L})(?:usd|eur|cny|rmb|jpy|rub|r\$)\s{0,3}$/iu;
const CURRENCY_AFTER = /^\s{0,3}(?:usd|eur|cny|rmb|jpy|rub|руб|₽|元|円|원|块|zł|dollars?|euros?|yuan|yen|kwh|points?|%)/iu;
/** What may stand between a keyword and a year-like code: "code: 2024", "code is 1998". */
const RIGHT_AFTER = /^[\s:：=-]{0,4}(?:is|es|est|ist|是|为|為|は|:)?[\s:：=-]{0,4}$/iu;
/** A sentence end (not an initial: "an M. Schmidt") or a line break between keyword and token. */
const CROSSES = /(?<!(?<!\p{L})\p{Lu})[.!?](?:\s|$)|[。!?\n]/u;

const EMAIL_ADDRESS = /[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}/g;
const TLDS = 'com|net|org|io|dev|app|cn|jp|kr|co|uk|de|fr|es|ru|us|info|biz|xyz|me|ai';
const DOMAIN = new RegExp(String.raw`\b[\w-]{1,63}(?:\.[\w-]{1,63}){0,8}\.(?:${TLDS})\b[^\s]{0,2048}`, 'gi');
const TLD = new RegExp(String.raw`\.(?:${TLDS})\b`, 'i');

function stripNoise(text: string): string {
  // The address and domain patterns try up to 64 word characters at every position, the costliest
  // here on ordinary text: each runs only where what it must hold ("@", a dot and a TLD) is found.
  const withoutUrls = text.replace(/https?:\/\/\S{1,2048}|www\.\S{1,2048}/gi, ' ');
  const withoutAddresses = withoutUrls.includes('@') ? withoutUrls.replace(EMAIL_ADDRESS, ' ') : withoutUrls;
  return (TLD.test(withoutAddresses) ? withoutAddresses.replace(DOMAIN, ' ') : withoutAddresses)
    .replace(/\b(?:G|FB)-(\d{4,8})\b/g, ' $1') // "G-482913 is your Google verification code"
    .replace(/^[ \t]{0,40}(\d(?: \d){3,7})[ \t]{0,40}$/gm, (_, boxes: string) => boxes.replace(/ /g, '')) // one digit per box
    .replace(/\b\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\b|\b\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}\b/g, ' ') // dates
    .replace(/\d{4}\s?[年년]\s?\d{1,2}\s?[月월](?:\s?\d{1,2}\s?[日일])?|\d{1,2}\s?[月월]\s?\d{1,2}\s?[日일]/g, ' ') // CJK dates
    .replace(/\b\d{1,2}:\d{2}(?::\d{2})?\b/g, ' ') // times
    .replace(/(?<!\d)\+?\d[\d ()-]{8,24}\d(?!\d)/g, ' '); // phone numbers, card numbers, long digit runs
}

const isYear = (token: string) => /^(19|20)\d\d$/.test(token);
/** "mp3", "2fa", "h264", "SAVE20", "gamer42", "HABR2025": a word with a number, not a code. */
const looksLikeWord = (token: string) => /^[a-z]{3,}\d{1,4}$|^[a-z]{1,2}\d{1,2}$|^\d{1,2}[a-z]+$/i.test(token) && !/^\d+$/.test(token);

/**
 * The code a grouped match stands for, without separators, when its groups are alike (123 456,
 * 61 84 29, 7312-9045, QX7-K4M); null for "555-0199" or "1 500" and the like.
 */
function ungroup(match: string): string | null {
  const parts = match.split(/[ -]/);
  if (parts.length === 1) return match;
  const joined = parts.join('');
  if (joined.length < 4 || joined.length > 8 || !parts.every((p) => p.length === parts[0].length)) return null;
  return joined;
}

/** The token is the only thing on its line (bar brackets, quotes, colons); lines over 200 characters never are. */
function standsAlone(text: string, at: number, length: number): boolean {
  const before = text.slice(Math.max(0, at - 200), at);
  const after = text.slice(at + length, at + length + 200);
  const lineStart = before.lastIndexOf('\n');
  const lineEnd = after.indexOf('\n');
  if ((lineStart < 0 && at > 200) || (lineEnd < 0 && at + length + 200 < text.length)) return false;
  const rest = before.slice(lineStart + 1) + (lineEnd < 0 ? after : after.slice(0, lineEnd));
  return /^[\s:："'“”「」『』[\]()()【】<>*.,,。-]*$/u.test(rest);
}

export interface Span {
  start: number;
  end: number;
}

/**
 * A bare "PIN" is weak evidence: bookings, cards and voicemail have PINs that are not one-time
 * codes. It counts only in a mail that is about signing in, verifying or a transaction.
 */
const WEAK_KEYWORD = /^pin$/i;
const WEAK_BEFORE = /(?<!\p{L})pin[\s-]{0,2}$/iu; // "PIN code", "PIN-Code"
const VERIFYING = new RegExp(
  String.raw`verif|sign[ -]?in|log[ -]?in|one[- ]time|temporary|transac|transfer|identity|identidad|authenti|two[- ]factor|` +
    String.raw`2fa|security|anmeld|überweis|zugang|connexion|virement|sesi[oó]n|acesso|accesso|подтвер|вход|验证|登录|認証|ログイン|인증|` +
    String.raw`본인`,
  'i',
);

/**
 * What a global scan of KEYWORD_AT would match, in order. The full pattern (a compound's lazy
 * prefix tried at every word start) runs only near a code word: each match holds one at most
 * MAX_PREFIX characters after its start, so positions further from every code word start none.
 */
export function keywordMatches(text: string): RegExpExecArray[] {
  const found: RegExpExecArray[] = [];
  let next = 0; // where a global scan would try next
  for (const word of text.matchAll(CODE_WORDS)) {
    const last = word.index + word[0].length;
    for (let at = Math.max(next, word.index - MAX_PREFIX); at <= last; ) {
      KEYWORD_AT.lastIndex = at;
      const m = KEYWORD_AT.exec(text);
      if (m) found.push(m);
      at = m ? (next = at + m[0].length) : at + 1;
    }
    next = Math.max(next, last + 1);
  }
  return found;
}

function keywordSpans(text: string): Span[] {
  const spans: Span[] = [];
  const weakCounts = VERIFYING.test(text);
  const found = [...keywordMatches(text), ...text.matchAll(CASED_KEYWORDS)].sort((a, b) => a.index! - b.index!);
  for (const m of found) {
    const start = m.index!;
    const end = start + m[0].length;
    if (m.groups?.prefix && OTHER_COMPOUND.test(m.groups.prefix)) continue;
    if (!weakCounts && (WEAK_KEYWORD.test(m[0]) || WEAK_BEFORE.test(text.slice(Math.max(0, start - 6), start)))) continue;
    if (OTHER_CODE_BEFORE.test(text.slice(Math.max(0, start - 24), start))) continue;
    if (OTHER_CODE_AFTER.test(text.slice(end, end + 24))) continue;
    spans.push({ start, end });
  }
  return spans;
}

export interface Candidate extends Span {
  code: string;
}

/** A character no CANDIDATE match holds: a scan begun right after one finds what a scan from the start finds from there. */
const OUTSIDE_CANDIDATES = /[^A-Za-z0-9 -]/iu;
/** How far before a keyword a candidate match may start and still count: its token ends within WINDOW, and a match is at most 19 long. */
const LEAD = WINDOW + 40;

/**
 * Tokens that may be a code, with where they stand, in text order; a grouped match whose groups
 * differ counts piece by piece. Only near a keyword: the rest of the text is skipped, restarting the
 * scan after a character no match holds, so what it finds is what a scan of the whole text finds there.
 */
export function* candidates(text: string, keywords: Span[]): Generator<Candidate> {
  let k = 0;
  CANDIDATE.lastIndex = 0;
  for (let m = nextCandidate(text, keywords[0].start - LEAD); m; ) {
    while (k < keywords.length && m.index > keywords[k].end + WINDOW) k++;
    if (k === keywords.length) return;
    if (m.index < keywords[k].start - LEAD) {
      m = nextCandidate(text, keywords[k].start - LEAD);
      continue;
    }
    yield* tokensOf(text, m);
    m = CANDIDATE.exec(text);
  }
}

/** The next CANDIDATE match at or after `from`, the scan restarted as late as stays exact. */
function nextCandidate(text: string, from: number): RegExpExecArray | null {
  let at = Math.max(0, from);
  while (at > CANDIDATE.lastIndex && !OUTSIDE_CANDIDATES.test(text[at - 1])) at--;
  CANDIDATE.lastIndex = Math.max(at, CANDIDATE.lastIndex);
  return CANDIDATE.exec(text);
}

function* tokensOf(text: string, m: RegExpExecArray): Generator<Candidate> {
  const match = m[1];
  if (!/\d/.test(match)) return; // a word, not a code: every code has a digit
  const at = m.index;
  const code = ungroup(match);
  if (code !== null) {
    // "1 500 000", "call 91 224 94 26": a group that continues a longer number is no code.
    const grouped = code !== match;
    if (grouped && (/\d[ .,]$/.test(text.slice(Math.max(0, at - 2), at)) || /^ \d/.test(text.slice(at + match.length, at + match.length + 2)))) return;
    yield { code, start: at, end: at + match.length };
  } else if (!match.includes('-')) {
    let offset = 0;
    for (const part of match.split(' ')) {
      if (part.length >= 4) yield { code: part, start: at + offset, end: at + offset + part.length };
      offset += part.length + 1;
    }
  }
}

export function extractVerificationCode(subject: string, body: string): string | null {
  const text = stripNoise(`${subject.slice(0, 1000)}\n${body.slice(0, MAX_SCAN)}`.normalize('NFKC'));
  const keywords = keywordSpans(text);
  if (!keywords.length) return null;

  let best: { code: string; distance: number } | null = null;
  let first = 0; // keywords are in text order; skip the ones too far behind
  for (const { code, start: at, end: tokenEnd } of candidates(text, keywords)) {
    if (!/\d/.test(code) || looksLikeWord(code)) continue;
    const before = text.slice(Math.max(0, at - 24), at);
    const after = text.slice(tokenEnd, tokenEnd + 12);
    if (NOT_A_CODE_BEFORE.test(before) || CURRENCY_BEFORE.test(before) || CURRENCY_AFTER.test(after)) continue;
    let alone: boolean | undefined; // worked out only for a token near a keyword
    while (first < keywords.length && keywords[first].end < at - WINDOW) first++;
    for (let i = first; i < keywords.length && keywords[i].start <= tokenEnd + WINDOW; i++) {
      const k = keywords[i];
      const follows = at >= k.end;
      if (!follows && tokenEnd > k.start) continue; // overlapping
      const between = follows ? text.slice(k.end, at) : text.slice(tokenEnd, k.start);
      if (between.length > WINDOW) continue;
      // Across a sentence or line, only a code on a line of its own after the word counts
      // ("Use the following code:\n\n384756"), not a number in the next sentence.
      alone ??= standsAlone(text, at, tokenEnd - at);
      if (CROSSES.test(between) && !(follows && alone)) continue;
      // A year-like token counts only right after the keyword ("code: 2024") or on a line of its own after it.
      if (isYear(code) && !(follows && (alone || RIGHT_AFTER.test(between)))) continue;
      // Codes usually follow the word; a code shown on its own line is what the mail is about.
      const weighted = (follows ? between.length : between.length * 2 + 1) / (alone ? 2 : 1);
      if (!best || weighted < best.distance) best = { code, distance: weighted };
    }
  }
  return best?.code ?? null;
}
