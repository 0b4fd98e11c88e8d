import MiniSearch, { type SearchResult } from 'minisearch';
import { boostQueryTerm, fuzzyFor, normalizeText, prefixFor, processTerm, tokenize } from './search-tokenizer.js';

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

const LATIN_OR_DIGIT = /[\p{Script=Latin}\p{N}]/u;
// A chat message, not a document: longer text only slows the search without helping it.
const MAX_QUERY_CHARS = 500;
// Scores this close count as a tie, which the entry's priority then breaks.
const TIE = 1e-9;

/**
 * One tenant's enabled entries, ready to answer: keyword rules in the order they win (priority,
 * then the longest keyword, then the oldest entry), and a MiniSearch index of the FAQ entries.
 * Immutable once built; a change to the tenant's entries builds a new one.
 */
export class TenantIndex {
  private readonly rules: Rule[] = [];
  private readonly faqs = new Map<number, IndexedEntry>();
  private readonly search = new MiniSearch<{ id: number; question: string; keywords: string; answer: string }>({
    fields: ['question', 'keywords', 'answer'],
    tokenize,
    processTerm,
    searchOptions: {
      // The stored question says what an entry is about; keywords are extra ways to say it; the
      // answer mostly repeats the topic but still helps when a user asks with its words.
      boost: { question: 3, keywords: 2, answer: 1 },
      fuzzy: fuzzyFor,
      prefix: prefixFor,
      boostTerm: boostQueryTerm,
      combineWith: 'OR',
    },
  });

  constructor(entries: IndexedEntry[]) {
    const faqDocs = [];
    for (const entry of entries) {
      if (entry.kind === 'keyword') {
        for (const raw of entry.keywords) {
          const keyword = normalizeText(raw).trim();
          if (keyword) this.rules.push({ keyword, wordStart: LATIN_OR_DIGIT.test(keyword[0]), wordEnd: LATIN_OR_DIGIT.test(keyword.at(-1)!), entry });
        }
      } else {
        this.faqs.set(entry.id, entry);
        faqDocs.push({ id: entry.id, question: entry.question, keywords: entry.keywords.join(' '), answer: entry.answer });
      }
    }
    this.rules.sort((a, b) => b.entry.priority - a.entry.priority || [...b.keyword].length - [...a.keyword].length || a.entry.id - b.entry.id);
    this.search.addAll(faqDocs);
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
    const results = this.search.search(text.slice(0, MAX_QUERY_CHARS));
    // MiniSearch sorts by score only. Reorder the top (and any tie running past it) by priority on
    // ties; sorting every result of an OR query on a big index would cost more than the search.
    let end = Math.min(limit, results.length);
    while (end < results.length && results[end - 1].score - results[end].score <= TIE) end++;
    const priorityOf = (r: SearchResult) => this.faqs.get(r.id as number)!.priority;
    const top = results.slice(0, end).sort((a, b) => (Math.abs(b.score - a.score) > TIE ? b.score - a.score : priorityOf(b) - priorityOf(a) || (a.id as number) - (b.id as number)));
    return top.slice(0, limit).map((r) => hitOf(this.faqs.get(r.id as number)!, r.score));
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
