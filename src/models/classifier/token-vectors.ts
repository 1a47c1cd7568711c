/**
 * The hidden vector of a frozen classifier, from per-token sums. A text's hidden vector is
 * the mean of its feature rows: each token's own rows (its word row and its character
 * n-gram rows), then the word n-gram rows. A token's own rows never change once the
 * featurizer is frozen, so their sum is kept per token: a document then costs one vector
 * add per token instead of one per character n-gram (a six-letter word with n-grams of 2 to
 * 4 characters has a dozen rows). The sums are kept in float64, as the mean is, so the
 * result differs from adding the rows one by one only in the order of float64 additions
 * (a few units in the last place).
 */

import type { Weights } from "./engine.ts";
import type { Featurizer } from "./featurizer.ts";
import { END_OF_TEXT } from "./featurizer.ts";

/** Doubles the cache may hold (16 MiB a model): 40,000 tokens at dim 50, 20,000 at dim 100. */
const CACHE_DOUBLES = 2 * 1024 * 1024;
const MAX_TOKENS = 50_000;

interface TokenVector {
  /** Sum of the token's own rows. */
  sum: Float64Array;
  /** How many rows that is. */
  rows: number;
  /** The token's hash for the word n-grams. */
  hash: number;
}

/**
 * Token sums for one model's weights; `clear` when the weights change.
 *
 * @example
 * const vectors = new TokenVectors(weights);
 * vectors.hidden(featurizer, ["fast", "text"], hidden); // the mean of the rows, END_OF_TEXT included
 */
export class TokenVectors {
  private readonly cache = new Map<string, TokenVector>();
  private readonly capacity: number;
  private readonly hashes: number[] = [];
  private readonly rowScratch: number[] = [];

  constructor(private readonly weights: Weights) {
    this.capacity = Math.max(
      1_000,
      Math.min(MAX_TOKENS, Math.floor(CACHE_DOUBLES / Math.max(1, weights.dim))),
    );
  }

  /** Forgets every sum (the weights changed in place). */
  clear(): void {
    this.cache.clear();
  }

  /**
   * Sets `hidden` to the mean of the feature rows of `tokens` followed by END_OF_TEXT, as
   * `averageRows` over `featurizer.featuresOfTokens(tokens, rows, true)` does.
   */
  hidden(featurizer: Featurizer, tokens: readonly string[], hidden: Float64Array): void {
    const dim = this.weights.dim;
    hidden.fill(0);
    const hashes = this.hashes;
    hashes.length = 0;
    let count = 0;
    for (let i = 0; i <= tokens.length; i++) {
      const v = this.vector(featurizer, i === tokens.length ? END_OF_TEXT : (tokens[i] as string));
      hashes.push(v.hash);
      if (v.rows === 0) continue;
      count += v.rows;
      const sum = v.sum;
      for (let d = 0; d < dim; d++) hidden[d] = (hidden[d] as number) + (sum[d] as number);
    }
    const rows = this.rowScratch;
    rows.length = 0;
    featurizer.wordNgramRows(hashes, rows);
    const input = this.weights.input;
    for (let f = 0; f < rows.length; f++) {
      const at = (rows[f] as number) * dim;
      for (let d = 0; d < dim; d++) hidden[d] = (hidden[d] as number) + (input[at + d] as number);
    }
    count += rows.length;
    if (count === 0) return;
    const inv = 1 / count;
    for (let d = 0; d < dim; d++) hidden[d] = (hidden[d] as number) * inv;
  }

  private vector(featurizer: Featurizer, token: string): TokenVector {
    const cached = this.cache.get(token);
    if (cached !== undefined) return cached;
    const dim = this.weights.dim;
    const input = this.weights.input;
    const own = featurizer.tokenFeatures(token);
    const sum = new Float64Array(dim);
    for (let f = 0; f < own.rows.length; f++) {
      const at = (own.rows[f] as number) * dim;
      for (let d = 0; d < dim; d++) sum[d] = (sum[d] as number) + (input[at + d] as number);
    }
    const made: TokenVector = { sum, rows: own.rows.length, hash: own.hash };
    // Emptied when full rather than kept in order: cheaper, and hot words come straight back.
    if (this.cache.size >= this.capacity) this.cache.clear();
    this.cache.set(token, made);
    return made;
  }
}
