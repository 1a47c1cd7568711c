/**
 * A classifier made of a head trained on a frozen pretrained encoder's sentence embeddings
 * (issue 12), optionally mixed with textkit's n-gram classifier (`ensemble`). It predicts
 * asynchronously, since the encoder runs a model; everything else (labels, evaluation,
 * artifact, run record) is the classifier's. The artifact names its encoder by checksum
 * and refuses another at load; `save(dir, { bundle })` carries the encoder's files too.
 */
import { type ArtifactParts, bytesOf, writeArtifact } from "../../artifact/index.ts";
import {
  type RunRecord,
  runManifestFields,
  runRecordFiles,
  type SentenceEncoder,
  TextkitError,
  type TrainHooks,
} from "../../core/index.ts";
import type { Dataset } from "../../data/index.ts";
import {
  CLASSIFIER_FAMILY,
  type ClassifierEvaluation,
  type Prediction,
  type PredictOptions,
  type TextClassifier,
} from "./classifier.ts";
import { ENCODER_BUNDLE_PART, encoderBundleParts } from "./encoder-bundle.ts";
import { evaluateScores, rankScores } from "./encoder-scores.ts";
import { type HeadWeights, headScores } from "./head.ts";
import { ENCODER_HEAD_KIND, type HeadOptions } from "./head-options.ts";
import type { ClassifierOptions } from "./options.ts";

/** How an artifact names the encoder its head was trained on. */
export interface EncoderReference {
  id: string;
  checksum: string;
  dim: number;
  /** The folder it was loaded from at training time (a hint for loaders; the checksum decides). */
  path: string | null;
}

export interface EncoderClassifierOptions {
  encoder: SentenceEncoder;
  /** The encoder's folder: recorded in the artifact, and what `save(dir, { bundle: true })` copies. */
  encoderPath?: string;
  head?: Partial<HeadOptions>;
  /** Also train the n-gram classifier (with these options) and mix the two; the weight is chosen on dev. */
  ensemble?: Partial<ClassifierOptions> | false;
  /** Texts per encoder batch. */
  batchSize?: number;
  /** Search the head's settings on dev over this many trials (the classifier's autotune, on the cached embeddings). */
  autotuneTrials?: number;
}

/** Training hooks, plus the encoder's progress while it embeds the training and dev texts. */
export interface EncoderHeadHooks extends TrainHooks {
  onEncode?: (progress: { what: "train" | "dev"; done: number; total: number }) => void;
}

/**
 * A trained head on an encoder. Create one with `trainEncoderClassifier` (or
 * `trainClassifier(data, { encoder })`) or `loadEncoderClassifier`; immutable after that.
 */
export class EncoderClassifier {
  readonly kind = ENCODER_HEAD_KIND;
  readonly labels: readonly string[];
  readonly multiLabel: boolean;
  readonly headOptions: HeadOptions;
  readonly encoder: SentenceEncoder;
  readonly encoderRef: EncoderReference;
  /** @internal */
  readonly head: HeadWeights;
  /** The n-gram model of an ensemble, and the head's share of the mixed scores (1 = head alone). */
  readonly ngram: TextClassifier | null;
  readonly headWeight: number;
  readonly runRecord: RunRecord | null;

  constructor(fields: {
    labels: readonly string[];
    multiLabel: boolean;
    headOptions: HeadOptions;
    encoder: SentenceEncoder;
    encoderRef: EncoderReference;
    head: HeadWeights;
    ngram: TextClassifier | null;
    headWeight: number;
    runRecord: RunRecord | null;
  }) {
    this.labels = fields.labels;
    this.multiLabel = fields.multiLabel;
    this.headOptions = fields.headOptions;
    this.encoder = fields.encoder;
    this.encoderRef = fields.encoderRef;
    this.head = fields.head;
    this.ngram = fields.ngram;
    this.headWeight = fields.headWeight;
    this.runRecord = fields.runRecord;
  }

