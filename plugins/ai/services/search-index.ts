import MiniSearch, { type SearchResult } from 'minisearch';
import { boostQueryTerm, fuzzyFor, isSingleCjk, normalizeText, prefixFor, processTerm, tokenize } from './search-tokenizer.js';

/** What the index needs of an enabled entry. */
export interface IndexedEntry {
  id: number;
  kind: 'faq' | 'keyword';
  question: string;
  answer: string;
  keywords: string[];
  priority: number;
}

export interface KnowledgeHit {
  id: number;
  kind: 'faq' | 'keyword';
  question: string;
  answer: string;
  /**
   * The FAQ ranking's BM25 score. Keyword rules answer outright, unranked: their score is 0 and
   * `keyword` names the keyword that fired.
   */
  score: number;
  keyword?: string;
}

interface Rule {
  keyword: string;
  /** A keyword that starts/ends with a Latin letter or digit must start/end a word in the text. */
  wordStart: boolean;
  wordEnd: boolean;
  entry: IndexedEntry;
}

type Doc = { id: number; question: string; keywords: string; answer: string };

const LATIN_OR_DIGIT = /[\p{Script=Latin}\p{N}]/u;
// A chat message, not a document: longer text only slows the search without helping it.
const MAX_QUERY_CHARS = 500;
// Scores this close count as a tie, which the entry's priority then breaks.
const TIE = 1e-9;
/**
 * How many (entry, field, term) postings one search may score. MiniSearch scores every entry
 * holding any query term, about a microsecond a posting, so a question of common words on a big
 * knowledge base (订单, order: in thousands of entries) would take milliseconds. The rarest terms
 * are searched everywhere first; a term too common for what is left is searched in questions and
 * keywords only (short fields, so far fewer postings, and where a common word still tells most);
 * past that it is dropped. The rarest term is always searched.
 */
const MAX_POSTINGS = 300;
const FIELDS = ['question', 'keywords', 'answer'] as const;
const SHORT_FIELDS = ['question', 'keywords'];

/**
 * One tenant's enabled entries, ready to answer: keyword rules in the order they win (priority,
 * then the longest keyword, then the oldest entry), and a MiniSearch index of the FAQ entries.
 * Immutable once built; a change to the tenant's entries builds a new one.
 */
export class TenantIndex {
  private readonly rules: Rule[] = [];
  private readonly faqs = new Map<number, IndexedEntry>();
  /** In how many FAQ entries' question, keywords and answer each indexed term occurs (for the query budget). */
  private readonly postings = new Map<string, [number, number, number]>();
  private readonly search: MiniSearch<Doc>;

  /** Terms of the entry being added, by field, collected by processTerm for `postings`. */
  private termsOfEntry: Array<Set<string>> = [];

  private constructor() {
    this.search = new MiniSearch<Doc>({
      fields: [...FIELDS],
      tokenize,
      processTerm: (term, field) => {
        const processed = processTerm(term);
        if (processed) this.termsOfEntry[FIELDS.indexOf(field as (typeof FIELDS)[number])].add(processed);
        return processed;
      },
      searchOptions: {
        // The stored question says what an entry is about; keywords are extra ways to say it; the
        // answer mostly repeats the topic but still helps when a user asks with its words.
        boost: { question: 3, keywords: 2, answer: 1 },
        boostTerm: boostQueryTerm,
        combineWith: 'OR',
        // 开车去哪里 shares only 开 with 可以开发票吗: a shared word or bigram is the least evidence.
        filter: (result) => result.queryTerms.some((term) => !isSingleCjk(term)),
      },
    });
  }

  /**
   * Indexes the entries a few hundred at a time, letting other work run in between: a big
   * knowledge base takes a good fraction of a second to index, too long to hold the event loop.
   */
  static async build(entries: IndexedEntry[], chunk = 250): Promise<TenantIndex> {
    const index = new TenantIndex();
    for (let i = 0; i < entries.length; i++) {
      index.add(entries[i]);
      if ((i + 1) % chunk === 0 && i + 1 < entries.length) await new Promise((resolve) => setImmediate(resolve));
    }
    index.rules.sort((a, b) => b.entry.priority - a.entry.priority || [...b.keyword].length - [...a.keyword].length || a.entry.id - b.entry.id);
    return index;
  }

  private add(entry: IndexedEntry): void {
    if (entry.kind === 'keyword') {
      for (const raw of entry.keywords) {
        const keyword = normalizeText(raw).trim();
        if (keyword) this.rules.push({ keyword, wordStart: LATIN_OR_DIGIT.test(keyword[0]), wordEnd: LATIN_OR_DIGIT.test(keyword.at(-1)!), entry });
      }
      return;
    }
    this.faqs.set(entry.id, entry);
    this.termsOfEntry = FIELDS.map(() => new Set());
    this.search.add({ id: entry.id, question: entry.question, keywords: entry.keywords.join(' '), answer: entry.answer });
    this.termsOfEntry.forEach((terms, field) => {
      for (const term of terms) {
        const counts = this.postings.get(term) ?? [0, 0, 0];
        counts[field]++;
        this.postings.set(term, counts);
      }
    });
  }

