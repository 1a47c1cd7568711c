/**
 * A classifier made of a head trained on a frozen pretrained encoder's sentence embeddings
 * (issue 12), optionally mixed with textkit's n-gram classifier (`ensemble`). It predicts
 * asynchronously, since the encoder runs a model; everything else (labels, evaluation,
 * artifact, run record) is the classifier's. The artifact names its encoder by checksum
 * and refuses another at load; `save(dir, { bundle })` carries the encoder's files too.
 */
import { join } from "node:path";
import {
  type ArtifactParts,
  artifactFloats,
  artifactOptions,
  bytesOf,
  readArtifact,
  readSealedManifest,
  writeArtifact,
} from "../../artifact/index.ts";
import {
  newRunId,
  type RunRecord,
  runManifestFields,
  runRecordFiles,
  runRecordOf,
  type SentenceEncoder,
  TextkitError,
  type TrainHooks,
} from "../../core/index.ts";
import type { Dataset } from "../../data/index.ts";
import { fingerprint } from "../../data/index.ts";
import {
  CLASSIFIER_FAMILY,
  type ClassifierEvaluation,
  type Prediction,
  type PredictOptions,
  type TextClassifier,
} from "./classifier.ts";
import { ENCODER_BUNDLE_PART, encoderBundleParts } from "./encoder-bundle.ts";
import { evaluateScores, mixWeightOnDev, rankScores, targetsOf } from "./encoder-scores.ts";
import { type HeadTrainResult, type HeadWeights, headLayout, headScores, trainHead } from "./head.ts";
import { autotuneHead, type HeadAutotuneTrial } from "./head-autotune.ts";
import { ENCODER_HEAD_KIND, type HeadOptions, resolveHeadOptions } from "./head-options.ts";
import { loadClassifier } from "./load-classifier.ts";
import { trainClassifier } from "./ngram-training.ts";
import type { ClassifierOptions } from "./options.ts";
import { confusionPart } from "./run-confusion.ts";

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

