import { join } from "node:path";
import {
  type Artifact,
  artifactFile,
  artifactFloats,
  artifactInts,
  artifactOptions,
  bytesOf,
  type ManifestInput,
  readArtifact,
  saveModel,
  type TrainedModel,
} from "../../artifact/index.ts";
import type { EpochSummary, TrainHooks } from "../../core/index.ts";
import {
  newRunId,
  Random,
  type RunRecord,
  runManifestFields,
  runRecordFiles,
  runRecordOf,
  TextkitError,
} from "../../core/index.ts";
import type { Dataset } from "../../data/index.ts";
import { fingerprint, readVecFile } from "../../data/index.ts";
import { type ClassificationReport, classificationReport, topKAccuracy } from "../../eval/index.ts";
import { EpochLog } from "../../train/index.ts";
import { RowDots } from "../numeric/index.ts";
import {
  averageRows,
  linearScores,
  newScratch,
  type Scratch,
  sgdStep,
  sigmoidInPlace,
  softmaxInPlace,
  type Weights,
} from "./engine.ts";
import { Featurizer } from "./featurizer.ts";
import { ENCODER_HEAD_KIND } from "./head-options.ts";
import { buildHsTree, fastTextSigmoid, type HsTree, hsScores } from "./hs-tree.ts";
import { type ClassifierOptions, resolveClassifierOptions } from "./options.ts";
import { type QuantizedForm, quantizedFiles, readQuantizedForm } from "./quantized-format.ts";
import { TokenVectors } from "./token-vectors.ts";

export const CLASSIFIER_FAMILY = "classifier";

export interface Prediction {
  /** Best first. */
  labels: string[];
  scores: number[];
}

export interface PredictOptions {
  /** How many labels to return per text (default 1; at most the number of labels). */
  k?: number;
  /** Drop labels scoring below this (default 0; ova multi-label models usually use 0.5). */
  threshold?: number;
}

export interface ClassifierEvaluation {
  report: ClassificationReport;
  accuracy: number;
  top5Accuracy: number;
  examples: number;
  predictions: string[][];
}

export interface TrainingData {
  train: Dataset;
  dev?: Dataset;
}

/** Feature rows of many texts, flat. */
interface EncodedSet {
  feats: Int32Array;
  offsets: Int32Array;
  /** Tokens per text (the unit of training speed, as in fastText's words/sec). */
  tokenCounts: Int32Array;
}

/**
 * A trained fastText-class text classifier. Create one with `trainClassifier` or
 * `loadClassifier`; it is immutable after that.
 */
