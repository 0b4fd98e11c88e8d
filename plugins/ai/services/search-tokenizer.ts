/**
 * Tokenizer for the builtin responder's search, for Chinese and Latin-script text alike.
 *
 * Intl.Segmenter (ICU's dictionary segmenter) finds Chinese words, but it splits words it does not
 * know (重置 → 重 + 置, 退货 → 退 + 货) and sometimes joins the wrong pair (开发票 → 开发 + 票). So
 * for every run of CJK characters we also emit its single characters and its character bigrams:
 * a stored 重置密码 and a question 怎么重置 then share 重置 whatever the segmenter made of them.
 * Single characters match too easily, so the query down-weights them (see `boostQueryTerm`).
 */

// Han, kana and hangul: scripts written without spaces between words.
const CJK_CHAR = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]/u;
const CJK_RUN = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]+/gu;
const LATIN_WORD = /^\p{Script=Latin}+$/u;

// Words that appear in almost every question and say nothing about which answer fits. Question
// words (how, 怎么, 什么) go too: "how do I reset" and "reset" should find the same entry.
const STOP_WORDS = new Set([
  ...'a an the is are am was were be been being do does did doing have has had i me my mine you your yours we our us he she it its they them their'.split(' '),
  ...'this that these those there here what which who whom whose how when where why can could would should will shall may might must'.split(' '),
  ...'to of in on at for from by with about as into and or but if so than then too very just also please hi hello hey thanks thank any some get got much many'.split(' '),
  ...'的 了 吗 呢 吧 啊 呀 嘛 哦 哈 么 嗯 我 你 您 他 她 它 们 我们 你们 他们 是 在 有 和 与 就 都 也 还 要 想 请 请问 一下 怎么 怎样 如何 什么 能 可以 会 这 那 这个 那个 个 一个'.split(' '),
]);

const segmenter = new Intl.Segmenter('zh', { granularity: 'word' });

/** NFKC folds full-width letters, digits and punctuation (ＡＢＣ１２３，) into their ASCII forms. */
export const normalizeText = (text: string): string => text.normalize('NFKC').toLowerCase();

/** The distinct raw terms of `text`; `processTerm` then drops stop words and folds plurals. */
export function tokenize(text: string): string[] {
  const normalized = normalizeText(text);
  const terms = new Set<string>();
  for (const { segment, isWordLike } of segmenter.segment(normalized)) {
    if (isWordLike) terms.add(segment);
  }
  for (const [run] of normalized.matchAll(CJK_RUN)) {
    const chars = [...run];
    for (let i = 0; i < chars.length; i++) {
      terms.add(chars[i]);
      if (i + 1 < chars.length) terms.add(chars[i] + chars[i + 1]);
    }
  }
  return [...terms];
}

/** Drops stop words; folds a plain English plural (hours → hour) so singular and plural meet. */
export function processTerm(term: string): string | null {
  if (STOP_WORDS.has(term)) return null;
  const word = term.endsWith("'s") ? term.slice(0, -2) : term;
  if (word.length > 3 && word.endsWith('s') && !word.endsWith('ss') && LATIN_WORD.test(word)) return word.slice(0, -1);
  return word || null;
}

const isLatin = (term: string) => LATIN_WORD.test(term);

/** Typos only in Latin words long enough to have one: one edit from 4 letters, two from 8. */
export const fuzzyFor = (term: string): number | false => (!isLatin(term) || term.length < 4 ? false : term.length >= 8 ? 2 : 1);

/** "ship" finds "shipping"; CJK terms already match by their characters and bigrams. */
export const prefixFor = (term: string): boolean => isLatin(term) && term.length >= 3;

/** A lone CJK character is weak evidence (退 is in 退货 and 退出); bigrams and words carry the match. */
export const boostQueryTerm = (term: string): number => ([...term].length === 1 && CJK_CHAR.test(term) ? 0.3 : 1);
