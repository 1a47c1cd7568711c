/**
 * Skip-gram with negative sampling over subword-averaged inputs (Bojanowski et al. 2017, the
 * design of fastText's `skipgram`): each word predicts the words around it, the input side
 * of a word being the average of its own row and its character n-gram rows.
 */
import { Random, TextkitError, type TrainHooks, type TrainProgress } from "../../core/index.ts";
import { buildCorpus, type Corpus, MAX_LINE_TOKENS } from "./corpus.ts";
import { resolveVectorsOptions, usesSubwords, type VectorsOptions } from "./options.ts";
import { SubwordVectors } from "./subword-vectors.ts";
import { BucketRows, buildSubwordTable, type SubwordTable } from "./subwords.ts";

/**
 * What `trainVectors` reports: the progress every trainer reports (`unit` "words", `speed`
 * corpus tokens per second, `loss` the mean negative-sampling loss per (word, context) pair
 * since the previous report), about every 0.5 s and at the end of each epoch.
 */
export type VectorsProgress = TrainProgress;

/**
 * The hooks every trainer takes: `onProgress`, `onEpochEnd` (the epoch's mean loss) and
 * `shouldStop` (checked about every 0.5 s; the vectors learned so far are kept).
 */
export type VectorsHooks = TrainHooks;

const REPORT_EVERY_MS = 500;
const NEGATIVE_TABLE_MIN = 1_000_000;
const NEGATIVE_TABLE_MAX = 10_000_000;

/**
 * Trains word vectors on raw texts (one document per item). The texts are normalised and
 * tokenised as the classifier does, read once and kept in memory as token ids (4 bytes per
 * token), so `source` may be a one-shot stream. Single-threaded: the same seed, texts and
 * options give the same vectors, bit for bit.
 *
 * @example
 * const vectors = await trainVectors(["the cat sat", "the dog ran"], { minCount: 1, dim: 16 });
 * vectors.nearest("cat", 3);
 */
export async function trainVectors(
  source: AsyncIterable<string> | Iterable<string>,
  options: Partial<VectorsOptions> = {},
  hooks: VectorsHooks = {},
): Promise<SubwordVectors> {
  const opts = resolveVectorsOptions(options);
  const corpus = await buildCorpus(source, opts);
  if (corpus.words.length < 2) {
    throw new TextkitError(
      "DATA_TOO_FEW_WORDS",
      `${corpus.words.length} distinct words occur at least ${opts.minCount} times (--min-count); skip-gram needs at least 2`,
      {
        hint: "Give more text, or lower --min-count (option minCount) so that at least two distinct words are kept.",
      },
    );
  }
  const nwords = corpus.words.length;
  const buckets = new BucketRows(usesSubwords(opts) ? opts.buckets : 0);
  const table = buildSubwordTable(corpus.words, opts, buckets, true);
  const rng = new Random(opts.seed);
  const input = new Float32Array((nwords + buckets.used.length) * opts.dim);
  const bound = 1 / opts.dim;
  for (let i = 0; i < input.length; i++) input[i] = rng.uniform(-bound, bound);
  const negatives = negativeTable(corpus.counts, rng);
  const model = new SkipGram(opts, corpus, table, input, negatives, rng);

  const lines = corpus.lineStarts.length - 1;
  const began = performance.now();
  let lastReport = began;
  let stopped = false;
  for (let epoch = 1; epoch <= opts.epochs && !stopped; epoch++) {
    const epochBegan = performance.now();
    let epochLoss = 0;
    let epochReports = 0;
    let line = 0;
    while (line < lines) {
      line = model.run(line, lastReport + REPORT_EVERY_MS);
      const now = performance.now();
      if (now - lastReport >= REPORT_EVERY_MS || line === lines) {
        const progress = model.processed / model.totalTokens;
        const elapsed = (now - began) / 1000;
        const loss = model.takeLoss();
        epochLoss += loss;
        epochReports++;
        hooks.onProgress?.({
          epoch,
          epochs: opts.epochs,
          progress,
          loss,
          learningRate: model.lr,
          speed: model.processed / Math.max(elapsed, 1e-6),
          unit: "words",
          etaSeconds: progress > 0 ? (elapsed * (1 - progress)) / progress : Number.NaN,
        });
        lastReport = now;
        // let timers and I/O run (a server, a progress bar) between slices of training
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (hooks.shouldStop?.() === true) {
          stopped = true;
          break;
        }
      }
    }
    hooks.onEpochEnd?.({
      epoch,
      trainLoss: epochReports === 0 ? 0 : epochLoss / epochReports,
      seconds: (performance.now() - epochBegan) / 1000,
    });
  }
  return new SubwordVectors({
    options: opts,
    words: corpus.words,
    buckets: Int32Array.from(buckets.used),
    input,
  });
}

