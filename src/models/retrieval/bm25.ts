/**
 * An inverted index scored with Okapi BM25. After `build` everything is typed arrays: a
 * term's postings are the documents that hold it and, beside each, the BM25 weight of the
 * term in that document without its idf (precomputed, so a query adds idf × weight per
 * posting and nothing else). Queries are scored term at a time into one accumulator that
 * the index keeps and clears after each query; the best k come from a bounded heap.
 *
 * score(q, d) = Σ over distinct terms t of q: idf(t) · tf·(k1 + 1) / (tf + k1·(1 − b + b·|d| / avgdl))
 * idf(t) = ln(1 + (N − df + 0.5) / (df + 0.5)) (Lucene's, never negative)
 */
import { compareCodePoints, TextkitError } from "../../core/index.ts";
import { TopK } from "./top-k.ts";

export interface Bm25Options {
  /** Term-frequency saturation (default 1.2). */
  k1: number;
  /** Length normalisation, 0 (none) to 1 (full) (default 0.75). */
  b: number;
}

export const DEFAULT_BM25_OPTIONS: Readonly<Bm25Options> = Object.freeze({ k1: 1.2, b: 0.75 });

/** The stored form of an index: what `build` learns and an artifact holds. */
export interface Bm25Parts {
  /** In code point order; term i's postings are docs[offsets[i]..offsets[i + 1]). */
  terms: readonly string[];
  offsets: Int32Array;
  /** Document numbers, ascending within a term. */
  docs: Int32Array;
  /** Occurrences of the term in each of those documents. */
  tfs: Int32Array;
  /** Terms per document. */
  docLengths: Int32Array;
}

/** The scores of one query, valid inside the callback of `Bm25Index.withScores` only. */
export interface Bm25Scores {
  /** BM25 of document `doc` (0 when it holds no query term). */
  scoreOf(doc: number): number;
  /** The k best documents holding a query term, best first, those `accept` refuses left out. */
  top(k: number, accept?: (doc: number) => boolean): { doc: number; score: number }[];
}

/**
 * Checks BM25 options, refusing a bad value with OPTION_INVALID.
 *
 * @example
 * resolveBm25Options({ k1: 1.5 }); // { k1: 1.5, b: 0.75 }
 */
export function resolveBm25Options(partial: Partial<Bm25Options> = {}): Bm25Options {
  const k1 = partial.k1 ?? DEFAULT_BM25_OPTIONS.k1;
  const b = partial.b ?? DEFAULT_BM25_OPTIONS.b;
  if (!(Number.isFinite(k1) && k1 >= 0)) {
    throw new TextkitError("OPTION_INVALID", `k1 must be a number >= 0, got ${k1}`);
  }
  if (!(b >= 0 && b <= 1)) throw new TextkitError("OPTION_INVALID", `b must be between 0 and 1, got ${b}`);
  return { k1, b };
}

export class Bm25Index {
  readonly options: Bm25Options;
  readonly terms: readonly string[];
  /** Number of documents. */
  readonly documents: number;
  /** Mean terms per document. */
  readonly averageLength: number;
  /** @internal */
  readonly parts: Bm25Parts;
  private readonly dictionary = new Map<string, number>();
  private readonly idf: Float64Array;
  /** Per posting, the BM25 term weight without its idf, rounded to float32 once. */
  private readonly weights: Float32Array;
  private readonly accumulator: Float64Array;
  private readonly touched: Int32Array;
  private readonly heap = new TopK(64);

  /** Use `Bm25Index.build`, or `fromParts` for stored parts. */
  private constructor(parts: Bm25Parts, options: Bm25Options) {
    this.options = options;
    this.parts = parts;
    this.terms = parts.terms;
    const n = parts.docLengths.length;
    this.documents = n;
    let total = 0;
    for (let d = 0; d < n; d++) total += parts.docLengths[d]!;
    this.averageLength = total > 0 ? total / n : 1;
    const t = parts.terms.length;
    for (let i = 0; i < t; i++) this.dictionary.set(parts.terms[i]!, i);
    this.idf = new Float64Array(t);
    for (let i = 0; i < t; i++) this.idf[i] = idfOf(n, parts.offsets[i + 1]! - parts.offsets[i]!);
    const { docs, tfs } = parts;
    this.weights = new Float32Array(docs.length);
    for (let p = 0; p < docs.length; p++) {
      this.weights[p] = this.termWeight(tfs[p]!, parts.docLengths[docs[p]!]!);
    }
    this.accumulator = new Float64Array(n);
    this.touched = new Int32Array(n);
  }

