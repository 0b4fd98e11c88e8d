/**
 * Finds the verification code in a message: a 4–8 character token with a digit, close to a word
 * like "code", "OTP", "PIN", 验证码, 認証コード, 인증번호, código, код… in the subject or body. Years,
 * dates, prices, phone numbers, order/invoice/card numbers and digits inside URLs, domains or
 * addresses are not codes, nor are promo, zip, postal, tracking or error codes.
 *
 * Every pattern here is linear (bounded quantifiers, no nested unbounded repeats) and the text is
 * cut to MAX_SCAN characters first: this runs on every received message, on hostile input.
 */
const MAX_SCAN = 20_000;
const WINDOW = 80;

const KEYWORDS = new RegExp(
  [
    // Latin: "code" (also "passcode", "authcode", German compounds), OTP, PIN, password, token.
    String.raw`(?<!\p{L})(?:pass|auth|bestätigungs|sicherheits|anmelde|verifizierungs)?codes?(?!\p{L})`,
    String.raw`(?<!\p{L})(?:otp|pin|passcode|password|token)s?(?!\p{L})`,
    String.raw`(?<!\p{L})c[oó]digo(?!\p{L})`,
    String.raw`(?<!\p{L})(?:код(?:а|ом|у|ы)?|пароль)(?!\p{L})`,
    '验证码|校验码|驗證碼|校驗碼|动态码|動態碼|确认码|確認碼|动态密码|動態密碼',
    '認証コード|確認コード|認証番号|確認番号|セキュリティコード|ワンタイムパスワード|パスコード',
    String.raw`인증\s?번호|인증\s?코드|확인\s?코드|보안\s?코드`,
  ].join('|'),
  'giu',
);

/** A keyword that names some other kind of code: "promo code", "zip code", "código postal"… */
const OTHER_CODE_BEFORE = /(?:zip|postal|post|area|country|promo(?:tion(?:al)?)?|discount|coupon|voucher|gift(?:\s?card)?|referral|invite|invitation|tracking|source|qr|bar|error|status|tax|swift|sort|product|course|dress|colou?r|优惠|邀请|优惠券|折扣|クーポン|招待|쿠폰|초대)[\s-]{0,3}$/iu;
const OTHER_CODE_AFTER = /^[\s-]{0,3}(?:postal|promocional|de\s+descuento|de\s+cup[oó]n|de\s+invitaci[oó]n|de\s+seguimiento|отслеживания|заказа|купона|промо|приглашения)/iu;

/**
 * A 4–8 character token not glued to Latin/Cyrillic/Greek letters or digits (CJK text glues codes
 * to words: 校验码5831，인증번호는 4829입니다) and not part of a number ("12.50", "1,234", "1234,50 €").
 */
