/**
 * Training a head on a frozen encoder's sentence embeddings (issue 12): the texts are
 * embedded once, the head trains (or its settings are autotuned) on the cached vectors,
 * and with `ensemble` the n-gram classifier trains beside it, mixed by a weight chosen on dev.
 */
import { newRunId, type RunRecord, type SentenceEncoder, TextkitError } from "../../core/index.ts";
import type { Dataset } from "../../data/index.ts";
import { fingerprint } from "../../data/index.ts";
import { CLASSIFIER_FAMILY, type TextClassifier } from "./classifier.ts";
import {
  EncoderClassifier,
  type EncoderClassifierOptions,
  type EncoderHeadHooks,
  type EncoderReference,
  mixScores,
} from "./encoder-classifier.ts";
import { evaluateScores, type MixChoice, mixWeightOnDev, targetsOf } from "./encoder-scores.ts";
import { type HeadData, type HeadTrainResult, headScores, trainHead } from "./head.ts";
import { autotuneHead, type HeadAutotuneTrial } from "./head-autotune.ts";
import { ENCODER_HEAD_KIND, type HeadOptions, resolveHeadOptions } from "./head-options.ts";
import { trainClassifier } from "./ngram-training.ts";
import type { ClassifierOptions } from "./options.ts";
import { devRunPart } from "./run-confusion.ts";
import { checkTrainable } from "./train-checks.ts";

type Embedded = { vectors: Float32Array; truncated: number; cached: number };