/**
 * Word ids in proportion to count^0.75, shuffled, read in order with wrap-around: one array
 * read per negative instead of a random draw.
 */
function negativeTable(counts: Float64Array, rng: Random): Int32Array {
  const n = counts.length;
  const target = Math.min(NEGATIVE_TABLE_MAX, Math.max(NEGATIVE_TABLE_MIN, n * 1000));
  const weights = new Float64Array(n);
  let z = 0;
  for (let w = 0; w < n; w++) {
    weights[w] = counts[w]! ** 0.75;
    z += weights[w]!;
  }
  // every word at least once, so that a vocabulary of two can always find a negative
  let size = 0;
  for (let w = 0; w < n; w++) {
    weights[w] = Math.max(1, Math.floor((weights[w]! / z) * target));
    size += weights[w]!;
  }
  const table = new Int32Array(size);
  let at = 0;
  for (let w = 0; w < n; w++) {
    table.fill(w, at, at + weights[w]!);
    at += weights[w]!;
  }
  rng.shuffle(table);
  return table;
}

class SkipGram {
  readonly totalTokens: number;
  processed = 0;
  lr: number;
  private readonly dim: number;
  private readonly window: number;
  private readonly negatives: number;
  private readonly lr0: number;
  private readonly input: Float32Array;
  private readonly output: Float32Array;
  private readonly starts: Int32Array;
  private readonly rows: Int32Array;
  private readonly tokens: Int32Array;
  private readonly lineStarts: Int32Array;
  /** Probability of keeping each word when subsampling. */
  private readonly keep: Float64Array;
  private readonly table: Int32Array;
  private tablePos = 0;
  private readonly rng: Random;
  private readonly hidden: Float64Array;
  private readonly grad: Float64Array;
  private readonly line = new Int32Array(MAX_LINE_TOKENS);
  private lossSum = 0;
  private pairs = 0;

  constructor(
    options: VectorsOptions,
    corpus: Corpus,
    subwords: SubwordTable,
    input: Float32Array,
    table: Int32Array,
    rng: Random,
  ) {
    const ntokens = corpus.tokens.length;
    this.totalTokens = ntokens * options.epochs;
    this.dim = options.dim;
    this.window = options.window;
    this.negatives = options.negatives;
    this.lr0 = options.lr;
    this.lr = options.lr;
    this.input = input;
    this.output = new Float32Array(corpus.words.length * options.dim);
    this.starts = subwords.starts;
    this.rows = subwords.rows;
    this.tokens = corpus.tokens;
    this.lineStarts = corpus.lineStarts;
    this.keep = new Float64Array(corpus.words.length);
    for (let w = 0; w < corpus.words.length; w++) {
      const ratio = options.sample / (corpus.counts[w]! / ntokens);
      this.keep[w] = options.sample === 0 ? 1 : Math.sqrt(ratio) + ratio;
    }
    this.table = table;
    this.rng = rng;
    this.hidden = new Float64Array(options.dim);
    this.grad = new Float64Array(options.dim);
  }

  /** Trains lines from `from` on, until the epoch ends or `deadline` (performance.now()) passes; returns the next line. */
  run(from: number, deadline: number): number {
    const lines = this.lineStarts.length - 1;
    let checkAt = this.processed + 4096;
    let l = from;
    while (l < lines) {
      this.trainLine(l++);
      if (this.processed >= checkAt) {
        if (performance.now() >= deadline) break;
        checkAt = this.processed + 4096;
      }
    }
    return l;
  }

  /** Mean loss per pair since the last call. */
  takeLoss(): number {
    const loss = this.pairs === 0 ? 0 : this.lossSum / this.pairs;
    this.lossSum = 0;
    this.pairs = 0;
    return loss;
  }

  private trainLine(l: number): void {
    const rng = this.rng;
    const tokens = this.tokens;
    const keep = this.keep;
    const line = this.line;
    const from = this.lineStarts[l]!;
    const to = this.lineStarts[l + 1]!;
    const lr = this.lr0 * Math.max(0, 1 - this.processed / this.totalTokens);
    this.lr = lr;
    let n = 0;
    for (let p = from; p < to; p++) {
      const w = tokens[p]!;
      if (rng.next() < keep[w]!) line[n++] = w;
    }
    const window = this.window;
    for (let i = 0; i < n; i++) {
      const reach = 1 + Math.floor(rng.next() * window);
      const lo = Math.max(i - reach, 0);
      const hi = i + reach >= n ? n - 1 : i + reach;
      for (let j = lo; j <= hi; j++) if (j !== i) this.update(line[i]!, line[j]!, lr);
    }
    this.processed += to - from;
  }

