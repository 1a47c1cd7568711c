/**
 * Training a sequence tagger: features are hashed and mapped to rows once (encode.ts),
 * then a learner (learners.ts) passes over the sentences: the structured averaged
 * perceptron (perceptron.ts), which decodes each sentence with Viterbi over the allowed
 * transitions and corrects the weights where the path is wrong, or a CRF (crf.ts), by SGD
 * on the regularised log-likelihood; the dev set's entity F1 stops it early (epochs.ts); a
 * temperature is fitted last (calibrate.ts) so that entity scores are probabilities. Run
 * times, calibration included, go into the run record.
 */
import { createHash } from "node:crypto";
import type { TrainHooks } from "../../core/index.ts";
import { newRunId, type RunRecord, TextkitError } from "../../core/index.ts";
import type { TaggedDataset } from "../../data/index.ts";
import type { TextLanguage } from "../../text/index.ts";
import { fitCalibration } from "./calibrate.ts";
import { clustersFromUnlabelled, clustersFromVectors, readClusterFile } from "./clusters.ts";
import { encodeHeldOut, encodeTraining } from "./encode.ts";
import { type EpochResult, runEpochs } from "./epochs.ts";
import { FeatureTable } from "./feature-table.ts";
import { type FeatureResources, TaggerFeatures } from "./features.ts";
import { Gazetteer } from "./gazetteer.ts";
import { resolveTaggerOptions, type TaggerOptions } from "./options.ts";
import {
  SequenceTagger,
  TAGGER_FAMILY,
  TAGGER_TASK,
  type TaggerResourcesInput,
  type TaggerTrainingData,
  type TaggerWeights,
} from "./sequence-tagger.ts";
import { buildTagSet, tagIndex } from "./tag-set.ts";
import { trainingVectors, withTrainingVectors } from "./train-encoder.ts";

/**
 * Trains a tagger on tagged sentences, with early stopping on the dev set's entity F1.
 *
 * @example
 * const train = await loadTaggedDataset("train.conll");
 * const dev = await loadTaggedDataset("dev.conll");
 * const model = await trainTagger({ train, dev }, { epochs: 20, learner: "crf" });
 * model.predict(["Tim Cook visited Paris."]);
 */
export async function trainTagger(
  data: TaggerTrainingData,
  partialOptions: Partial<TaggerOptions> = {},
  hooks: TrainHooks = {},
): Promise<SequenceTagger> {
  const options = resolveTaggerOptions(partialOptions);
  const started = new Date();
  const t0 = performance.now();
  const { train, dev } = data;
  if (options.learner === "crf" && data.encoder !== undefined) {
    throw new TextkitError(
      "OPTION_INVALID",
      "the CRF learner does not take an encoder's word vectors yet: train on an encoder with the perceptron (leave --learner out)",
    );
  }
  checkTrainingData(train);
  const language: TextLanguage = options.language ?? train.language;
  const types = [...train.types];
  const tagSet = buildTagSet(types, options.encoding);
  const lookup = tagIndex(tagSet);
  const resources = await featureResources(options, data, language);
  const vectors = await trainingVectors(data, options, hooks);
  if (vectors !== null) resources.encoder = vectors.ref;
  const features = new TaggerFeatures(language, resources);
  const { encoded, table } = encodeTraining(
    train.sentences,
    features,
    lookup,
    options.encoding,
    options.minFeatureCount,
  );
  if (vectors !== null) encoded.dense = { vectors: vectors.train.flat, dim: vectors.dim };
  const heldOut =
    dev !== undefined && dev.sentences.length > 0
      ? { data: dev, encoded: encodeHeldOut(dev, features, table) }
      : null;
  if (heldOut !== null && vectors?.dev)
    heldOut.encoded.dense = { vectors: vectors.dev.flat, dim: vectors.dim };
  const run = runEpochs({ options, tagSet, encoded, rows: table.rows, heldOut, hooks, t0 });
  const pruned = pruneRows(table, run.weights, tagSet.tags.length);
  const trainedSeconds = (performance.now() - t0) / 1000;
  const record = runRecord(started, { ...options, language }, train, heldOut?.data, run, pruned.table.rows);
  const uncalibrated = new SequenceTagger(
    options,
    language,
    types,
    tagSet,
    pruned.table,
    pruned.weights,
    resources,
    record,
  );
  const fitData = heldOut?.data ?? train;
  const { seconds: calibrationSeconds, ...calibration } = withTrainingVectors(uncalibrated, vectors, () =>
    fitCalibration(uncalibrated, fitData, heldOut !== null ? "dev" : "train", lookup, hooks),
  );
  Object.assign(record.final, {
    trainSeconds: (performance.now() - t0) / 1000,
    epochSeconds: trainedSeconds,
    calibrationSeconds,
    tokensPerSecond: run.tokensDone / trainedSeconds,
    calibration,
  });
  const finishedAt = new Date();
  record.finishedAt = finishedAt.toISOString();
  record.seconds = (finishedAt.getTime() - started.getTime()) / 1000;
  const result = uncalibrated.withCalibration(calibration);
  if (data.encoder !== undefined) result.useEncoder(data.encoder);
  if (heldOut !== null) {
    const evaluation = withTrainingVectors(result, vectors, () => result.evaluate(heldOut.data));
    record.final["dev"] = { f1: evaluation.entities.micro.f1, report: evaluation.entities };
  }
  return result;
}

