/**
 * The hidden vector of a frozen classifier, from per-token sums. A text's hidden vector is
 * the mean of its feature rows: each token's own rows (its word row and its character
 * n-gram rows), then the word n-gram rows. A token's own rows never change once the
 * featurizer is frozen, so their sum is kept per token: a document then costs one vector
 * add per token instead of one per character n-gram (a six-letter word with n-grams of 2 to
 * 4 characters has a dozen rows).
 *
 * The order of float64 additions, which fixes every bit of the result: each component starts
 * at 0 and gets, in token order, the token's kept sum as one term (itself the token's rows
 * added in order from 0) or its only row, then the word n-gram rows in order; the total is
 * multiplied by 1 / (number of rows). It differs from adding every row one by one
 * (`averageRows`) only in that grouping (a few units in the last place).
 *
 * Tokens get a small integer id (one Map lookup), and everything else about a token is in
 * typed arrays: its hash, its row count and its term (its only row or its kept sum). The adds
 * run in WebAssembly SIMD ({@link RowSums}) where it is available and the input matrix is not
 * too big to copy, otherwise in scalar JavaScript, in the same order.
 */

import type { TokenIdLists, TokenIds } from "../../text/index.ts";
import { RowSums } from "../numeric/index.ts";
import type { Weights } from "./engine.ts";
import type { Featurizer } from "./featurizer.ts";
import { END_OF_TEXT } from "./featurizer.ts";

/** Doubles the kept sums may hold (16 MiB a model): 40,000 tokens at dim 50, 20,000 at dim 100. */
const CACHE_DOUBLES = 2 * 1024 * 1024;
const MAX_TOKENS = 50_000;
/** The term of a token without rows (nor a kept sum). */
const NONE = -1;
/** Int32 a token takes in the token table: hash, rows, term, and one of padding. */
const TABLE_STRIDE = 4;
/** Terms gathered before they are added (at most RowSums' TERMS). */
const BATCH = 4096;

/** Where the adds run: in WebAssembly, or in scalar JavaScript with the same term encoding. */
interface Adder {
  /** A row's term is rowBase + row · rowScale. */
  readonly rowBase: number;
  readonly rowScale: number;
  /** A kept sum's term. */
  sumTerm(slot: number): number;
  /** The kept sums, `stride` apart. */
  readonly sums: Float64Array;
  readonly stride: number;
  /** Where terms wait to be added (BATCH of them at least). */
  readonly terms: Int32Array;
  /** Takes the weights' input matrix again (it changed in place). */
  load(input: Float32Array): void;
  zero(): void;
  /** Adds `terms[0 .. count)` to the total, in order. */
  add(count: number): void;
  /** out = total · scale. */
  scaled(scale: number, out: Float64Array): void;
}

/**
 * Token sums for one model's weights; `clear` when the weights change.
 *
 * @example
 * const vectors = new TokenVectors(weights);
 * vectors.hidden(featurizer, ["fast", "text"], hidden); // the mean of the rows, END_OF_TEXT included
 */
export class TokenVectors {
  private readonly ids = new Map<string, number>();
  /** Tokens the cache holds at most; it is emptied when full (cheaper than keeping an order). */
  private readonly capacity: number;
  /**
   * Per token id, side by side (one cache line a token): its hash for the word n-grams as an
   * int32 (the n-gram hashes mix it modulo 2^32, so its sign does not matter), its number of
   * rows and its term.
   */
  private readonly tokenTable: Int32Array;
  /** Kept sums in use (tokens with two rows or more). */
  private slots = 0;
  private adder: Adder | null = null;
  /** Whether the adder's copy of the weights is out of date (`clear` was called). */
  private stale = false;
  private hashes = new Int32Array(64);
  private ngramRows = new Int32Array(64);
  /** Set by `idOf` when it added the queued terms. */
  private flushed = false;
  /** Changes whenever the token ids are forgotten. */
  private epoch = 0;
  /** Per id of `localSource` (in `localGeneration`, and this cache's `localEpoch`): own id + 1, 0 unknown. */
  private local = new Int32Array(0);
  private localSource: TokenIds | null = null;
  private localGeneration = 0;
  private localEpoch = 0;