export class TextClassifier
  implements TrainedModel<readonly string[], Prediction[], Dataset, ClassifierEvaluation>
{
  readonly options: ClassifierOptions;
  readonly labels: readonly string[];
  readonly multiLabel: boolean;
  readonly runRecord: RunRecord | null;
  /** @internal The compressed form `save` writes, for a model made by quantizeClassifier. */
  readonly quantized: QuantizedForm | null;
  /** @internal */
  readonly featurizer: Featurizer;
  /** @internal */
  readonly weights: Weights;
  /** @internal Label counts of a hierarchical-softmax model (imported from fastText), which fix its tree. */
  readonly hsCounts: readonly number[] | null;
  private readonly hsTree: HsTree | null;
  private readonly scratch: Scratch;
  private readonly featScratch: number[] = [];
  private readonly order: Int32Array;
  /** The output layer in WebAssembly SIMD, made on first use (null: not available here). */
  private outputDots: RowDots | null | undefined;
  /** Per-token sums of the input rows, for the hidden vector of a frozen featurizer. */
  private readonly tokenVectors: TokenVectors;

  constructor(
    options: ClassifierOptions,
    labels: readonly string[],
    multiLabel: boolean,
    featurizer: Featurizer,
    weights: Weights,
    runRecord: RunRecord | null,
    quantized: QuantizedForm | null = null,
    hsCounts: readonly number[] | null = null,
  ) {
    this.options = options;
    this.hsCounts = hsCounts;
    this.hsTree = hsCounts === null ? null : buildHsTree(hsCounts);
    this.quantized = quantized;
    this.labels = labels;
    this.multiLabel = multiLabel;
    this.featurizer = featurizer;
    this.weights = weights;
    this.runRecord = runRecord;
    this.scratch = newScratch(weights.dim, labels.length);
    this.order = new Int32Array(labels.length);
    this.tokenVectors = new TokenVectors(weights);
  }

  /**
   * @internal Says that `weights` changed in place (training evaluates its model between
   * epochs): the copy of the output layer is taken again at the next prediction.
   */
  weightsChanged(): void {
    this.outputDots = undefined;
    this.tokenVectors.clear();
  }

  get task(): "multiclass" | "multilabel" {
    return this.multiLabel ? "multilabel" : "multiclass";
  }

  /** Probabilities (softmax) or independent sigmoid scores (ova) of every label, in `labels` order. */
  scoresOf(text: string): Float64Array {
    const out = new Float64Array(this.labels.length);
    this.scoreInto(text, out);
    return out;
  }

  private scoreInto(text: string, out: Float64Array): void {
    this.scoreTokensInto(this.featurizer.tokens(text), out);
  }

  private scoreTokensInto(tokens: readonly string[], out: Float64Array): void {
    const s = this.scratch;
    if (this.featurizer.isFrozen) {
      this.tokenVectors.hidden(this.featurizer, tokens, s.hidden);
    } else {
      const feats = this.featScratch;
      feats.length = 0;
      this.featurizer.featuresOfTokens(tokens, feats, true);
      averageRows(this.weights, feats, 0, feats.length, s.hidden);
    }
    if (this.hsTree !== null) {
      hsScores(this.hsTree, this.weights.output, this.weights.dim, s.hidden, out);
      return;
    }
    if (this.outputDots === undefined) {
      this.outputDots = RowDots.of(this.weights.output, this.weights.labels, this.weights.dim);
    }
    if (this.outputDots !== null) this.outputDots.dots(s.hidden, out);
    else linearScores(this.weights, s.hidden, out);
    const n = this.labels.length;
    if (this.options.compat === "fasttext") {
      // fastText's one-vs-all reads its sigmoid from a table, and it reports exp(log(p + 1e-5)):
      // an imported model answers with the same numbers.
      if (this.options.loss === "ova") for (let k = 0; k < n; k++) out[k] = fastTextSigmoid(out[k]!);
      else softmaxInPlace(out, n);
      for (let k = 0; k < n; k++) out[k]! += 1e-5;
      return;
    }
    if (this.options.loss === "ova") sigmoidInPlace(out, n);
    else softmaxInPlace(out, n);
  }

  /**
   * Top-k labels with scores for each text. Always one Prediction per input, whatever k.
   *
   * @example
   * const [p] = model.predict(["where is my card"], { k: 3 });
   * p.labels; // ["card_arrival", "lost_card", "card_declined"]
   */
  predict(texts: readonly string[], options: PredictOptions = {}): Prediction[] {
    return this.predictEach(texts.length, (i, scores) => this.scoreInto(texts[i]!, scores), options);
  }

  /**
   * How this model turns text into tokens, as a key: two models with the same key tokenize
   * alike, so one `tokenize` can feed both models' `predictTokens`.
   */
  get tokenization(): string {
    const { normalization, lowercase } = this.options;
    return `textkit-tokens/1 ${normalization} ${lowercase ? "lower" : "cased"}`;
  }

  /** The tokens this model reads in `text` (normalised as the model was trained). */
  tokenize(text: string): string[] {
    return this.featurizer.tokens(text);
  }

  /**
   * Like `predict`, for texts already tokenized by `tokenize` (of this model or of one with
   * the same `tokenization`): the same answers, without tokenizing again.
   *
   * @example
   * const tokens = texts.map((t) => topic.tokenize(t));
   * topic.predictTokens(tokens); sentiment.predictTokens(tokens); // when their tokenization agrees
   */
  predictTokens(tokenLists: readonly (readonly string[])[], options: PredictOptions = {}): Prediction[] {
    return this.predictEach(
      tokenLists.length,
      (i, scores) => this.scoreTokensInto(tokenLists[i]!, scores),
      options,
    );
  }

  private predictEach(
    count: number,
    score: (i: number, scores: Float64Array) => void,
    options: PredictOptions,
  ): Prediction[] {
    const n = this.labels.length;
    const k = Math.max(1, Math.min(options.k ?? 1, n));
    const threshold = options.threshold ?? 0;
    const scores = this.scratch.scores;
    const order = this.order;
    const out: Prediction[] = new Array(count);
    for (let i = 0; i < count; i++) {
      score(i, scores);
      topKIndices(scores, n, k, order);
      const labels: string[] = [];
      const values: number[] = [];
      for (let j = 0; j < k; j++) {
        const idx = order[j]!;
        if (scores[idx]! < threshold && j > 0) break;
        if (scores[idx]! < threshold && this.multiLabel) break;
        labels.push(this.labels[idx]!);
        values.push(scores[idx]!);
      }
      out[i] = { labels, scores: values };
    }
    return out;
  }

  /** Labels a text gets as a decision: the best label, or for multi-label models every label scoring >= 0.5. */
  decide(texts: readonly string[]): string[][] {
    if (!this.multiLabel) return this.predict(texts, { k: 1 }).map((p) => p.labels);
    return this.predict(texts, { k: this.labels.length, threshold: 0.5 }).map((p) => p.labels);
  }

  /** Scores the model on labelled data with scikit-learn's classification report. */
  evaluate(dataset: Dataset): ClassifierEvaluation {
    const texts = dataset.examples.map((e) => e.text);
    const ranked = this.predict(texts, { k: Math.min(5, this.labels.length) }).map((p) => p.labels);
    const predictions = this.multiLabel ? this.decide(texts) : ranked.map((r) => [r[0]!]);
    const truth = dataset.examples.map((e) => e.labels);
    const report = this.multiLabel
      ? classificationReport(truth, predictions)
      : classificationReport(
          truth.map((l) => l[0]!),
          predictions.map((p) => p[0]!),
        );
    let exact = 0;
    for (let i = 0; i < truth.length; i++) if (sameSet(truth[i]!, predictions[i]!)) exact++;
    const top5 = this.multiLabel
      ? Number.NaN
      : topKAccuracy(
          truth.map((l) => l[0]!),
          ranked,
          5,
        );
    return {
      report,
      accuracy: truth.length === 0 ? 0 : exact / truth.length,
      top5Accuracy: top5,
      examples: truth.length,
      predictions,
    };
  }

  /** @internal The same model predicting with quantised weights; its `save` writes the compressed form. */
  withQuantized(form: QuantizedForm): TextClassifier {
    return new TextClassifier(
      this.options,
      this.labels,
      this.multiLabel,
      form.featurizer,
      form.weights,
      this.runRecord,
      form,
      this.hsCounts,
    );
  }

  /** Writes the model directory atomically (see `saveModel`). */
  async save(dir: string): Promise<void> {
    await saveModel(this, dir);
  }

  /** @internal What `save` writes: the manifest and the weight files. */
  artifactParts(): { manifest: ManifestInput; files: Record<string, Uint8Array> } {
    const f = this.featurizer;
    const files: Record<string, Uint8Array> =
      this.quantized === null
        ? {
            "input.f32": bytesOf(this.weights.input),
            "output.f32": bytesOf(this.weights.output),
            "words.txt": Buffer.from(f.words.join("\n"), "utf8"),
            "buckets.i32": bytesOf(f.buckets),
          }
        : quantizedFiles(this.quantized);
    if (this.hsCounts !== null) files["hs-counts.json"] = Buffer.from(JSON.stringify(this.hsCounts), "utf8");
    Object.assign(files, runRecordFiles(this.runRecord));
    return {
      manifest: {
        family: CLASSIFIER_FAMILY,
        task: this.task,
        labels: [...this.labels],
        options:
          this.quantized === null
            ? { ...this.options }
            : { ...this.options, quantized: { ...this.quantized.info } },
        ...runManifestFields(this.runRecord),
      },
      files,
    };
  }
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (const x of a) if (!b.includes(x)) return false;
  return true;
}