/** The run record of a training run (times and calibration are added by the caller). */
function runRecord(
  started: Date,
  options: TaggerOptions,
  train: TaggedDataset,
  dev: TaggedDataset | undefined,
  run: EpochResult,
  features: number,
): RunRecord {
  return {
    runId: newRunId(started, options.seed),
    family: TAGGER_FAMILY,
    task: TAGGER_TASK,
    startedAt: started.toISOString(),
    finishedAt: started.toISOString(),
    seconds: 0,
    options: { ...options },
    data: {
      train: {
        source: train.source,
        examples: train.sentences.length,
        fingerprint: taggedFingerprint(train),
      },
      ...(dev !== undefined ? { dev: { source: dev.source, examples: dev.sentences.length } } : {}),
    },
    epochs: run.log.epochs,
    stoppedEarly: run.log.stoppedEarly,
    bestEpoch: run.log.bestEpoch,
    final: { features, ...run.learner },
  };
}

function checkTrainingData(train: TaggedDataset): void {
  if (train.sentences.length === 0) {
    throw new TextkitError("DATA_EMPTY", `${train.source} has no sentences`, { file: train.source });
  }
  if (train.types.length === 0) {
    throw new TextkitError(
      "DATA_NO_LABEL",
      `${train.source} has no entities: a tagger needs examples of at least one entity type`,
      { file: train.source },
    );
  }
}

async function featureResources(
  options: TaggerOptions,
  inputs: TaggerResourcesInput,
  language: TextLanguage,
): Promise<FeatureResources> {
  return {
    gazetteer:
      inputs.gazetteer === undefined || inputs.gazetteer.length === 0
        ? null
        : new Gazetteer(inputs.gazetteer, language),
    clusters:
      options.clusters !== null
        ? await readClusterFile(options.clusters)
        : options.vectors !== null
          ? await clustersFromVectors(options.vectors, options.vectorClusters, options.seed)
          : options.unlabelled !== null
            ? await clustersFromUnlabelled(options.unlabelled, options.vectorClusters, options.seed, language)
            : null,
  };
}

/** Drops feature rows whose weights are all zero: they never changed a decision. */
function pruneRows(
  table: FeatureTable,
  weights: TaggerWeights,
  T: number,
): { table: FeatureTable; weights: TaggerWeights } {
  const keep: number[] = [];
  for (let r = 0; r < table.rows; r++) {
    const base = r * T;
    for (let t = 0; t < T; t++) {
      if (weights.emit[base + t] !== 0) {
        keep.push(r);
        break;
      }
    }
  }
  const keys = new Uint32Array(keep.length);
  const emit = new Float32Array(keep.length * T);
  for (let i = 0; i < keep.length; i++) {
    const r = keep[i]!;
    keys[i] = table.keys[r]!;
    emit.set(weights.emit.subarray(r * T, r * T + T), i * T);
  }
  return { table: new FeatureTable(keys), weights: { ...weights, emit } };
}

/** SHA-256 over tokens and tags: which data a model was trained on. */
function taggedFingerprint(dataset: TaggedDataset): string {
  const hash = createHash("sha256");
  for (const s of dataset.sentences) {
    hash.update(s.tokens.join("\u0001"));
    hash.update("\u0002");
    hash.update(s.tags.join("\u0001"));
    hash.update("\u0003");
  }
  return hash.digest("hex").slice(0, 16);
}
