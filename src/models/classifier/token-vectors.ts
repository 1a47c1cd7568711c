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
  /**
   * Sum of the token's own rows, or null when it has at most one row: then `row` is read
   * straight from the weights (in float64, x + 0 is x, so the result is the same), which
   * halves the memory a document reads and saves the copy (every token of a model without
   * character n-grams).
   */
  sum: Float64Array | null;
  /** The token's only row when `sum` is null and `rows` is 1; -1 otherwise. */
  row: number;
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
    const input = this.weights.input;
    // Rows read from the weights wait in `rows` and are added four at a time; a kept sum
    // first adds the rows before it, so every component gets its terms in the same order.
    const rows = this.rowScratch;
    rows.length = 0;
    let count = 0;
    for (let i = 0; i <= tokens.length; i++) {
      const v = this.vector(featurizer, i === tokens.length ? END_OF_TEXT : (tokens[i] as string));
      hashes.push(v.hash);
      if (v.rows === 0) continue;
      count += v.rows;
      if (v.sum === null) {
        rows.push(v.row);
        continue;
      }
      addRows(hidden, input, rows, dim);
      rows.length = 0;
      addRow(hidden, v.sum, 0, dim);
    }
    const before = rows.length;
    featurizer.wordNgramRows(hashes, rows);
    count += rows.length - before;
    addRows(hidden, input, rows, dim);
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
    let made: TokenVector;
    if (own.rows.length <= 1) {
      made = { sum: null, row: own.rows[0] ?? -1, rows: own.rows.length, hash: own.hash };
    } else {
      const sum = new Float64Array(dim);
      for (let f = 0; f < own.rows.length; f++) addRow(sum, input, (own.rows[f] as number) * dim, dim);
      made = { sum, row: -1, rows: own.rows.length, hash: own.hash };
    }
    // Emptied when full rather than kept in order: cheaper, and hot words come straight back.
    if (this.cache.size >= this.capacity) this.cache.clear();
    this.cache.set(token, made);
    return made;
  }
}

/**
 * hidden[d] += source[at + d] for d in [0, dim), in that order for each d (so exactly the
 * float64 sums of the plain loop), four at a time.
 */
function addRow(hidden: Float64Array, source: Float32Array | Float64Array, at: number, dim: number): void {
  let d = 0;
  for (; d + 3 < dim; d += 4) {
    const s = at + d;
    hidden[d] = (hidden[d] as number) + (source[s] as number);
    hidden[d + 1] = (hidden[d + 1] as number) + (source[s + 1] as number);
    hidden[d + 2] = (hidden[d + 2] as number) + (source[s + 2] as number);
    hidden[d + 3] = (hidden[d + 3] as number) + (source[s + 3] as number);
  }
  for (; d < dim; d++) hidden[d] = (hidden[d] as number) + (source[at + d] as number);
}

/**
 * Adds the rows `rows` of `input` to `hidden` in order, four rows per pass over `hidden`:
 * ((((h + a) + b) + c) + e) is the same float64 arithmetic as four passes, with a quarter of
 * the loads and stores of `hidden`.
 */
function addRows(hidden: Float64Array, input: Float32Array, rows: readonly number[], dim: number): void {
  let f = 0;
  for (; f + 3 < rows.length; f += 4) {
    const a = (rows[f] as number) * dim;
    const b = (rows[f + 1] as number) * dim;
    const c = (rows[f + 2] as number) * dim;
    const e = (rows[f + 3] as number) * dim;
    for (let d = 0; d < dim; d++) {
      hidden[d] =
        (hidden[d] as number) +
        (input[a + d] as number) +
        (input[b + d] as number) +
        (input[c + d] as number) +
        (input[e + d] as number);
    }
  }
  for (; f < rows.length; f++) addRow(hidden, input, (rows[f] as number) * dim, dim);
}
