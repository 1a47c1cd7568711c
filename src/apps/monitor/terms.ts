/**
 * The content words of a document that the term trends count: words of the title first,
 * then of the text, lower-cased, without function words, numbers and punctuation, each
 * once, at most a few per document (so that one long article does not outweigh a hundred
 * posts). Chinese is split into words by the tokens a model made when the pipeline has them
 * (a classifier's learned dictionary, see bench:zhseg for how the terms compare), else by
 * Intl.Segmenter (through the shared Tokenizer).
 */
import {
  CHINESE_STOPWORDS,
  ENGLISH_STOPWORDS,
  type TokenIdLists,
  type TokenIds,
  Tokenizer,
} from "../../text/index.ts";

const STOPWORDS = new Set([...ENGLISH_STOPWORDS, ...CHINESE_STOPWORDS]);
const HAN = /\p{Script=Han}/u;
const LETTER = /\p{L}/u;
/** Tokens whose terms a TermExtractor remembers (a few MiB at most). */
const SEEN_TOKENS = 50_000;

/**
 * Picks the terms of documents.
 *
 * @example
 * new TermExtractor(5).terms("Norvale Bank app outage", "Customers could not log in to the app.");
 * // ["norvale", "bank", "app", "outage", "customers"]
 */
export class TermExtractor {
  private readonly tokenizer = new Tokenizer("zh");
  /**
   * Each token seen lately and its term (lower-cased), or null when it is not a content
   * word: a stream repeats its words, so most tokens then cost one lookup instead of a
   * lower-casing and three pattern tests. Emptied when full.
   */
  private readonly seen = new Map<string, string | null>();

  /**
   * The term of each token id of `byIdSource` in its generation `byIdGeneration` (undefined:
   * not looked up yet), so that a token of interned lists costs an array read.
   */
  private byId: (string | null | undefined)[] = [];
  private byIdSource: TokenIds | null = null;
  private byIdGeneration = 0;

  constructor(readonly perDocument: number) {}

  /** Up to `perDocument` distinct content words of the title, then the text. */
  terms(title: string | null, text: string): string[] {
    if (this.perDocument === 0) return [];
    return this.fromTokens(this.tokenizer.tokenize(title === null ? text : `${title}\n${text}`));
  }

  /** The same from tokens a model made of the title and text (Tokenizer's tokens, maybe normalised). */
  fromTokens(tokens: readonly string[]): string[] {
    const out: string[] = [];
    if (this.perDocument === 0) return out;
    for (const token of tokens) {
      const term = this.termOf(token);
      if (term === null || out.includes(term)) continue;
      out.push(term);
      if (out.length === this.perDocument) return out;
    }
    return out;
  }

  /** The same from list `j` of interned tokens (`fromTokens` of its tokens). */
  fromIds(lists: TokenIdLists, j: number): string[] {
    const out: string[] = [];
    if (this.perDocument === 0) return out;
    const { ids, starts, source } = lists;
    if (this.byIdSource !== source || this.byIdGeneration !== source.generation) {
      this.byId = [];
      this.byIdSource = source;
      this.byIdGeneration = source.generation;
    }
    const byId = this.byId;
    // Grown in whole (never with a hole, which could turn the array into a dictionary).
    while (byId.length < source.size) byId.push(undefined);
    const to = starts[j + 1] ?? 0;
    for (let i = starts[j] ?? to; i < to; i++) {
      const id = ids[i] as number;
      let term = byId[id];
      if (term === undefined) {
        term = this.termOf(source.token(id));
        byId[id] = term;
      }
      if (term === null || out.includes(term)) continue;
      out.push(term);
      if (out.length === this.perDocument) return out;
    }
    return out;
  }

  /** The term a token counts as, or null when it is not a content word. */
  private termOf(token: string): string | null {
    let term = this.seen.get(token);
    if (term === undefined) {
      const lower = token.toLowerCase();
      term = isContentWord(lower) ? lower : null;
      if (this.seen.size >= SEEN_TOKENS) this.seen.clear();
      this.seen.set(token, term);
    }
    return term;
  }
}

/** A word worth counting: it has letters, is not a function word, and is two letters or more (a Chinese word two characters). */
function isContentWord(term: string): boolean {
  if (term.length < 2 || term.length > 40 || STOPWORDS.has(term)) return false;
  if (!LETTER.test(term)) return false;
  // A Chinese word of one character is almost always a function word or a fragment.
  return !(HAN.test(term) && [...term].length < 2);
}
