/**
 * Finds the verification code in a message: a 4–8 character token with a digit, close to a word
 * like "code", "OTP", "PIN", 验证码, 認証コード… in the subject or body. Years, dates, prices, phone
 * numbers, order numbers and digits inside URLs, domains or addresses are not codes.
 */
const KEYWORDS = /(verification|confirmation|security|login|sign[- ]?in|one[- ]time|access|auth(?:entication)?)?\s*(code|otp|pin|passcode|password|token)\b|验证码|校验码|驗證碼|动态码|動態碼|确认码|認証コード|確認コード|認証番号|인증번호|인증 코드|código|код/giu;
const CANDIDATE = /(?<![\p{L}\p{N}._%$€£¥#+/-])([A-Za-z0-9]{4,8})(?![\p{L}\p{N}%/]|[.,]\d|-\d)/gu;
const ORDER_WORDS = /(order|invoice|ticket|ref(?:erence)?|no\.?|number|tracking|订单|單號|单号|注文|#)\s*[:：#]?\s*$/i;
const CURRENCY_BEFORE = /[$€£¥₹]\s*$|\b(usd|eur|cny|rmb|jpy)\s*$/i;
const CURRENCY_AFTER = /^\s*(usd|eur|cny|rmb|jpy|元|円|dollars?|euros?)/i;
const WINDOW = 80;

function stripNoise(text: string): string {
  return text
    .replace(/https?:\/\/\S+/gi, ' ')
    .replace(/[\w.+-]+@[\w-]+(\.[\w-]+)+/g, ' ')
    .replace(/\b[\w-]+(\.[\w-]+)*\.(com|net|org|io|dev|app|cn|jp|co|uk|de|fr|ru|info|biz|xyz|me|ai)\b\S*/gi, ' ')
    .replace(/\b\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\b|\b\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}\b/g, ' ') // dates
    .replace(/\b\d{1,2}:\d{2}(:\d{2})?\b/g, ' ') // times
    .replace(/\+?\d[\d ()-]{8,}\d/g, ' '); // phone numbers and long digit runs
}

const isYear = (token: string) => /^(19|20)\d\d$/.test(token);

export function extractVerificationCode(subject: string, body: string): string | null {
  const text = stripNoise(`${subject}\n${body}`);
  const keywords = [...text.matchAll(KEYWORDS)].map((m) => ({ start: m.index!, end: m.index! + m[0].length }));
  if (!keywords.length) return null;
  let best: { code: string; distance: number } | null = null;
  for (const m of text.matchAll(CANDIDATE)) {
    const token = m[1];
    const at = m.index!;
    if (!/\d/.test(token)) continue;
    if (/^[a-z]+\d{1,2}$|^\d{1,2}[a-z]+$/i.test(token) && !/^\d+$/.test(token)) continue; // "mp3", "2fa", "h264"
    const before = text.slice(Math.max(0, at - 20), at);
    const after = text.slice(at + token.length, at + token.length + 12);
    if (ORDER_WORDS.test(before) || CURRENCY_BEFORE.test(before) || CURRENCY_AFTER.test(after)) continue;
    for (const k of keywords) {
      const distance = at >= k.end ? at - k.end : k.start - (at + token.length);
      if (distance < 0 || distance > WINDOW) continue;
      // A year-like token counts only right after the keyword ("code: 2024").
      if (isYear(token) && !(at >= k.end && /^[\s:：是为為は：-]*$/u.test(text.slice(k.end, at)))) continue;
      const weighted = at >= k.end ? distance : distance * 2; // codes usually follow the word
      if (!best || weighted < best.distance) best = { code: token, distance: weighted };
    }
  }
  return best?.code ?? null;
}