/** Indices of the k largest scores, best first (ties: lower index first), into `order`. */
function topKIndices(scores: Float64Array, n: number, k: number, order: Int32Array): void {
  let filled = 0;
  for (let i = 0; i < n; i++) {
    const s = scores[i]!;
    if (filled < k) {
      let j = filled++;
      while (j > 0 && scores[order[j - 1]!]! < s) {
        order[j] = order[j - 1]!;
        j--;
      }
      order[j] = i;
    } else if (s > scores[order[k - 1]!]!) {
      let j = k - 1;
      while (j > 0 && scores[order[j - 1]!]! < s) {
        order[j] = order[j - 1]!;
        j--;
      }
      order[j] = i;
    }
  }
}

function encode(featurizer: Featurizer, tokenLists: readonly (readonly string[])[]): EncodedSet {
  const feats: number[] = [];
  const offsets = new Int32Array(tokenLists.length + 1);
  const tokenCounts = new Int32Array(tokenLists.length);
  for (let i = 0; i < tokenLists.length; i++) {
    featurizer.featuresOfTokens(tokenLists[i]!, feats);
    offsets[i + 1] = feats.length;
    tokenCounts[i] = tokenLists[i]!.length;
  }
  return { feats: Int32Array.from(feats), offsets, tokenCounts };
}