async function embedAll(
  encoder: SentenceEncoder,
  dataset: Dataset,
  what: "train" | "dev",
  batchSize: number | undefined,
  hooks: EncoderHeadHooks,
): Promise<Embedded> {
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

/** The labels and head options of a training, checked before anything is embedded. */
function checkEncoderTraining(
  train: Dataset,
  options: EncoderClassifierOptions,
  useDev: boolean,
): { labels: string[]; headOptions: HeadOptions } {
  const labels = checkTrainable(train);
  const headOptions = resolveHeadOptions({ loss: train.multiLabel ? "ova" : "softmax", ...options.head });
  if (train.multiLabel && headOptions.loss === "softmax") {
    throw new TextkitError(
      "OPTION_INVALID",
      `${train.source} has texts with several labels; a head for them needs loss ova`,
      { file: train.source },
    );
  }
  if (options.ensemble !== undefined && options.ensemble !== false && !useDev) {
    throw new TextkitError(
      "OPTION_INVALID",
      "--ensemble chooses the mix of the two models on a dev set: give --dev (or --dev-split)",
    );
  }
  return { labels, headOptions };
}

/** The head trained with `headOptions`, or the best of an autotune's trials on dev. */
function fitHead(
  headTrain: HeadData,
  headDev: HeadData | undefined,
  dims: { dim: number; labels: number },
  headOptions: HeadOptions,
  options: EncoderClassifierOptions,
  hooks: EncoderHeadHooks,
): { result: HeadTrainResult; chosen: HeadOptions; tuned: HeadAutotuneTrial[] | null } {
  if (options.autotuneTrials === undefined || options.autotuneTrials <= 1) {
    const result = trainHead(headTrain, headDev, dims.dim, dims.labels, headOptions, hooks);
    return { result, chosen: headOptions, tuned: null };
  }
  if (headDev === undefined) {
    throw new TextkitError(
      "OPTION_INVALID",
      "autotuning a head scores its trials on a dev set: give --dev (or --split)",
    );
  }
  const search = autotuneHead(
    headTrain,
    headDev,
    dims.dim,
    dims.labels,
    headOptions,
    { trials: options.autotuneTrials, seed: headOptions.seed },
    hooks,
  );
  return { result: search.best, chosen: search.options, tuned: search.trials };
}

/** The n-gram model of an ensemble, trained on the same data, and the mix chosen on dev. */
async function trainEnsemble(
  data: { train: Dataset; dev: Dataset },
  ensemble: Partial<ClassifierOptions>,
  head: { result: HeadTrainResult; chosen: HeadOptions; devVectors: Float32Array },
  labels: readonly string[],
): Promise<{ ngram: TextClassifier; mix: MixChoice }> {
  const { chosen } = head;
  const ngram = await trainClassifier(data, { ...ensemble, loss: chosen.loss, seed: chosen.seed });
  if (ngram.labels.join("\n") !== labels.join("\n"))
    throw new TextkitError("INTERNAL", "the n-gram model's labels differ from the head's");
  const { dev } = data;
  const headDevScores = headScores(
    head.result.weights,
    head.devVectors,
    dev.examples.length,
    chosen.loss === "ova",
  );
  const mix = mixWeightOnDev(headDevScores, ngram, dev, labels, data.train.multiLabel);
  return { ngram, mix };
}

/** The run record of a finished training. */
function encoderRunRecord(
  model: EncoderClassifier,
  data: { train: Dataset; dev: Dataset | null },
  fit: { result: HeadTrainResult; started: Date },
  final: Record<string, unknown>,
): RunRecord {
  const { train, dev } = data;
  const { result, started } = fit;
  const finishedAt = new Date();
  return {
    runId: newRunId(started, model.headOptions.seed),
    family: CLASSIFIER_FAMILY,
    task: model.task,
    startedAt: started.toISOString(),
    finishedAt: finishedAt.toISOString(),
    seconds: (finishedAt.getTime() - started.getTime()) / 1000,
    options: {
      kind: ENCODER_HEAD_KIND,
      encoder: { id: model.encoderRef.id, checksum: model.encoderRef.checksum },
      head: { ...model.headOptions },
      ensemble: model.ngram !== null,
    },
    data: {
      train: { source: train.source, examples: train.examples.length, fingerprint: fingerprint(train) },
      ...(dev !== null ? { dev: { source: dev.source, examples: dev.examples.length } } : {}),
    },
    epochs: result.epochs,
    stoppedEarly: result.stoppedEarly,
    bestEpoch: result.bestEpoch,
    final,
  };
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
  const { train } = data;
  const dev = data.dev !== undefined && data.dev.examples.length > 0 ? data.dev : null;
  const { labels, headOptions } = checkEncoderTraining(train, options, dev !== null);
  const { encoder } = options;
  const trainVectors = await embedAll(encoder, train, "train", options.batchSize, hooks);
  const devVectors = dev === null ? null : await embedAll(encoder, dev, "dev", options.batchSize, hooks);
  const encodeSeconds = (performance.now() - t0) / 1000;
  const lookup = new Map(labels.map((l, i) => [l, i]));
  const headTrain = { vectors: trainVectors.vectors, targets: targetsOf(train, lookup) };
  const headDev =
    dev === null || devVectors === null
      ? undefined
      : { vectors: devVectors.vectors, targets: targetsOf(dev, lookup) };
  const dims = { dim: encoder.dim, labels: labels.length };
  const { result, chosen, tuned } = fitHead(headTrain, headDev, dims, headOptions, options, hooks);

  const final: Record<string, unknown> = {};
  const ensemble =
    options.ensemble !== undefined && options.ensemble !== false && dev !== null && devVectors !== null
      ? await trainEnsemble(
          { train, dev },
          options.ensemble,
          { result, chosen, devVectors: devVectors.vectors },
          labels,
        )
      : null;
  if (ensemble !== null) final["ensemble"] = ensemble.mix;
  const ref: EncoderReference = {
    id: encoder.id,
    checksum: encoder.checksum,
    dim: encoder.dim,
    path: options.encoderPath ?? null,
  };
  const fields = {
    labels,
    multiLabel: train.multiLabel,
    headOptions: chosen,
    encoder,
    encoderRef: ref,
    head: result.weights,
    ngram: ensemble?.ngram ?? null,
    headWeight: ensemble?.mix.weight ?? 1,
  };
  const model = new EncoderClassifier({ ...fields, runRecord: null });
  final["encoder"] = {
    id: encoder.id,
    seconds: encodeSeconds,
    truncated: trainVectors.truncated + (devVectors?.truncated ?? 0),
    cached: trainVectors.cached + (devVectors?.cached ?? 0),
  };
  if (tuned !== null) final["autotune"] = { trials: tuned };
  final["trainSeconds"] = (performance.now() - t0) / 1000;
  final["examplesPerSecond"] = result.examplesPerSecond;
  if (dev !== null && devVectors !== null) {
    const texts = dev.examples.map((e) => e.text);
    const scores = mixScores(model, devVectors.vectors, texts);
    final["dev"] = devRunPart(dev, evaluateScores(scores, labels, train.multiLabel, dev), labels);
  }
  const record = encoderRunRecord(model, { train, dev }, { result, started }, final);
  return new EncoderClassifier({ ...fields, runRecord: record });
}