  /** tf·(k1 + 1) / (tf + k1·(1 − b + b·len / avgdl)), the same expression for documents and queries. */
  private termWeight(tf: number, length: number): number {
    const { k1, b } = this.options;
    return (tf * (k1 + 1)) / (tf + k1 * (1 - b + (b * length) / this.averageLength));
  }

  /**
   * Indexes documents given as term lists (document i is row i).
   *
   * @example
   * const index = Bm25Index.build([["lost", "card"], ["reset", "pin"]]);
   * index.search(["card"], 5); // [{ doc: 0, score: 0.58... }]
   */
  static build(documents: readonly (readonly string[])[], partial: Partial<Bm25Options> = {}): Bm25Index {
    const options = resolveBm25Options(partial);
    const n = documents.length;
    // Terms numbered as first met, then renumbered in code point order (stable bytes).
    const firstSeen = new Map<string, number>();
    const docLengths = new Int32Array(n);
    const ids: Int32Array[] = new Array(n);
    for (let d = 0; d < n; d++) {
      const terms = documents[d]!;
      const row = new Int32Array(terms.length);
      for (let i = 0; i < terms.length; i++) {
        let id = firstSeen.get(terms[i]!);
        if (id === undefined) {
          id = firstSeen.size;
          firstSeen.set(terms[i]!, id);
        }
        row[i] = id;
      }
      ids[d] = row;
      docLengths[d] = terms.length;
    }
    const sorted = [...firstSeen.keys()].sort(compareCodePoints);
    const rank = new Int32Array(sorted.length);
    for (let i = 0; i < sorted.length; i++) rank[firstSeen.get(sorted[i]!)!] = i;
    const t = sorted.length;

    // Document frequencies, then postings filled in document order.
    const counts = new Int32Array(t);
    const touched = new Int32Array(t);
    const df = new Int32Array(t);
    for (let d = 0; d < n; d++) {
      const row = ids[d]!;
      let m = 0;
      for (let i = 0; i < row.length; i++) {
        const id = rank[row[i]!]!;
        const seen = counts[id] ?? 0;
        counts[id] = seen + 1;
        if (seen === 0) touched[m++] = id;
      }
      for (let j = 0; j < m; j++) {
        df[touched[j]!]!++;
        counts[touched[j]!] = 0;
      }
    }
    const offsets = new Int32Array(t + 1);
    for (let i = 0; i < t; i++) offsets[i + 1] = offsets[i]! + df[i]!;
    const docs = new Int32Array(offsets[t]!);
    const tfs = new Int32Array(offsets[t]!);
    const cursor = offsets.slice(0, t);
    for (let d = 0; d < n; d++) {
      const row = ids[d]!;
      let m = 0;
      for (let i = 0; i < row.length; i++) {
        const id = rank[row[i]!]!;
        const seen = counts[id] ?? 0;
        counts[id] = seen + 1;
        if (seen === 0) touched[m++] = id;
      }
      for (let j = 0; j < m; j++) {
        const id = touched[j]!;
        const p = cursor[id]!++;
        docs[p] = d;
        tfs[p] = counts[id]!;
        counts[id] = 0;
      }
    }
    return new Bm25Index({ terms: sorted, offsets, docs, tfs, docLengths }, options);
  }

  /**
   * An index from stored parts, checked: parts that do not fit together are ARTIFACT_CORRUPT
   * naming `where`.
   */
  static fromParts(parts: Bm25Parts, options: Bm25Options, where: string): Bm25Index {
    const { terms, offsets, docs, tfs, docLengths } = parts;
    const n = docLengths.length;
    const bad = (why: string) =>
      new TextkitError("ARTIFACT_CORRUPT", `the BM25 index in ${where} is damaged: ${why}`, { file: where });
    if (offsets.length !== terms.length + 1 || offsets[0] !== 0)
      throw bad("term offsets do not fit the terms");
    for (let i = 0; i < terms.length; i++) {
      if (!(offsets[i + 1]! >= offsets[i]!)) throw bad(`the postings of term ${i} end before they start`);
    }
    if (offsets[terms.length] !== docs.length || docs.length !== tfs.length) {
      throw bad("the postings do not fit their offsets");
    }
    for (let p = 0; p < docs.length; p++) {
      if (!(docs[p]! >= 0 && docs[p]! < n && tfs[p]! >= 1)) throw bad(`posting ${p} is out of range`);
    }
    for (let d = 0; d < n; d++) if (docLengths[d]! < 0) throw bad(`document ${d} has a negative length`);
    return new Bm25Index(parts, options);
  }