  /**
   * @param weights the model's weights (copied into WebAssembly memory on first use).
   * @param simd false keeps the scalar JavaScript adds even where WebAssembly SIMD is available.
   */
  constructor(
    private readonly weights: Weights,
    private readonly simd = true,
  ) {
    this.capacity = Math.max(
      1_000,
      Math.min(MAX_TOKENS, Math.floor(CACHE_DOUBLES / Math.max(1, weights.dim))),
    );
    this.tokenTable = new Int32Array(TABLE_STRIDE * this.capacity);
  }

  /** Forgets every sum (the weights changed in place); the next `hidden` copies the weights again. */
  clear(): void {
    this.ids.clear();
    this.epoch++;
    this.slots = 0;
    this.stale = this.adder !== null;
  }

  /** Whether the adds run in WebAssembly SIMD (decided on first use; false before). */
  get usesSimd(): boolean {
    return this.adder instanceof WasmAdder;
  }

  /**
   * Sets `hidden` to the mean of the feature rows of `tokens` followed by END_OF_TEXT, as
   * `averageRows` over `featurizer.featuresOfTokens(tokens, rows, true)` does (up to the
   * grouping of the float64 adds described above).
   */
  hidden(featurizer: Featurizer, tokens: readonly string[], hidden: Float64Array): void {
    const adder = this.begin(tokens.length);
    const { hashes, ids, tokenTable } = this;
    const terms = adder.terms;
    let count = 0;
    let n = 0;
    for (let i = 0; i <= tokens.length; i++) {
      const token = i === tokens.length ? END_OF_TEXT : (tokens[i] as string);
      let id = ids.get(token);
      if (id === undefined) {
        n = this.flushBeforeForgetting(adder, n);
        id = this.remember(featurizer, adder, token);
      }
      const at = TABLE_STRIDE * id;
      hashes[i] = tokenTable[at] as number;
      count += tokenTable[at + 1] as number;
      const term = tokenTable[at + 2] as number;
      if (term === NONE) continue;
      terms[n++] = term;
      if (n === BATCH) {
        adder.add(n);
        n = 0;
      }
    }
    this.finish(featurizer, adder, tokens.length + 1, n, count, hidden);
  }

  /** The adder, loaded, zeroed, and room for the hashes of `length` tokens and END_OF_TEXT. */
  private begin(length: number): Adder {
    const adder = this.adder ?? this.makeAdder();
    if (this.stale) {
      adder.load(this.weights.input);
      this.stale = false;
    }
    adder.zero();
    if (this.hashes.length <= length) this.hashes = new Int32Array(2 * length + 2);
    return adder;
  }

  /**
   * Adds the `n` rows still queued and the word n-grams of the `positions` hashes, then sets
   * `hidden` to the sum divided by the rows added (`count` so far), or zeros when none.
   */
  private finish(
    featurizer: Featurizer,
    adder: Adder,
    positions: number,
    n: number,
    count: number,
    hidden: Float64Array,
  ): void {
    const total = count + this.addWordNgrams(featurizer, adder, positions, n);
    if (total === 0) hidden.fill(0);
    else adder.scaled(1 / total, hidden);
  }