  get task(): "multiclass" | "multilabel" {
    return this.multiLabel ? "multilabel" : "multiclass";
  }

  /** Scores of every label for each text, row-major (`texts.length × labels.length`). */
  async scores(texts: readonly string[]): Promise<Float32Array> {
    const { vectors } = await this.encoder.embed(texts);
    return mixScores(this, vectors, texts);
  }

  /**
   * Top-k labels with scores for each text: the same shapes as `TextClassifier.predict`.
   *
   * @example
   * const [p] = await model.predict(["where is my card"], { k: 3 });
   */
  async predict(texts: readonly string[], options: PredictOptions = {}): Promise<Prediction[]> {
    return rankScores(await this.scores(texts), this.labels, this.multiLabel, options);
  }

  /** Scores the model on labelled data, as `TextClassifier.evaluate` does. */
  async evaluate(dataset: Dataset): Promise<ClassifierEvaluation> {
    const scores = await this.scores(dataset.examples.map((e) => e.text));
    return evaluateScores(scores, this.labels, this.multiLabel, dataset);
  }

  /**
   * Writes the model directory atomically. With `bundle`, the encoder's folder (the
   * `encoderPath` it was trained with, or the folder given) is carried inside it.
   */
  async save(dir: string, options: { bundle?: boolean | string } = {}): Promise<void> {
    const { manifest, files, parts } = await this.artifactParts(options);
    await writeArtifact(dir, manifest, files, parts);
  }

  /** @internal What `save` writes. */
  async artifactParts(
    options: { bundle?: boolean | string } = {},
  ): Promise<ArtifactParts & { parts: Record<string, ArtifactParts> }> {
    const parts: Record<string, ArtifactParts> = {};
    if (this.ngram !== null) parts["ngram"] = this.ngram.artifactParts();
    const bundleFrom =
      typeof options.bundle === "string"
        ? options.bundle
        : options.bundle === true
          ? this.encoderRef.path
          : null;
    if (options.bundle !== undefined && options.bundle !== false) {
      if (bundleFrom === null) {
        throw new TextkitError(
          "OPTION_INVALID",
          "--bundle needs the encoder's folder; this model does not know where it was loaded from",
        );
      }
      parts[ENCODER_BUNDLE_PART] = await encoderBundleParts(
        bundleFrom,
        this.encoderRef.checksum,
        this.encoderRef.id,
      );
    }
    const files: Record<string, Uint8Array> = {
      "head.f32": bytesOf(this.head.params),
      "mean.f32": bytesOf(this.head.mean),
      "inv-std.f32": bytesOf(this.head.invStd),
      ...runRecordFiles(this.runRecord),
    };
    return {
      manifest: {
        family: CLASSIFIER_FAMILY,
        task: this.task,
        labels: [...this.labels],
        options: {
          kind: ENCODER_HEAD_KIND,
          encoder: { ...this.encoderRef },
          head: { ...this.headOptions },
          headWeight: this.headWeight,
          bundled: parts[ENCODER_BUNDLE_PART] !== undefined,
        },
        ...runManifestFields(this.runRecord),
      },
      files,
      parts,
    };
  }
}

/** @internal The head's scores of embedded texts, mixed with the n-gram model's in an ensemble. */
export function mixScores(
  model: EncoderClassifier,
  vectors: Float32Array,
  texts: readonly string[],
): Float32Array {
  const ova = model.headOptions.loss === "ova";
  const scores = headScores(model.head, vectors, texts.length, ova);
  const ngram = model.ngram;
  if (ngram === null || model.headWeight === 1) return scores;
  const n = model.labels.length;
  const w = model.headWeight;
  for (let i = 0; i < texts.length; i++) {
    const other = ngram.scoresOf(texts[i]!);
    for (let l = 0; l < n; l++) scores[i * n + l] = w * scores[i * n + l]! + (1 - w) * other[l]!;
  }
  return scores;
}
