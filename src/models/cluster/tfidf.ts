/**
 * TF-IDF rows of texts over a vocabulary learnt from a corpus, with scikit-learn's
 * TfidfVectorizer defaults: raw term counts, smooth idf = ln((1 + n) / (1 + df)) + 1, and
 * rows scaled to unit length. Rows are sparse; the vocabulary keeps only terms that occur
 * in at least minDf documents and at most a maxDf share of them.
 */

import { compareCodePoints, TextkitError } from "../../core/index.ts";
import { isStopword, type NormalizationForm, normalizeText, Tokenizer } from "../../text/index.ts";
import type { SparseRows } from "../numeric/index.ts";

export interface TermOptions {
  lowercase: boolean;
  normalization: NormalizationForm;
  /**
   * Leave English and Chinese function words out ("the", "to", "的"); absent counts as
   * false, as in models saved before the option existed.
   */
  stopwords?: boolean;
}

export interface VocabularyOptions {
  minDf: number;
  maxDf: number;
  maxFeatures: number;
}

/** A term holds at least one letter or digit: punctuation and symbols are no topic. */
const HAS_WORD_CHARACTER = /[\p{L}\p{N}]/u;

/** Splits texts into the terms TF-IDF and word vectors count. */
export class TermTokenizer {
  readonly options: TermOptions;
  private readonly tokenizer = new Tokenizer();

  constructor(options: TermOptions) {
    this.options = options;
  }

  /**
   * The terms of a text, normalised, without punctuation.
   *
   * @example
   * new TermTokenizer({ lowercase: true, normalization: "NFKC" }).terms("Card declined!"); // ["card", "declined"]
   */
  terms(text: string): string[] {
    const normal = normalizeText(text, {
      form: this.options.normalization,
      lowercase: this.options.lowercase,
    });
    const out: string[] = [];
    const stopwords = this.options.stopwords === true;
    for (const token of this.tokenizer.tokenize(normal)) {
      if (HAS_WORD_CHARACTER.test(token) && !(stopwords && isStopword(token))) out.push(token);
    }
    return out;
  }
}

/** A learnt vocabulary with its idf weights: the TF-IDF half of a cluster model. */
export class TfidfFeatures {
  /** Terms in code point order; column j of a row is terms[j]. */
  readonly terms: readonly string[];
  readonly idf: Float32Array;
  private readonly index = new Map<string, number>();

  constructor(terms: readonly string[], idf: Float32Array) {
    if (idf.length !== terms.length) {
      throw new TextkitError("INPUT_INVALID", `${terms.length} terms but ${idf.length} idf weights`);
    }
    this.terms = terms;
    this.idf = idf;
    for (let j = 0; j < terms.length; j++) this.index.set(terms[j]!, j);
  }

  get dim(): number {
    return this.terms.length;
  }

  /**
   * Learns the vocabulary and idf of tokenised documents. Throws DATA_TOO_FEW_WORDS when no
   * term passes minDf and maxDf.
   *
   * @example
   * const features = TfidfFeatures.fit([["card", "lost"], ["card", "declined"]], { minDf: 1, maxDf: 1, maxFeatures: 100 });
   */
  static fit(documents: readonly (readonly string[])[], options: VocabularyOptions): TfidfFeatures {
    const n = documents.length;
    const df = new Map<string, number>();
    const total = new Map<string, number>();
    const seen = new Set<string>();
    for (const terms of documents) {
      seen.clear();
      for (const t of terms) {
        total.set(t, (total.get(t) ?? 0) + 1);
        if (!seen.has(t)) {
          seen.add(t);
          df.set(t, (df.get(t) ?? 0) + 1);
        }
      }
    }
    const maxDocs = options.maxDf * n;
    let kept: string[] = [];
    for (const [term, count] of df) if (count >= options.minDf && count <= maxDocs) kept.push(term);
    if (kept.length === 0) {
      throw new TextkitError(
        "DATA_TOO_FEW_WORDS",
        `no term occurs in at least ${options.minDf} of the ${n} texts and in at most ${Math.round(options.maxDf * 100)}% of them; ` +
          `there are ${df.size} distinct terms in all`,
        {
          hint: "Give more texts, or lower --min-df (option minDf) or raise --max-df (maxDf) so that some terms are kept.",
        },
      );
    }
    if (kept.length > options.maxFeatures) {
      // The most frequent over the corpus; ties in code point order, so the choice is stable.
      kept.sort((a, b) => total.get(b)! - total.get(a)! || compareCodePoints(a, b));
      kept = kept.slice(0, options.maxFeatures);
    }
    kept.sort(compareCodePoints);
    const idf = new Float32Array(kept.length);
    for (let j = 0; j < kept.length; j++) idf[j] = Math.log((1 + n) / (1 + df.get(kept[j]!)!)) + 1;
    return new TfidfFeatures(kept, idf);
  }

  /** Column of a term, -1 when it is not in the vocabulary. */
  column(term: string): number {
    return this.index.get(term) ?? -1;
  }

  /**
   * Unit-length TF-IDF rows of tokenised documents, as sparse rows (columns ascending). A
   * document without a vocabulary term is an empty row.
   */
  transform(documents: readonly (readonly string[])[]): SparseRows {
    const n = documents.length;
    const rowStart = new Int32Array(n + 1);
    const columns: number[] = [];
    const values: number[] = [];
    const counts = new Float64Array(this.terms.length);
    const touched: number[] = [];
    for (let i = 0; i < n; i++) {
      touched.length = 0;
      for (const t of documents[i]!) {
        const j = this.index.get(t);
        if (j === undefined) continue;
        if (counts[j] === 0) touched.push(j);
        counts[j]!++;
      }
      touched.sort((a, b) => a - b);
      let norm = 0;
      for (const j of touched) {
        const w = counts[j]! * this.idf[j]!;
        counts[j] = w;
        norm += w * w;
      }
      const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
      for (const j of touched) {
        columns.push(j);
        values.push(counts[j]! * scale);
        counts[j] = 0;
      }
      rowStart[i + 1] = columns.length;
    }
    return { rowStart, columns: Int32Array.from(columns), values: Float32Array.from(values) };
  }
}