function mixScores(model: EncoderClassifier, vectors: Float32Array, texts: readonly string[]): Float32Array {
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

async function embedAll(
  encoder: SentenceEncoder,
  dataset: Dataset,
  what: "train" | "dev",
  batchSize: number | undefined,
  hooks: EncoderHeadHooks,
): Promise<{ vectors: Float32Array; truncated: number; cached: number }> {
  const texts = dataset.examples.map((e) => e.text);
  const out = await encoder.embed(texts, {
    ...(batchSize === undefined ? {} : { batchSize }),
    onProgress: (p) => hooks.onEncode?.({ what, ...p }),
  });
  if (out.dim !== encoder.dim || out.vectors.length !== texts.length * encoder.dim) {
    throw new TextkitError("INTERNAL", `the encoder ${encoder.id} returned vectors of the wrong shape`);
  }
  return out;
}

/**
 * Trains a head on the encoder's embeddings of the training texts (and, with `ensemble`,
 * the n-gram classifier beside it). Texts are embedded once (the encoder's cache keeps
 * them for the next run); the head trains with the options' seed, deterministically.
 *
 * @example
 * const encoder = await loadEncoder("models/minilm");
 * const model = await trainEncoderClassifier({ train, dev }, { encoder, head: { hidden: 256 } });
 * await model.predict(["what's my balance"], { k: 2 });
 */
export async function trainEncoderClassifier(
  data: { train: Dataset; dev?: Dataset },
  options: EncoderClassifierOptions,
  hooks: EncoderHeadHooks = {},
): Promise<EncoderClassifier> {
  const started = new Date();
  const t0 = performance.now();
  const { train, dev } = data;
  if (train.examples.length === 0)
    throw new TextkitError("DATA_EMPTY", `${train.source} has no examples`, { file: train.source });
  const labels = [...train.labels];
  if (labels.length < 2) {
    throw new TextkitError(
      "DATA_SINGLE_CLASS",
      `${train.source} has only the label '${labels[0]}': a classifier needs two`,
      { file: train.source },
    );
  }
  const multiLabel = train.multiLabel;
  const headOptions = resolveHeadOptions({ loss: multiLabel ? "ova" : "softmax", ...options.head });
  if (multiLabel && headOptions.loss === "softmax") {
    throw new TextkitError(
      "OPTION_INVALID",
      `${train.source} has texts with several labels; a head for them needs loss ova`,
      { file: train.source },
    );
  }
  const useDev = dev !== undefined && dev.examples.length > 0;
  if (options.ensemble !== undefined && options.ensemble !== false && !useDev) {
    throw new TextkitError(
      "OPTION_INVALID",
      "--ensemble chooses the mix of the two models on a dev set: give --dev (or --dev-split)",
    );
  }
  const { encoder } = options;
  const trainVectors = await embedAll(encoder, train, "train", options.batchSize, hooks);
  const devVectors = useDev ? await embedAll(encoder, dev, "dev", options.batchSize, hooks) : null;
  const encodeSeconds = (performance.now() - t0) / 1000;
  const lookup = new Map(labels.map((l, i) => [l, i]));
  const headTrain = { vectors: trainVectors.vectors, targets: targetsOf(train, lookup) };
  const headDev =
    devVectors === null || !useDev
      ? undefined
      : { vectors: devVectors.vectors, targets: targetsOf(dev, lookup) };
  let result: HeadTrainResult;
  let tuned: HeadAutotuneTrial[] | null = null;
  let chosen = headOptions;
  if (options.autotuneTrials !== undefined && options.autotuneTrials > 1) {
    if (headDev === undefined) {
      throw new TextkitError(
        "OPTION_INVALID",
        "autotuning a head scores its trials on a dev set: give --dev (or --split)",
      );
    }
    const search = autotuneHead(
      headTrain,
      headDev,
      encoder.dim,
      labels.length,
      headOptions,
      { trials: options.autotuneTrials, seed: headOptions.seed },
      hooks,
    );
    result = search.best;
    chosen = search.options;
    tuned = search.trials;
  } else {
    result = trainHead(headTrain, headDev, encoder.dim, labels.length, headOptions, hooks);
  }

  let ngram: TextClassifier | null = null;
  let headWeight = 1;
  const final: Record<string, unknown> = {};
  if (options.ensemble !== undefined && options.ensemble !== false && useDev && devVectors !== null) {
    ngram = await trainClassifier(
      { train, dev },
      { ...options.ensemble, loss: chosen.loss, seed: chosen.seed },
    );
    if (ngram.labels.join("\n") !== labels.join("\n"))
      throw new TextkitError("INTERNAL", "the n-gram model's labels differ from the head's");
    const headDevScores = headScores(
      result.weights,
      devVectors.vectors,
      dev.examples.length,
      chosen.loss === "ova",
    );
    const mix = mixWeightOnDev(headDevScores, ngram, dev, labels, multiLabel);
    headWeight = mix.weight;
    final["ensemble"] = mix;
  }
  const ref: EncoderReference = {
    id: encoder.id,
    checksum: encoder.checksum,
    dim: encoder.dim,
    path: options.encoderPath ?? null,
  };
  const model = new EncoderClassifier({
    labels,
    multiLabel,
    headOptions: chosen,
    encoder,
    encoderRef: ref,
    head: result.weights,
    ngram,
    headWeight,
    runRecord: null,
  });
  final["encoder"] = {
    id: encoder.id,
    seconds: encodeSeconds,
    truncated: trainVectors.truncated + (devVectors?.truncated ?? 0),
    cached: trainVectors.cached + (devVectors?.cached ?? 0),
  };
  if (tuned !== null) final["autotune"] = { trials: tuned };
  final["trainSeconds"] = (performance.now() - t0) / 1000;
  final["examplesPerSecond"] = result.examplesPerSecond;
  if (useDev && devVectors !== null) {
    const scores = mixScores(
      model,
      devVectors.vectors,
      dev.examples.map((e) => e.text),
    );
    const evaluation = evaluateScores(scores, labels, multiLabel, dev);
    final["dev"] = {
      accuracy: evaluation.accuracy,
      report: evaluation.report,
      ...confusionPart(dev, evaluation.predictions, labels),
    };
  }
  const finishedAt = new Date();
  const record: RunRecord = {
    runId: newRunId(started, chosen.seed),
    family: CLASSIFIER_FAMILY,
    task: multiLabel ? "multilabel" : "multiclass",
    startedAt: started.toISOString(),
    finishedAt: finishedAt.toISOString(),
    seconds: (finishedAt.getTime() - started.getTime()) / 1000,
    options: {
      kind: ENCODER_HEAD_KIND,
      encoder: { id: ref.id, checksum: ref.checksum },
      head: { ...chosen },
      ensemble: ngram !== null,
    },
    data: {
      train: { source: train.source, examples: train.examples.length, fingerprint: fingerprint(train) },
      ...(useDev ? { dev: { source: dev.source, examples: dev.examples.length } } : {}),
    },
    epochs: result.epochs,
    stoppedEarly: result.stoppedEarly,
    bestEpoch: result.bestEpoch,
    final,
  };
  return new EncoderClassifier({
    labels,
    multiLabel,
    headOptions: chosen,
    encoder,
    encoderRef: ref,
    head: result.weights,
    ngram,
    headWeight,
    runRecord: record,
  });
}

/**
 * How the classifier artifact in `dir` names its encoder, and whether it carries it; null
 * for an n-gram classifier (or another family).
 */
export async function encoderHeadOf(
  dir: string,
): Promise<{ encoder: EncoderReference; bundled: boolean } | null> {
  const manifest = await readSealedManifest(dir);
  if (manifest.family !== CLASSIFIER_FAMILY || manifest.options["kind"] !== ENCODER_HEAD_KIND) return null;
  return {
    encoder: encoderReferenceOf(manifest.options, dir),
    bundled: manifest.options["bundled"] === true,
  };
}

function encoderReferenceOf(options: Record<string, unknown>, dir: string): EncoderReference {
  const e = options["encoder"];
  const file = join(dir, "manifest.json");
  if (e === null || typeof e !== "object")
    throw new TextkitError("ARTIFACT_CORRUPT", `the classifier in ${dir} does not name its encoder`, {
      file,
    });
  const id = Reflect.get(e, "id");
  const checksum = Reflect.get(e, "checksum");
  const dim = Reflect.get(e, "dim");
  const path = Reflect.get(e, "path");
  if (
    typeof id !== "string" ||
    typeof checksum !== "string" ||
    typeof dim !== "number" ||
    !Number.isInteger(dim) ||
    dim < 1 ||
    (path !== null && typeof path !== "string")
  ) {
    throw new TextkitError("ARTIFACT_CORRUPT", `the classifier in ${dir} names its encoder wrongly`, {
      file,
      details: { field: "options.encoder" },
    });
  }
  return { id, checksum, dim, path };
}

/**
 * Loads an encoder-head classifier written by `save`, on `encoder`, which must be the one
 * it was trained on (ENCODER_CHANGED otherwise: same checksum, hence same weights,
 * tokenizer and pooling).
 */
export async function loadEncoderClassifier(
  dir: string,
  encoder: SentenceEncoder,
): Promise<EncoderClassifier> {
  const artifact = await readArtifact(dir, CLASSIFIER_FAMILY);
  const m = artifact.manifest;
  const corrupt = (what: string): TextkitError =>
    new TextkitError("ARTIFACT_CORRUPT", `the classifier in ${dir} ${what}`, {
      file: join(dir, "manifest.json"),
    });
  if (m.options["kind"] !== ENCODER_HEAD_KIND)
    throw corrupt("is not a head on an encoder; load it with loadClassifier");
  const ref = encoderReferenceOf(m.options, dir);
  if (encoder.checksum !== ref.checksum) {
    throw new TextkitError(
      "ENCODER_CHANGED",
      `the classifier in ${dir} was trained on the encoder ${ref.id} (checksum ${ref.checksum.slice(0, 12)}); the encoder given is ${encoder.id}`,
      { file: join(dir, "manifest.json") },
    );
  }
  const headOptions = artifactOptions(
    { ...artifact, manifest: { ...m, options: objectOf(m.options["head"]) } },
    (stored) => resolveHeadOptions(stored as Partial<HeadOptions>),
  );
  const headWeight = m.options["headWeight"];
  if (typeof headWeight !== "number" || !(headWeight >= 0 && headWeight <= 1))
    throw corrupt("has a head weight outside 0..1");
  if (m.task !== "multiclass" && m.task !== "multilabel") throw corrupt(`has an unknown task '${m.task}'`);
  const labels = m.labels ?? [];
  if (labels.length < 2) throw corrupt("lists fewer than two labels");
  const params = artifactFloats(artifact, "head.f32");
  const mean = artifactFloats(artifact, "mean.f32");
  const invStd = artifactFloats(artifact, "inv-std.f32");
  const layout = headLayout(ref.dim, headOptions.hidden, labels.length);
  if (
    params.length !== layout.size ||
    mean.length !== ref.dim ||
    invStd.length !== ref.dim ||
    encoder.dim !== ref.dim
  ) {
    throw corrupt("has weights that do not match its encoder's dimension and its labels");
  }
  const ngram = headWeight < 1 ? await loadClassifier(join(dir, "ngram")) : null;
  if (ngram !== null && ngram.labels.join("\n") !== labels.join("\n"))
    throw corrupt("has an n-gram part with other labels");
  return new EncoderClassifier({
    labels,
    multiLabel: m.task === "multilabel",
    headOptions,
    encoder,
    encoderRef: ref,
    head: { dim: ref.dim, hidden: headOptions.hidden, labels: labels.length, mean, invStd, params },
    ngram,
    headWeight,
    runRecord: runRecordOf(artifact.files),
  });
}

function objectOf(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value)
    ? Object.fromEntries(Object.entries(value))
    : {};
}
