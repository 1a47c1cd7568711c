/**
 * Cold start from typed interests: a new visitor writes a few words ("astronomy, 足球")
 * and the items whose title, tags and category match them best become the visitor's
 * first, light events, so that the recommender answers at once with items related to them.
 * Matching is TF-IDF over the catalogue's words (Chinese and English alike, through the
 * shared tokenizer), with tags and category counting more than a description.
 */
import { isStopword, normalizeText, Tokenizer } from "../../text/index.ts";

/** What the matcher reads of an item. */
export interface InterestItem {
  id: string;
  title: string;
  description: string;
  tags: readonly string[];
  category: string;
}

const WORD = /[\p{L}\p{N}]/u;

/**
 * An index of catalogue words for matching interests; build once per catalogue.
 *
 * @example
 * const matcher = new InterestMatcher(items);
 * matcher.match("telescopes and comets", 5); // ["a00018", "p00042", ...]
 */
export class InterestMatcher {
  private readonly tokenizer = new Tokenizer();
  private readonly postings = new Map<string, { item: number; weight: number }[]>();
  private readonly ids: string[];
  /** How many items the matcher was built from (a catalogue that grew needs a new one). */
  readonly size: number;

  constructor(items: readonly InterestItem[]) {
    this.ids = items.map((i) => i.id);
    this.size = items.length;
    const counts = new Map<string, number>();
    items.forEach((item, index) => {
      counts.clear();
      const add = (text: string, weight: number) => {
        for (const word of this.words(text)) counts.set(word, (counts.get(word) ?? 0) + weight);
      };
      add(item.title, 2);
      add(item.description, 1);
      for (const tag of item.tags) add(tag, 3);
      add(item.category, 3);
      let norm = 0;
      for (const c of counts.values()) norm += c * c;
      const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
      for (const [word, c] of counts) {
        let list = this.postings.get(word);
        if (list === undefined) {
          list = [];
          this.postings.set(word, list);
        }
        list.push({ item: index, weight: c * scale });
      }
    });
  }

  private words(text: string): string[] {
    if (text.length === 0) return [];
    return this.tokenizer
      .tokenize(normalizeText(text))
      .map((w) => w.toLowerCase())
      .filter((w) => WORD.test(w) && !isStopword(w));
  }

  /** The ids of the `k` items that match the interests best (fewer when fewer match at all). */
  match(interests: string, k: number): string[] {
    const scores = new Map<number, number>();
    const n = this.ids.length;
    for (const word of new Set(this.words(interests))) {
      const list = this.postings.get(word) ?? this.prefixed(word);
      if (list.length === 0) continue;
      const idf = Math.log((1 + n) / (1 + list.length)) + 1;
      for (const { item, weight } of list) scores.set(item, (scores.get(item) ?? 0) + weight * idf);
    }
    return [...scores.entries()]
      .sort((a, b) => b[1] - a[1] || a[0] - b[0])
      .slice(0, k)
      .map(([item]) => this.ids[item]!);
  }

  /** A typed word that no item has whole ("telescopes"): the postings of words that start alike. */
  private prefixed(word: string): { item: number; weight: number }[] {
    if (word.length < 4) return [];
    const stem = word.slice(0, Math.max(4, word.length - 2));
    const out: { item: number; weight: number }[] = [];
    for (const [w, list] of this.postings) if (w.startsWith(stem)) out.push(...list);
    return out;
  }
}