/**
 * The training pieces: each token list whole, or cut into runs of `size` tokens (the last
 * run keeps the rest), with the index of the text each piece comes from.
 */
function chunked(
  tokenLists: readonly string[][],
  size: number,
): { tokenLists: readonly string[][]; source: Int32Array } {
  if (size === 0) return { tokenLists, source: Int32Array.from(tokenLists, (_, i) => i) };
  const out: string[][] = [];
  const source: number[] = [];
  for (let i = 0; i < tokenLists.length; i++) {
    const tokens = tokenLists[i]!;
    for (let at = 0; at < tokens.length; at += size) {
      out.push(tokens.slice(at, at + size));
      source.push(i);
    }
  }
  return { tokenLists: out, source: Int32Array.from(source) };
}

/** Words with count >= minCount, most frequent first, ties in order of first appearance. */
function buildVocabulary(tokenLists: readonly (readonly string[])[], minCount: number): string[] {
  const counts = new Map<string, number>();
  for (const tokens of tokenLists) for (const t of tokens) counts.set(t, (counts.get(t) ?? 0) + 1);
  const words: string[] = [];
  for (const [w, c] of counts) if (c >= minCount) words.push(w);
  // Map iteration is insertion order, so a stable sort keeps first-appearance order for ties.
  words.sort((a, b) => counts.get(b)! - counts.get(a)!);
  return words;
}

function labelIndex(labels: readonly string[]): Map<string, number> {
  return new Map(labels.map((l, i) => [l, i]));
}

/** Single-label accuracy or multi-label exact-match ratio of `model` on encoded dev data. */
function devMetrics(model: TextClassifier, dev: Dataset): Record<string, number> {
  const evaluation = model.evaluate(dev);
  return {
    accuracy: evaluation.accuracy,
    macroF1: evaluation.report.macro.f1,
    ...(model.multiLabel && evaluation.report.micro !== undefined
      ? { microF1: evaluation.report.micro.f1 }
      : {}),
  };
}

/**
 * Trains a classifier on labelled texts.
 *
 * @example
 * const train = await loadDataset("intents.csv");
 * const model = await trainClassifier({ train }, { epochs: 20, wordNgrams: 2 });
 * model.predict(["what's my balance"], { k: 2 });
 */