  private update(center: number, target: number, lr: number): void {
    const dim = this.dim;
    const input = this.input;
    const rows = this.rows;
    const hidden = this.hidden;
    const grad = this.grad;
    const first = this.starts[center]!;
    const last = this.starts[center + 1]!;
    grad.fill(0);
    // The row loops are unrolled by 4: about 25% more words per second on CLINC150, same results.
    // (A sigmoid lookup table instead of Math.exp gained under 10%, within the noise, so exp stays.)
    {
      const o = rows[first]! * dim;
      for (let i = 0; i < dim; i++) hidden[i] = input[o + i]!;
    }
    for (let r = first + 1; r < last; r++) {
      const o = rows[r]! * dim;
      let i = 0;
      for (; i + 3 < dim; i += 4) {
        hidden[i] = (hidden[i] ?? 0) + (input[o + i] ?? 0);
        hidden[i + 1] = (hidden[i + 1] ?? 0) + (input[o + i + 1] ?? 0);
        hidden[i + 2] = (hidden[i + 2] ?? 0) + (input[o + i + 2] ?? 0);
        hidden[i + 3] = (hidden[i + 3] ?? 0) + (input[o + i + 3] ?? 0);
      }
      for (; i < dim; i++) hidden[i] = (hidden[i] ?? 0) + (input[o + i] ?? 0);
    }
    const scale = 1 / (last - first);
    for (let i = 0; i < dim; i++) hidden[i] = (hidden[i] ?? 0) * scale;

    let loss = this.logistic(target, 1, lr);
    const table = this.table;
    let pos = this.tablePos;
    for (let k = 0; k < this.negatives; k++) {
      let negative = table[pos]!;
      if (++pos === table.length) pos = 0;
      while (negative === target) {
        negative = table[pos]!;
        if (++pos === table.length) pos = 0;
      }
      loss += this.logistic(negative, 0, lr);
    }
    this.tablePos = pos;

    // fastText's skip-gram adds the whole gradient to every input row (no 1/rows factor)
    for (let r = first; r < last; r++) {
      const o = rows[r]! * dim;
      let i = 0;
      for (; i + 3 < dim; i += 4) {
        input[o + i] = (input[o + i] ?? 0) + (grad[i] ?? 0);
        input[o + i + 1] = (input[o + i + 1] ?? 0) + (grad[i + 1] ?? 0);
        input[o + i + 2] = (input[o + i + 2] ?? 0) + (grad[i + 2] ?? 0);
        input[o + i + 3] = (input[o + i + 3] ?? 0) + (grad[i + 3] ?? 0);
      }
      for (; i < dim; i++) input[o + i] = (input[o + i] ?? 0) + (grad[i] ?? 0);
    }
    this.lossSum += loss;
    this.pairs++;
  }

  /** One binary logistic step on output row `word`; accumulates the input gradient in `grad`, returns the loss. */
  private logistic(word: number, label: number, lr: number): number {
    const dim = this.dim;
    const output = this.output;
    const hidden = this.hidden;
    const grad = this.grad;
    const base = word * dim;
    let dot = 0;
    for (let i = 0; i < dim; i++) dot += hidden[i]! * output[base + i]!;
    // with e = exp(-dot): sigmoid = 1 / (1 + e), and both losses are softplus terms of it
    const minus = dot < -MAX_LOGIT ? MAX_LOGIT : dot > MAX_LOGIT ? -MAX_LOGIT : -dot;
    const e = Math.exp(minus);
    const score = 1 / (1 + e);
    const alpha = lr * (label - score);
    for (let i = 0, o = base; i < dim; i++, o++) {
      const w = output[o]!;
      grad[i] = (grad[i] ?? 0) + alpha * w;
      output[o] = w + alpha * hidden[i]!;
    }
    // -log(score) = log(1 + e); -log(1 - score) = log(1 + e) + dot
    const softplus = Math.log1p(e);
    return label === 1 ? softplus : softplus - minus;
  }
}

/** Beyond this logit the sigmoid is 0 or 1 in float32 anyway; clamping keeps exp finite. */
const MAX_LOGIT = 30;