  /**
   * The same for list `j` of `lists` (tokens interned by a {@link TokenIds}): the same bits as
   * `hidden` of its tokens, with a typed-array lookup per token instead of a Map lookup (the
   * Map is asked once per distinct token and generation of `lists.source`).
   */
  hiddenOfIds(featurizer: Featurizer, lists: TokenIdLists, j: number, hidden: Float64Array): void {
    const { ids, starts, source } = lists;
    const from = starts[j] ?? 0;
    const length = (starts[j + 1] ?? from) - from;
    const adder = this.begin(length);
    const { hashes, tokenTable } = this;
    const terms = adder.terms;
    let local = this.localFor(source);
    let count = 0;
    let n = 0;
    for (let i = 0; i <= length; i++) {
      let id: number;
      if (i === length) id = this.idOf(featurizer, adder, END_OF_TEXT, n);
      else {
        const shared = ids[from + i] as number;
        id = (local[shared] as number) - 1;
        if (id < 0) {
          id = this.idOf(featurizer, adder, source.token(shared), n);
          // Remembering may have emptied the cache, and with it what `local` says.
          local = this.localFor(source);
          local[shared] = id + 1;
        }
      }
      if (this.flushed) {
        this.flushed = false;
        n = 0;
      }
      const at = TABLE_STRIDE * id;
      hashes[i] = tokenTable[at] as number;
      count += tokenTable[at + 1] as number;
      const term = tokenTable[at + 2] as number;
      if (term === NONE) continue;
      terms[n++] = term;
      if (n === BATCH) {
        adder.add(n);
        n = 0;
      }
    }
    this.finish(featurizer, adder, length + 1, n, count, hidden);
  }

  /**
   * The id of `token`, remembered if new; when remembering empties the cache, the `pending`
   * queued terms are added first and `flushed` says so.
   */
  private idOf(featurizer: Featurizer, adder: Adder, token: string, pending: number): number {
    const id = this.ids.get(token);
    if (id !== undefined) return id;
    if (this.flushBeforeForgetting(adder, pending) !== pending) this.flushed = true;
    return this.remember(featurizer, adder, token);
  }

  /**
   * Adds the queued terms when the next token remembered empties the cache: a queued kept sum
   * would otherwise be overwritten by a new token's before it is added (same order of adds).
   */
  private flushBeforeForgetting(adder: Adder, pending: number): number {
    if (pending === 0 || this.ids.size < this.capacity) return pending;
    adder.add(pending);
    return 0;
  }

  /** Own id + 1 per id of `source` (0: not looked up yet), for its current generation and this cache. */
  private localFor(source: TokenIds): Int32Array {
    if (
      this.localSource !== source ||
      this.localGeneration !== source.generation ||
      this.localEpoch !== this.epoch
    ) {
      this.localSource = source;
      this.localGeneration = source.generation;
      this.localEpoch = this.epoch;
      this.local.fill(0);
    }
    if (this.local.length < source.size) {
      const grown = new Int32Array(Math.max(1024, 2 * source.size));
      grown.set(this.local);
      this.local = grown;
    }
    return this.local;
  }

  /** Adds the pending `n` terms and then the word n-gram rows; returns the number of those rows. */
  private addWordNgrams(featurizer: Featurizer, adder: Adder, tokens: number, pending: number): number {
    const most = tokens * Math.max(0, featurizer.options.wordNgrams - 1);
    if (this.ngramRows.length < most) this.ngramRows = new Int32Array(2 * most);
    const ngramRows = this.ngramRows;
    const made = featurizer.wordNgramRowsInto(this.hashes, tokens, ngramRows);
    const { terms, rowBase, rowScale } = adder;
    let n = pending;
    for (let j = 0; j < made; j++) {
      if (n === BATCH) {
        adder.add(n);
        n = 0;
      }
      terms[n++] = rowBase + (ngramRows[j] as number) * rowScale;
    }
    adder.add(n);
    return made;
  }

  private makeAdder(): Adder {
    const { input, dim } = this.weights;
    const rows = Math.floor(input.length / Math.max(1, dim));
    const kernel = this.simd ? RowSums.of(input, rows, dim, this.capacity) : null;
    this.adder = kernel === null ? new ScalarAdder(input, dim, this.capacity) : new WasmAdder(kernel);
    return this.adder;
  }