  get size(): number {
    return this.faqs.size + new Set(this.rules.map((r) => r.entry.id)).size;
  }

  /** Keyword rules first; else the best FAQ entry if it scores at least `minScore`. */
  match(text: string, minScore: number): KnowledgeHit | null {
    const rule = this.keywordRule(text);
    if (rule) return rule;
    const [best] = this.rank(text, 1);
    return best && best.score >= minScore ? best : null;
  }

  /** The first rule (in winning order) with a keyword in the text, case- and width-insensitive. */
  keywordRule(text: string): KnowledgeHit | null {
    if (!this.rules.length) return null;
    const normalized = normalizeText(text);
    for (const rule of this.rules) {
      if (contains(normalized, rule)) return { ...hitOf(rule.entry, 0), keyword: rule.keyword };
    }
    return null;
  }

  /** The best FAQ entries for the text, best first; equal scores go to the higher priority. */
  rank(text: string, limit: number): KnowledgeHit[] {
    if (!this.faqs.size) return [];
    const plan = this.plan(text.slice(0, MAX_QUERY_CHARS));
    if (!plan.everywhere.length && !plan.shortFields.length) return [];
    const known = (term: string) => this.postings.has(term);
    const group = (terms: string[], fields: readonly string[]) => ({ queries: [terms.join(' ')], fields: [...fields] });
    const results = this.search.search(
      { combineWith: 'OR', queries: [group(plan.everywhere, FIELDS), group(plan.shortFields, SHORT_FIELDS)].filter((g) => g.queries[0]) },
      {
        // The terms are already processed (and hold no spaces): hand them over as they are.
        tokenize: (terms) => terms.split(' '),
        processTerm: (term) => term,
        // Only a word the knowledge base lacks is a typo or a fragment worth expanding; expanding
        // words it has (order → orders, ordering, …) costs time and finds nothing better.
        fuzzy: (term) => !known(term) && fuzzyFor(term),
        prefix: (term) => !known(term) && prefixFor(term),
      },
    );
    // MiniSearch sorts by score only. Reorder the top (and any tie running past it) by priority on
    // ties; sorting every result of an OR query on a big index would cost more than the search.
    let end = Math.min(limit, results.length);
    while (end < results.length && results[end - 1].score - results[end].score <= TIE) end++;
    const priorityOf = (r: SearchResult) => this.faqs.get(r.id as number)!.priority;
    const top = results
      .slice(0, end)
      .sort((a, b) => (Math.abs(b.score - a.score) > TIE ? b.score - a.score : priorityOf(b) - priorityOf(a) || (a.id as number) - (b.id as number)));
    return top.slice(0, limit).map((r) => hitOf(this.faqs.get(r.id as number)!, r.score));
  }

  /**
   * Which query terms to search where, within the postings budget: words and bigrams before single
   * characters (which only break ties), rarer before commoner. A term the index lacks is left out,
   * unless it is a Latin word that fuzzy or prefix search may still find (a typo, a fragment).
   */
  private plan(text: string): { everywhere: string[]; shortFields: string[] } {
    const cost = (term: string) => {
      const [question, keywords, answer] = this.postings.get(term) ?? [0, 0, 0];
      return { all: question + keywords + answer, short: question + keywords };
    };
    const terms = [...new Set(tokenize(text).map(processTerm))].filter(
      (t): t is string => !!t && (this.postings.has(t) || fuzzyFor(t) !== false || prefixFor(t)),
    );
    terms.sort((a, b) => Number(isSingleCjk(a)) - Number(isSingleCjk(b)) || cost(a).all - cost(b).all);
    const plan = { everywhere: [] as string[], shortFields: [] as string[] };
    let left = MAX_POSTINGS;
    for (const term of terms) {
      const { all, short } = cost(term);
      const first = !plan.everywhere.length && !plan.shortFields.length;
      if (all <= left) {
        plan.everywhere.push(term);
        left -= all;
      } else if (short <= left || first) {
        plan.shortFields.push(term);
        left -= short;
      }
    }
    return plan;
  }
}

const hitOf = (entry: IndexedEntry, score: number): KnowledgeHit => ({ id: entry.id, kind: entry.kind, question: entry.question, answer: entry.answer, score });

function contains(text: string, rule: Rule): boolean {
  for (let at = text.indexOf(rule.keyword); at !== -1; at = text.indexOf(rule.keyword, at + 1)) {
    const end = at + rule.keyword.length;
    if (rule.wordStart && at > 0 && LATIN_OR_DIGIT.test(text[at - 1])) continue;
    if (rule.wordEnd && end < text.length && LATIN_OR_DIGIT.test(text[end])) continue;
    return true;
  }
  return false;
}