  /** The number of a term, -1 when no document holds it. */
  termId(term: string): number {
    return this.dictionary.get(term) ?? -1;
  }

  /**
   * Scores every document holding a query term and hands the scores to `use`; the
   * accumulator is cleared when `use` returns, so the scores must not escape it.
   *
   * @example
   * const best = index.withScores(["card"], (s) => s.top(3));
   */
  withScores<T>(queryTerms: readonly string[], use: (scores: Bm25Scores) => T): T {
    const acc = this.accumulator;
    const touched = this.touched;
    const { offsets, docs } = this.parts;
    const weights = this.weights;
    let count = 0;
    for (const id of this.distinctIds(queryTerms)) {
      const idf = this.idf[id]!;
      for (let p = offsets[id]!, end = offsets[id + 1]!; p < end; p++) {
        const d = docs[p]!;
        if (acc[d] === 0) touched[count++] = d;
        acc[d]! += idf * weights[p]!;
      }
    }
    const heap = this.heap;
    const scores: Bm25Scores = {
      scoreOf: (doc) => acc[doc]!,
      top: (k, accept) => {
        heap.reset(k);
        for (let i = 0; i < count; i++) {
          const d = touched[i]!;
          if (accept === undefined || accept(d)) heap.offer(d, acc[d]!);
        }
        return heap.drain();
      },
    };
    try {
      return use(scores);
    } finally {
      for (let i = 0; i < count; i++) acc[touched[i]!] = 0;
    }
  }

  /**
   * The k best documents for a query, best first, with their BM25 scores; documents that
   * hold no query term are never returned.
   *
   * @example
   * index.search(["lost", "card"], 3); // [{ doc: 0, score: 1.54 }, { doc: 1, score: 0.60 }]
   */
  search(
    queryTerms: readonly string[],
    k: number,
    accept?: (doc: number) => boolean,
  ): { doc: number; score: number }[] {
    return this.withScores(queryTerms, (s) => s.top(k, accept));
  }

  /**
   * BM25 of the query against itself, as if it were a document of this index: the score a
   * document that is exactly the query gets, which bounds what real documents get unless
   * they repeat its terms more often. A term no document holds counts with the idf of a
   * term only the query would hold (df = 1), so a query with words the index lacks can
   * never look like a perfect match.
   *
   * @example
   * index.selfScore(["lost", "card"]); // 1.54 when a document is exactly "lost card"
   */
  selfScore(queryTerms: readonly string[]): number {
    const tf = new Map<string, number>();
    for (const term of queryTerms) tf.set(term, (tf.get(term) ?? 0) + 1);
    const length = queryTerms.length;
    // Known terms first, in the order withScores adds them, so a duplicate of the query
    // sums the same float64 values in the same order and its ratio is exactly 1.
    let known = 0;
    for (const id of this.distinctIds(queryTerms)) {
      known += this.idf[id]! * Math.fround(this.termWeight(tf.get(this.terms[id]!)!, length));
    }
    let unknown = 0;
    const unknownIdf = idfOf(this.documents, 1);
    for (const [term, count] of tf) {
      if (this.termId(term) < 0) unknown += unknownIdf * Math.fround(this.termWeight(count, length));
    }
    return known + unknown;
  }

  /** Ids of the query's terms that the index holds, each once, in order of first appearance. */
  private distinctIds(queryTerms: readonly string[]): number[] {
    const out: number[] = [];
    for (const term of queryTerms) {
      const id = this.dictionary.get(term);
      if (id !== undefined && !out.includes(id)) out.push(id);
    }
    return out;
  }
}

function idfOf(n: number, df: number): number {
  return Math.log(1 + (n - df + 0.5) / (df + 0.5));
}