export async function trainClassifier(
  data: TrainingData,
  partialOptions: Partial<ClassifierOptions> = {},
  hooks: TrainHooks = {},
): Promise<TextClassifier> {
  const options = resolveClassifierOptions(partialOptions);
  if (options.loss === "hs") {
    throw new TextkitError(
      "OPTION_INVALID",
      "loss hs (hierarchical softmax) is read from imported fastText models; textkit trains softmax or ova",
    );
  }
  const started = new Date();
  const t0 = performance.now();
  const { train, dev } = data;
  if (train.examples.length === 0)
    throw new TextkitError("DATA_EMPTY", `${train.source} has no examples`, { file: train.source });
  const multiLabel = train.multiLabel;
  const labels = [...train.labels];
  if (labels.length < 2) {
    throw new TextkitError(
      "DATA_SINGLE_CLASS",
      `${train.source} has only the label '${labels[0]}': a classifier needs two`,
      {
        file: train.source,
      },
    );
  }
  const ova = options.loss === "ova";
  const lookup = labelIndex(labels);

  // Vocabulary and features
  const probe = new Featurizer(options, []);
  const tokenLists = train.examples.map((e) => probe.modelTokens(e.text));
  let words = buildVocabulary(tokenLists, options.minCount);
  let pretrained: { words: string[]; vectors: Float32Array; dim: number } | null = null;
  if (options.pretrainedVectors !== null) {
    pretrained = await readVecFile(options.pretrainedVectors);
    if (pretrained.dim !== options.dim) {
      throw new TextkitError(
        "OPTION_INVALID",
        `the pretrained vectors have dimension ${pretrained.dim}; pass --dim ${pretrained.dim} (option dim) to use them`,
        { file: options.pretrainedVectors },
      );
    }
    // Words the labelled data lacks but the unlabelled text knew keep their meaning at prediction time.
    const known = new Set(words);
    const extra: string[] = [];
    for (const w of pretrained.words) {
      const key = probe.normalize(w);
      if (!known.has(key)) {
        known.add(key);
        extra.push(key);
      }
    }
    words = words.concat(extra);
  }
  const featurizer = new Featurizer(options, words, [], false);
  const pieces = chunked(tokenLists, options.chunkTokens);
  const encoded = encode(featurizer, pieces.tokenLists);
  featurizer.freeze();

  // Weights
  const rng = new Random(options.seed);
  const dim = options.dim;
  const input = new Float32Array(featurizer.rows * dim);
  for (let i = 0; i < input.length; i++) input[i] = rng.uniform(-1 / dim, 1 / dim);
  if (pretrained !== null) {
    for (let i = 0; i < pretrained.words.length; i++) {
      const id = featurizer.wordId(probe.normalize(pretrained.words[i]!));
      if (id >= 0) input.set(pretrained.vectors.subarray(i * dim, (i + 1) * dim), id * dim);
    }
  }
  const weights: Weights = {
    dim,
    labels: labels.length,
    input,
    output: new Float32Array(labels.length * dim),
  };

  // Targets, flat: one per training piece (a whole text unless chunkTokens splits it)
  const n = pieces.tokenLists.length;
  const targetOffsets = new Int32Array(n + 1);
  const targetIds: number[] = [];
  for (let i = 0; i < n; i++) {
    for (const l of train.examples[pieces.source[i]!]!.labels) targetIds.push(lookup.get(l)!);
    targetOffsets[i + 1] = targetIds.length;
  }

  const model = new TextClassifier(options, labels, multiLabel, featurizer, weights, null);
  const scratch = newScratch(dim, labels.length);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const log = new EpochLog<{ input: Float32Array; output: Float32Array }>(options, hooks);
  const useDev = dev !== undefined && dev.examples.length > 0;
  const total = n * options.epochs;
  let done = 0;
  let lastReport = performance.now();
  let windowLoss = 0;
  let windowCount = 0;
  let tokensDone = 0;

  for (let epoch = 1; epoch <= options.epochs; epoch++) {
    const epochStart = performance.now();
    rng.shuffle(order);
    let epochLoss = 0;
    for (let step = 0; step < n; step++) {
      const i = order[step]!;
      const lr = options.lr * (1 - done / total);
      const target = scratch.target;
      target.fill(0);
      const ts = targetOffsets[i]!;
      const te = targetOffsets[i + 1]!;
      const share = ova ? 1 : 1 / (te - ts);
      for (let t = ts; t < te; t++) target[targetIds[t]!] = share;
      const loss = sgdStep(
        weights,
        scratch,
        encoded.feats,
        encoded.offsets[i]!,
        encoded.offsets[i + 1]!,
        lr,
        ova,
      );
      epochLoss += loss;
      windowLoss += loss;
      windowCount++;
      done++;
      tokensDone += encoded.tokenCounts[i]!;
      if ((step & 255) === 255) {
        const now = performance.now();
        if (now - lastReport > 200) {
          lastReport = now;
          const seconds = (now - t0) / 1000;
          hooks.onProgress?.({
            epoch,
            epochs: options.epochs,
            progress: done / total,
            loss: windowLoss / windowCount,
            learningRate: lr,
            speed: tokensDone / seconds,
            unit: "tokens",
            etaSeconds: (seconds / done) * (total - done),
          });
          windowLoss = 0;
          windowCount = 0;
        }
        if (hooks.shouldStop?.() === true) break;
      }
    }
    const summary: EpochSummary = {
      epoch,
      trainLoss: epochLoss / n,
      seconds: (performance.now() - epochStart) / 1000,
    };
    model.weightsChanged();
    if (useDev) summary.dev = devMetrics(model, dev);
    const devMetric = useDev
      ? multiLabel
        ? (summary.dev!["microF1"] ?? 0)
        : summary.dev!["accuracy"]!
      : undefined;
    const snapshot = () => ({ input: weights.input.slice(), output: weights.output.slice() });
    if (log.end(summary, devMetric, snapshot)) break;
  }
  log.restoreBest((best) => {
    weights.input.set(best.input);
    weights.output.set(best.output);
  });
  model.weightsChanged();
  log.finish(tokensDone / ((performance.now() - t0) / 1000), "tokens");

  const finishedAt = new Date();
  const final: Record<string, unknown> = {
    trainSeconds: (performance.now() - t0) / 1000,
    tokensPerSecond: tokensDone / ((performance.now() - t0) / 1000),
  };
  if (useDev) {
    const evaluation = model.evaluate(dev);
    final["dev"] = { accuracy: evaluation.accuracy, report: evaluation.report };
  }
  const record: RunRecord = {
    runId: newRunId(started, options.seed),
    family: CLASSIFIER_FAMILY,
    task: multiLabel ? "multilabel" : "multiclass",
    startedAt: started.toISOString(),
    finishedAt: finishedAt.toISOString(),
    seconds: (finishedAt.getTime() - started.getTime()) / 1000,
    options: { ...options },
    data: {
      train: {
        source: train.source,
        examples: train.examples.length,
        ...(options.chunkTokens > 0 ? { chunks: n } : {}),
        fingerprint: fingerprint(train),
      },
      ...(useDev ? { dev: { source: dev.source, examples: dev.examples.length } } : {}),
    },
    epochs: log.epochs,
    stoppedEarly: log.stoppedEarly,
    bestEpoch: log.bestEpoch,
    final,
  };
  return new TextClassifier(options, labels, multiLabel, featurizer, weights, record);
}

