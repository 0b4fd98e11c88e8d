/**
 * Tokenizer for the builtin responder's search, for Chinese and Latin-script text alike.
 *
 * Chinese has no spaces between words. Intl.Segmenter (ICU's dictionary segmenter) finds words,
 * but it splits words it does not know (重置 → 重 + 置, 退货 → 退 + 货) and sometimes joins the
 * wrong pair (开发票 → 开发 + 票). So every run of CJK characters also yields its single
 * characters and its character bigrams: a stored 重置密码 and a question 怎么重置 then share 重置
 * whatever the segmenter made of them. Single characters match too easily, so the query
 * down-weights them, and an entry that shares nothing but single characters with the question is
 * no match at all (see search-index.ts).
 *
 * Latin-script words come from a plain regular expression (the segmenter adds nothing there and
 * costs a microsecond a word). Answers are most of the text to index, so they get bigrams only:
 * no segmenter (the bigrams hold every two-character word it would find) and no single
 * characters (which only break ties, and would double the answer's postings).
 */

// Han, kana and hangul: scripts written without spaces between words.
const CJK_CHAR = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]/u;
// A run of CJK characters, or a word of anything else (letters, marks, digits; "what's" stays one).
const TOKEN = /([\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]+)|[\p{L}\p{M}\p{N}]+(?:['’][\p{L}\p{M}]+)*/gu;
const LATIN_WORD = /^\p{Script=Latin}+$/u;

// Words that appear in almost every question and say nothing about which answer fits. Question
// words (how, 怎么, 什么, and 怎/什 which hardly occur outside them) go too: "how do I reset" and
// "reset" should find the same entry.
const STOP_WORDS = new Set([
  ...'a an the is are am was were be been being do does did doing have has had i me my mine you your yours we our us he she it its they them their'.split(' '),
  ...'this that these those there here what which who whom whose how when where why can could would should will shall may might must'.split(' '),
  ...(
    'to of in on at for from by with about as into and or but if so than then too very just also please hi hello hey thanks thank any some get got ' +
    'take want need know tell much many'
  ).split(' '),
  ...'的 了 吗 呢 吧 啊 呀 嘛 哦 哈 么 怎 什 嗯 我 你 您 他 她 它 们 我们 你们 他们 是 在 有 和 与 就 都 也 还 要 想 请 请问 一下 怎么 怎样 如何 什么 能 可以 会 这 那 这个 那个 个 一个'.split(
    ' ',
  ),
]);

// Made at the first Chinese text to segment: loading ICU's word dictionary would add ~10 ms to every boot.
let segmenter: Intl.Segmenter | undefined;

/** NFKC folds full-width letters, digits and punctuation (ＡＢＣ１２３，) into their ASCII forms. */
export const normalizeText = (text: string): string => text.normalize('NFKC').toLowerCase();

/**
 * The distinct raw terms of `text` (a field's, or the query's when `field` is absent);
 * `processTerm` then drops stop words and folds plurals.
 */
export function tokenize(text: string, field?: string): string[] {
  const terms = new Set<string>();
  for (const [token, cjk] of normalizeText(text).matchAll(TOKEN)) {
    if (!cjk) {
      terms.add(token.replace(/’/g, "'"));
      continue;
    }
    const answer = field === 'answer';
    // A run of one or two characters is all singles and bigrams already: nothing to segment.
    if (!answer && cjk.length > 2) {
      segmenter ??= new Intl.Segmenter('zh', { granularity: 'word' });
      for (const { segment, isWordLike } of segmenter.segment(cjk)) if (isWordLike) terms.add(segment);
    }
    const chars = [...cjk];
    for (let i = 0; i < chars.length; i++) {
      if (!answer || chars.length === 1) terms.add(chars[i]);
      if (i + 1 < chars.length) terms.add(chars[i] + chars[i + 1]);
    }
  }
  return [...terms];
}

/**
 * Drops stop words; folds a plain English plural (hours → hour) so singular and plural meet; and
 * spells CJK terms as the hex of their code points (退货 → "#90008d27"). MiniSearch's radix tree
 * finds a node's child by scanning the node's children one by one: with CJK terms as they are,
 * the root has a child per distinct character (thousands), and every insert, lookup and fuzzy
 * search pays for all of them. Spelled in hex, no node has more than 16 children: indexing 5,000
 * Chinese entries went from 8.5 s to 2.4 s, and a fuzzy lookup of an English word beside them from
 * 1.7 ms to 0.05 ms.
 */
export function processTerm(term: string): string | null {
  if (STOP_WORDS.has(term)) return null;
  if (CJK_CHAR.test(term)) return `#${[...term].map((c) => c.codePointAt(0)!.toString(16).padStart(4, '0')).join('')}`;
  const word = term.endsWith("'s") ? term.slice(0, -2) : term;
  if (word.length > 3 && word.endsWith('s') && !word.endsWith('ss') && LATIN_WORD.test(word)) return word.slice(0, -1);
  return word || null;
}

const isLatin = (term: string) => LATIN_WORD.test(term);

/** Typos only in Latin words long enough to have one: one edit from 4 letters, two from 8. */
export const fuzzyFor = (term: string): number | false => (!isLatin(term) || term.length < 4 ? false : term.length >= 8 ? 2 : 1);

/** "ship" finds "shipping"; CJK terms already match by their characters and bigrams. */
export const prefixFor = (term: string): boolean => isLatin(term) && term.length >= 3;

/** A processed term that is one CJK character: weak evidence (退 is in 退货 and 退出, 下 in 下单 and 下雨). */
export const isSingleCjk = (term: string): boolean => term.length === 5 && term[0] === '#';

/** Single characters only break ties between entries that share words or bigrams with the query. */
export const boostQueryTerm = (term: string): number => (isSingleCjk(term) ? 0.1 : 1);
