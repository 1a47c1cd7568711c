import { bytesOf, type ManifestInput, saveModel, type TrainedModel } from "../../artifact/index.ts";
import { type RunRecord, runManifestFields, runRecordFiles } from "../../core/index.ts";
import type { Dataset } from "../../data/index.ts";
import { type ClassificationReport, classificationReport, topKAccuracy } from "../../eval/index.ts";
import type { TokenIdLists, TokenSink } from "../../text/index.ts";
import { RowDots } from "../numeric/index.ts";
import {
  averageRows,
  linearScores,
  newScratch,
  type Scratch,
  sigmoidInPlace,
  softmaxInPlace,
  type Weights,
} from "./engine.ts";
import type { Featurizer } from "./featurizer.ts";
import { buildHsTree, fastTextSigmoid, type HsTree, hsScores, hsTopK } from "./hs-tree.ts";
import type { ClassifierOptions } from "./options.ts";
import { type QuantizedForm, quantizedFiles } from "./quantized-format.ts";
import { SEGMENTER_FILE, segmenterFileBytes } from "./segmenter-file.ts";
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

  private scoreInto(text: string, out: Float64Array, k?: number): void {
    this.scoreTokensInto(this.featurizer.tokens(text), out, k);
  }

  /** With `k` below the number of labels, a hierarchical-softmax model scores only its k best. */
  private scoreTokensInto(tokens: readonly string[], out: Float64Array, k?: number): void {
    const s = this.scratch;
    if (this.featurizer.isFrozen) {
      this.tokenVectors.hidden(this.featurizer, tokens, s.hidden);
    } else {
      const feats = this.featScratch;
      feats.length = 0;
      this.featurizer.featuresOfTokens(tokens, feats, true);
      averageRows(this.weights, feats, 0, feats.length, s.hidden);
    }
    this.scoreHiddenInto(out, k);
  }

  /** The scores of the hidden vector in the scratch (see scoreTokensInto). */
  private scoreHiddenInto(out: Float64Array, k?: number): void {
    const s = this.scratch;
    if (this.hsTree !== null) {
      if (k !== undefined && k < this.labels.length)
        hsTopK(this.hsTree, this.weights.output, this.weights.dim, s.hidden, k, out);
      else hsScores(this.hsTree, this.weights.output, this.weights.dim, s.hidden, out);
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
    return this.predictEach(texts.length, (i, scores, k) => this.scoreInto(texts[i]!, scores, k), options);
  }

  /**
   * How this model turns text into tokens, as a key: two models with the same key tokenize
   * alike, so one `tokenize` can feed both models' `predictTokens`.
   */
  get tokenization(): string {
    const { normalization, lowercase } = this.options;
    const dictionary = this.featurizer.dictionary;
    const han = dictionary === null ? "" : ` dictionary:${dictionary.fingerprint}`;
    return `textkit-tokens/1 ${normalization} ${lowercase ? "lower" : "cased"}${han}`;
  }

  /** The tokens this model reads in `text` (normalised as the model was trained). */
  tokenize(text: string): string[] {
    return this.featurizer.tokens(text);
  }

  /** The tokens of `tokenize`, put into `sink` (a TokenIds' sink interns them without making strings). */
  tokenizeInto(text: string, sink: TokenSink): void {
    this.featurizer.tokensInto(text, sink);
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
      (i, scores, k) => this.scoreTokensInto(tokenLists[i]!, scores, k),
      options,
    );
  }

  /**
   * The best label and its score for each token list: what `predictTokens(tokenLists)` answers
   * as `labels[0]` and `scores[0]`, without a Prediction and its two arrays per text (the
   * monitor asks two models this of every document).
   *
   * @example
   * topic.topOfTokens([topic.tokenize("my card never arrived")]); // [{ label: "card_arrival", score: 0.93 }]
   */
  topOfTokens(tokenLists: readonly (readonly string[])[]): { label: string; score: number }[] {
    const n = this.labels.length;
    const scores = this.scratch.scores;
    const order = this.order;
    const out: { label: string; score: number }[] = new Array(tokenLists.length);
    for (let i = 0; i < tokenLists.length; i++) {
      const tokens = tokenLists[i];
      if (tokens === undefined) continue;
      this.scoreTokensInto(tokens, scores, 1);
      topKIndices(scores, n, 1, order);
      // With k = 1 and no threshold, predictEach keeps the first of the order whatever its score.
      const best = order[0] ?? 0;
      out[i] = { label: this.labels[best] ?? "", score: scores[best] ?? 0 };
    }
    return out;
  }

  /**
   * `topOfTokens` for token lists interned by a {@link TokenIds} (tokens of this model's
   * `tokenize`, or of a model with the same `tokenization`): list `j`'s best label index into
   * `best[j]` (an index into `labels`) and its score into `scores[j]`, the same answers
   * without an object per text; the ids let several models and the caller share one token
   * lookup per token.
   *
   * @example
   * const lists = new TokenIds().internAll([topic.tokenize("my card never arrived")]);
   * const best = new Int32Array(1);
   * const scores = new Float64Array(1);
   * topic.topOfIds(lists, best, scores);
   * topic.labels[best[0]]; // "card_arrival"
   */
  topOfIds(lists: TokenIdLists, best: Int32Array, scores: Float64Array): void {
    const n = this.labels.length;
    const out = this.scratch.scores;
    const order = this.order;
    const count = lists.starts.length - 1;
    const frozen = this.featurizer.isFrozen;
    for (let j = 0; j < count; j++) {
      if (frozen) {
        this.tokenVectors.hiddenOfIds(this.featurizer, lists, j, this.scratch.hidden);
        this.scoreHiddenInto(out, 1);
      } else this.scoreTokensInto(tokensOf(lists, j), out, 1);
      topKIndices(out, n, 1, order);
      // With k = 1 and no threshold, predictEach keeps the first of the order whatever its score.
      const top = order[0] ?? 0;
      best[j] = top;
      scores[j] = out[top] ?? 0;
    }
  }

  private predictEach(
    count: number,
    score: (i: number, scores: Float64Array, k: number) => void,
    options: PredictOptions,
  ): Prediction[] {
    const n = this.labels.length;
    const k = Math.max(1, Math.min(options.k ?? 1, n));
    const threshold = options.threshold ?? 0;
    const scores = this.scratch.scores;
    const order = this.order;
    const out: Prediction[] = new Array(count);
    for (let i = 0; i < count; i++) {
      score(i, scores, k);
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
    if (f.dictionary !== null) files[SEGMENTER_FILE] = segmenterFileBytes(f.dictionary);
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

/** The tokens of list `j` of `lists`. */
function tokensOf(lists: TokenIdLists, j: number): string[] {
  const from = lists.starts[j] ?? 0;
  const to = lists.starts[j + 1] ?? from;
  const out: string[] = [];
  for (let i = from; i < to; i++) out.push(lists.source.token(lists.ids[i] ?? 0));
  return out;
}