  /** Gives `token` an id, with its hash, row count and term (its kept sum made here). */
  private remember(featurizer: Featurizer, adder: Adder, token: string): number {
    if (this.ids.size >= this.capacity) {
      this.ids.clear();
      this.epoch++;
      this.slots = 0;
    }
    const id = this.ids.size;
    const own = featurizer.tokenFeatures(token);
    const rows = own.rows;
    const entry = TABLE_STRIDE * id;
    this.tokenTable[entry] = own.hash | 0;
    this.tokenTable[entry + 1] = rows.length;
    const first = rows[0];
    if (first === undefined) this.tokenTable[entry + 2] = NONE;
    else if (rows.length === 1) this.tokenTable[entry + 2] = adder.rowBase + first * adder.rowScale;
    else {
      const slot = this.slots++;
      const { sums, stride } = adder;
      const { input, dim } = this.weights;
      const at = slot * stride;
      sums.fill(0, at, at + dim);
      for (const row of rows) addRow(sums, at, input, row * dim, dim);
      this.tokenTable[entry + 2] = adder.sumTerm(slot);
    }
    this.ids.set(token, id);
    return id;
  }
}

/** The adds in WebAssembly SIMD. */
class WasmAdder implements Adder {
  readonly sums: Float64Array;
  readonly stride: number;
  readonly terms: Int32Array;
  readonly rowBase: number;
  readonly rowScale: number;
  constructor(private readonly kernel: RowSums) {
    this.sums = kernel.sums;
    this.stride = kernel.stride;
    this.terms = kernel.terms;
    this.rowBase = kernel.rowTerm(0);
    this.rowScale = kernel.rowTerm(1) - this.rowBase;
  }
  sumTerm(slot: number): number {
    return this.kernel.sumTerm(slot);
  }
  load(input: Float32Array): void {
    this.kernel.load(input);
  }
  zero(): void {
    this.kernel.zero();
  }
  add(count: number): void {
    this.kernel.add(count);
  }
  scaled(scale: number, out: Float64Array): void {
    this.kernel.scaled(scale, out);
  }
}

/** The adds in scalar JavaScript: a row's term is 2 · row, a kept sum's 2 · slot + 1. */
class ScalarAdder implements Adder {
  readonly sums: Float64Array;
  readonly stride: number;
  readonly terms = new Int32Array(BATCH);
  readonly rowBase = 0;
  readonly rowScale = 2;
  private readonly total: Float64Array;
  constructor(
    private readonly input: Float32Array,
    private readonly dim: number,
    capacity: number,
  ) {
    this.stride = dim;
    this.sums = new Float64Array(capacity * dim);
    this.total = new Float64Array(dim);
  }
  sumTerm(slot: number): number {
    return 2 * slot + 1;
  }
  load(): void {
    // The rows are read from the weights themselves.
  }
  zero(): void {
    this.total.fill(0);
  }
  add(count: number): void {
    const { total, input, sums, dim, terms } = this;
    for (let i = 0; i < count; i++) {
      const term = terms[i] as number;
      if ((term & 1) === 1) addSum(total, sums, (term >> 1) * dim, dim);
      else addRow(total, 0, input, (term >> 1) * dim, dim);
    }
  }
  scaled(scale: number, out: Float64Array): void {
    const total = this.total;
    for (let d = 0; d < this.dim; d++) out[d] = (total[d] as number) * scale;
  }
}

/** target[to + d] += input[at + d] for d in [0, dim): one float64 add per component. */
function addRow(target: Float64Array, to: number, input: Float32Array, at: number, dim: number): void {
  for (let d = 0; d < dim; d++) target[to + d] = (target[to + d] as number) + (input[at + d] as number);
}

/** total[d] += sums[at + d] for d in [0, dim). */
function addSum(total: Float64Array, sums: Float64Array, at: number, dim: number): void {
  for (let d = 0; d < dim; d++) total[d] = (total[d] as number) + (sums[at + d] as number);
}