const CANDIDATE = /(?<![\p{Script=Latin}\p{Script=Cyrillic}\p{Script=Greek}\p{N}._%$€£¥@#+/-])([A-Za-z0-9]{4,8})(?![\p{Script=Latin}\p{Script=Cyrillic}\p{Script=Greek}\p{N}%/@]|\.\d|,\d{3}(?!\d)|,\d{1,2}\s{0,2}(?:[€$£¥₽%]|eur|usd|rub|руб|元)|-\d)/giu;

/** Words right before a number that make it something else: order, invoice, card, phone… */
const NOT_A_CODE_BEFORE = new RegExp(
  String.raw`(?:(?<![\p{Script=Latin}\p{Script=Cyrillic}])(?:order|invoice|ticket|case|ref(?:erence)?|no\.?|number|tracking|account|acct|ending\s+(?:in|with)|last\s+(?:4|four)(?:\s+digits)?|call|phone|tel|fax|hotline|ext\.?|room|version|build|` +
    String.raw`número|numero|nº|pedido|factura|заказ[аеу]?|номер|счёт|счет)|n°|№|#|` +
    String.raw`订单号?|订单编号|單號|单号|运单号|快递单号|尾号|尾號|末四位|致电|电话|電話|拨打|客服|注文番号|注文|お問い合わせ番号|受付番号|주문번호|주문)` +
    String.raw`(?:\s{0,3}(?:is|was|es|是|为|為|は|:|：|#))*\s{0,3}$`,
  'iu',
);
const CURRENCY_BEFORE = /[$€£¥₹₽]\s{0,3}$|(?<!\p{L})(?:usd|eur|cny|rmb|jpy|rub)\s{0,3}$/iu;
const CURRENCY_AFTER = /^\s{0,3}(?:usd|eur|cny|rmb|jpy|rub|руб|₽|元|円|원|块|dollars?|euros?|yuan|yen)/iu;
/** What may stand between a keyword and a year-like code: "code: 2024", "code is 1998". */
const RIGHT_AFTER = /^[\s:：=-]{0,4}(?:is|es|est|ist|是|为|為|は|:)?[\s:：=-]{0,4}$/iu;
/** A sentence end or a line break between keyword and token. */
const CROSSES = /[.!?](?:\s|$)|[。!?\n]/u;

function stripNoise(text: string): string {
  return text
    .replace(/https?:\/\/\S{1,2048}|www\.\S{1,2048}/gi, ' ')
    .replace(/[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}/g, ' ')
    .replace(/\b[\w-]{1,63}(?:\.[\w-]{1,63}){0,8}\.(?:com|net|org|io|dev|app|cn|jp|kr|co|uk|de|fr|es|ru|us|info|biz|xyz|me|ai)\b[^\s]{0,2048}/gi, ' ')
    .replace(/\b(?:G|FB)-(\d{4,8})\b/g, ' $1') // "G-482913 is your Google verification code"
    .replace(/\b\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\b|\b\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}\b/g, ' ') // dates
    .replace(/\d{4}\s?[年년]\s?\d{1,2}\s?[月월](?:\s?\d{1,2}\s?[日일])?|\d{1,2}\s?[月월]\s?\d{1,2}\s?[日일]/g, ' ') // CJK dates
    .replace(/\b\d{1,2}:\d{2}(?::\d{2})?\b/g, ' ') // times
    .replace(/(?<!\d)\+?\d[\d ()-]{8,24}\d(?!\d)/g, ' '); // phone numbers, card numbers, long digit runs
}

const isYear = (token: string) => /^(19|20)\d\d$/.test(token);
const looksLikeWord = (token: string) => /^[a-z]+\d{1,2}$|^\d{1,2}[a-z]+$/i.test(token) && !/^\d+$/.test(token); // "mp3", "2fa", "h264", "SAVE20"

/** The token is the only thing on its line (bar brackets, quotes, colons). */
function standsAlone(text: string, at: number, length: number): boolean {
  const lineStart = text.lastIndexOf('\n', at) + 1;
  let lineEnd = text.indexOf('\n', at + length);
  if (lineEnd < 0) lineEnd = text.length;
  const rest = text.slice(lineStart, at) + text.slice(at + length, lineEnd);
  return /^[\s:："'“”「」『』\[\]()()【】<>*.,,。-]*$/u.test(rest);
}

export function extractVerificationCode(subject: string, body: string): string | null {
  const text = stripNoise(`${subject.slice(0, 1000)}\n${body.slice(0, MAX_SCAN)}`);
  const keywords: Array<{ start: number; end: number }> = [];
  for (const m of text.matchAll(KEYWORDS)) {
    const start = m.index!;
    const end = start + m[0].length;
    if (OTHER_CODE_BEFORE.test(text.slice(Math.max(0, start - 24), start))) continue;
    if (OTHER_CODE_AFTER.test(text.slice(end, end + 24))) continue;
    keywords.push({ start, end });
  }
  if (!keywords.length) return null;

  let best: { code: string; distance: number } | null = null;
  let first = 0; // keywords are in text order; skip the ones too far behind
  for (const m of text.matchAll(CANDIDATE)) {
    const token = m[1];
    const at = m.index!;
    const tokenEnd = at + token.length;
    if (!/\d/.test(token) || looksLikeWord(token)) continue;
    const before = text.slice(Math.max(0, at - 24), at);
    const after = text.slice(tokenEnd, tokenEnd + 12);
    if (NOT_A_CODE_BEFORE.test(before) || CURRENCY_BEFORE.test(before) || CURRENCY_AFTER.test(after)) continue;
    while (first < keywords.length && keywords[first].end < at - WINDOW) first++;
    for (let i = first; i < keywords.length && keywords[i].start <= tokenEnd + WINDOW; i++) {
      const k = keywords[i];
      const follows = at >= k.end;
      if (!follows && tokenEnd > k.start) continue; // overlapping
      const between = follows ? text.slice(k.end, at) : text.slice(tokenEnd, k.start);
      if (between.length > WINDOW) continue;
      // Across a sentence or line, only a code on a line of its own after the word counts
      // ("Use the following code:\n\n384756"), not a number in the next sentence.
      if (CROSSES.test(between) && !(follows && standsAlone(text, at, token.length))) continue;
      // A year-like token counts only right after the keyword ("code: 2024").
      if (isYear(token) && !(follows && RIGHT_AFTER.test(between))) continue;
      const weighted = follows ? between.length : between.length * 2 + 1; // codes usually follow the word
      if (!best || weighted < best.distance) best = { code: token, distance: weighted };
    }
  }
  return best?.code ?? null;
}