/**
 * Loads a model directory written by `save`, verifying its checksums, its options and that
 * its weights match its vocabulary and labels (ARTIFACT_CORRUPT otherwise).
 */
export async function loadClassifier(dir: string): Promise<TextClassifier> {
  const artifact = await readArtifact(dir, CLASSIFIER_FAMILY);
  const m = artifact.manifest;
  if (m.options["kind"] === ENCODER_HEAD_KIND) {
    throw new TextkitError(
      "HEAD_ENCODER_REQUIRED",
      `the classifier in ${dir} is a head on a pretrained encoder; load it with its encoder (loadEncoderClassifier, or --encoder DIR)`,
      { file: join(dir, "manifest.json") },
    );
  }
  const corrupt = (what: string, file = join(dir, "manifest.json")): TextkitError =>
    new TextkitError("ARTIFACT_CORRUPT", `the classifier in ${dir} ${what}`, { file });
  const quantized = m.options["quantized"];
  const options = artifactOptions(
    artifact,
    (stored) => resolveClassifierOptions(stored as Partial<ClassifierOptions>),
    ["quantized"],
  );
  if (typeof options.lowercase !== "boolean")
    throw corrupt("has a lowercase option that is not true or false");
  if (m.task !== "multiclass" && m.task !== "multilabel") throw corrupt(`has an unknown task '${m.task}'`);
  const labels = m.labels ?? [];
  if (labels.length === 0) throw corrupt("lists no labels");
  const record = runRecordOf(artifact.files);
  if (quantized !== undefined) {
    // Quantised weights are dequantised to Float32 here; the codes stay for a later save.
    const form = readQuantizedForm(artifact.files, quantized, options, labels.length, dir);
    return new TextClassifier(
      options,
      labels,
      m.task === "multilabel",
      form.featurizer,
      form.weights,
      record,
      form,
      options.loss === "hs" ? readHsCounts(artifact, labels.length, dir) : null,
    );
  }
  const wordsText = artifactFile(artifact, "words.txt").toString("utf8");
  const words = wordsText.length === 0 ? [] : wordsText.split("\n");
  if (new Set(words).size !== words.length) throw corrupt("lists a word twice", join(dir, "words.txt"));
  const buckets = artifactInts(artifact, "buckets.i32");
  const usesBuckets = options.wordNgrams > 1 || options.maxn > 0;
  const seen = new Set<number>();
  for (const bucket of buckets) {
    if (!usesBuckets || bucket < 0 || bucket >= options.buckets || seen.has(bucket)) {
      throw corrupt("has hash buckets that do not match its options", join(dir, "buckets.i32"));
    }
    seen.add(bucket);
  }
  const featurizer = new Featurizer(options, words, buckets);
  const hsCounts = options.loss === "hs" ? readHsCounts(artifact, labels.length, dir) : null;
  const input = artifactFloats(artifact, "input.f32");
  const output = artifactFloats(artifact, "output.f32");
  if (input.length !== featurizer.rows * options.dim || output.length !== labels.length * options.dim) {
    throw corrupt("has weights that do not match its vocabulary, labels and dim", dir);
  }
  return new TextClassifier(
    options,
    labels,
    m.task === "multilabel",
    featurizer,
    { dim: options.dim, labels: labels.length, input, output },
    record,
    null,
    hsCounts,
  );
}

/** The label counts that fix a hierarchical-softmax model's tree (hs-counts.json). */
function readHsCounts(artifact: Artifact, labels: number, dir: string): number[] {
  const file = join(dir, "hs-counts.json");
  let counts: unknown;
  try {
    counts = JSON.parse(artifactFile(artifact, "hs-counts.json").toString("utf8"));
  } catch (error) {
    if (error instanceof TextkitError) throw error;
    throw new TextkitError("ARTIFACT_CORRUPT", `${file} is not JSON`, { file });
  }
  const out: number[] = [];
  if (Array.isArray(counts)) {
    for (const c of counts) if (typeof c === "number" && Number.isFinite(c) && c >= 0) out.push(c);
  }
  if (!Array.isArray(counts) || out.length !== counts.length || out.length !== labels) {
    throw new TextkitError("ARTIFACT_CORRUPT", `${file} does not hold one count per label`, { file });
  }
  return out;
}
