/**
 * Training a sequence tagger: features are hashed and mapped to rows once (encode.ts),
 * then a structured averaged perceptron (perceptron.ts) decodes each training sentence
 * with Viterbi over the allowed transitions and corrects the weights where the path is
 * wrong; the dev set's entity F1 stops it early; a temperature is fitted last
 * (calibrate.ts) so that entity scores are probabilities. Run times, calibration
 * included, go into the run record.
 */
import { createHash } from "node:crypto";
import type { EpochSummary, TrainHooks } from "../../core/index.ts";
import { convertTags, newRunId, Random, type RunRecord, TextkitError } from "../../core/index.ts";
import type { TaggedDataset } from "../../data/index.ts";
import { type EntityReport, entityReport } from "../../eval/index.ts";
import type { TextLanguage } from "../../text/index.ts";
import { EpochLog } from "../../train/index.ts";
import { fitCalibration } from "./calibrate.ts";
import { clustersFromUnlabelled, clustersFromVectors, readClusterFile } from "./clusters.ts";
import { addEmissions, type EncodedSentences, encodeHeldOut, encodeTraining } from "./encode.ts";
import { FeatureTable } from "./feature-table.ts";
import { type FeatureResources, TaggerFeatures } from "./features.ts";
import { Gazetteer } from "./gazetteer.ts";
import { resolveTaggerOptions, type TaggerOptions } from "./options.ts";
import { AveragedPerceptron } from "./perceptron.ts";
import {
  SequenceTagger,
  TAGGER_FAMILY,
  TAGGER_TASK,
  type TaggerResourcesInput,
  type TaggerTrainingData,
  type TaggerWeights,
} from "./sequence-tagger.ts";
import { buildTagSet, type TagSet, tagIndex } from "./tag-set.ts";
import { trainingVectors, withTrainingVectors } from "./train-encoder.ts";
import { transitionBounds, ViterbiScratch, viterbi } from "./viterbi.ts";

/**
 * Trains a tagger on tagged sentences, with early stopping on the dev set's entity F1.
 *
 * @example
 * const train = await loadTaggedDataset("train.conll");
 * const dev = await loadTaggedDataset("dev.conll");
 * const model = await trainTagger({ train, dev }, { epochs: 20 });
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
  const useDev = dev !== undefined && dev.sentences.length > 0;
  const heldOut = useDev ? { data: dev, encoded: encodeHeldOut(dev, features, table) } : null;
  if (heldOut !== null && vectors?.dev)
    heldOut.encoded.dense = { vectors: vectors.dev.flat, dim: vectors.dim };
  const run = runEpochs({ options, tagSet, encoded, rows: table.rows, heldOut, hooks, t0 });
  const pruned = pruneRows(table, run.weights, tagSet.tags.length);
  const trainedSeconds = (performance.now() - t0) / 1000;
  const final: Record<string, unknown> = { features: pruned.table.rows };
  const record: RunRecord = {
    runId: newRunId(started, options.seed),
    family: TAGGER_FAMILY,
    task: TAGGER_TASK,
    startedAt: started.toISOString(),
    finishedAt: started.toISOString(),
    seconds: 0,
    options: { ...options, language },
    data: {
      train: {
        source: train.source,
        examples: train.sentences.length,
        fingerprint: taggedFingerprint(train),
      },
      ...(useDev ? { dev: { source: dev.source, examples: dev.sentences.length } } : {}),
    },
    epochs: run.log.epochs,
    stoppedEarly: run.log.stoppedEarly,
    bestEpoch: run.log.bestEpoch,
    final,
  };
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
  const { seconds: calibrationSeconds, ...calibration } = withTrainingVectors(uncalibrated, vectors, () =>
    fitCalibration(uncalibrated, useDev ? dev : train, useDev ? "dev" : "train", lookup, hooks),
  );
  const trainSeconds = (performance.now() - t0) / 1000;
  Object.assign(final, {
    trainSeconds,
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
  if (useDev) {
    const evaluation = withTrainingVectors(result, vectors, () => result.evaluate(dev));
    final["dev"] = { f1: evaluation.entities.micro.f1, report: evaluation.entities };
  }
  return result;
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

interface EpochRun {
  options: TaggerOptions;
  tagSet: TagSet;
  encoded: EncodedSentences;
  rows: number;
  heldOut: { data: TaggedDataset; encoded: Omit<EncodedSentences, "gold"> } | null;
  hooks: TrainHooks;
  t0: number;
}

/** The perceptron's epochs with progress reports and early stopping; the best averaged weights. */
function runEpochs(run: EpochRun): {
  weights: TaggerWeights;
  log: EpochLog<TaggerWeights>;
  tokensDone: number;
} {
  const { options, tagSet, encoded, hooks } = run;
  const { sentenceStart } = encoded;
  const count = sentenceStart.length - 1;
  const tokens = sentenceStart[count]!;
  const model = new AveragedPerceptron(run.rows, tagSet, encoded.dense?.dim ?? 0);
  const rng = new Random(options.seed);
  const order = new Int32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  const log = new EpochLog<TaggerWeights>(options, hooks);
  const decoder = new Decoder(tagSet);
  const total = tokens * options.epochs;
  let tokensDone = 0;
  let lastReport = performance.now();
  let windowErrors = 0;
  let windowTokens = 0;
  for (let epoch = 1; epoch <= options.epochs; epoch++) {
    const epochStart = performance.now();
    rng.shuffle(order);
    model.tightenBound();
    let epochErrors = 0;
    for (let step = 0; step < count; step++) {
      const s = order[step]!;
      const first = sentenceStart[s]!;
      const n = sentenceStart[s + 1]! - first;
      const path = decoder.decode(encoded, first, n, model.w, model.bound);
      const errors = model.step(encoded, first, n, path);
      epochErrors += errors;
      windowErrors += errors;
      windowTokens += n;
      tokensDone += n;
      if ((step & 63) !== 63) continue;
      const now = performance.now();
      if (now - lastReport > 200) {
        lastReport = now;
        const seconds = (now - run.t0) / 1000;
        hooks.onProgress?.({
          epoch,
          epochs: options.epochs,
          progress: tokensDone / total,
          loss: windowErrors / Math.max(1, windowTokens),
          learningRate: 1,
          speed: tokensDone / seconds,
          unit: "tokens",
          etaSeconds: (seconds / tokensDone) * (total - tokensDone),
        });
        windowErrors = 0;
        windowTokens = 0;
      }
      if (hooks.shouldStop?.() === true) break;
    }
    model.average();
    const summary: EpochSummary = {
      epoch,
      trainLoss: epochErrors / tokens,
      seconds: (performance.now() - epochStart) / 1000,
    };
    let devMetric: number | undefined;
    if (run.heldOut !== null) {
      const report = decoder.score(run.heldOut.data, run.heldOut.encoded, model.averaged);
      summary.dev = { f1: report.micro.f1, precision: report.micro.precision, recall: report.micro.recall };
      devMetric = report.micro.f1;
    }
    if (log.end(summary, devMetric, () => model.snapshot())) break;
  }
  log.restoreBest((best) => model.restore(best));
  log.finish(tokensDone / ((performance.now() - run.t0) / 1000), "tokens");
  return { weights: model.averaged, log, tokensDone };
}

/** Viterbi over encoded sentences, with its buffers. */
class Decoder {
  private readonly tagSet: TagSet;
  private readonly scratch = new ViterbiScratch();
  private emit = new Float64Array(0);
  private path = new Int32Array(0);

  constructor(tagSet: TagSet) {
    this.tagSet = tagSet;
  }

  /** The best path of tokens first..first+n (a view into a reused buffer). */
  decode(
    encoded: Omit<EncodedSentences, "gold">,
    first: number,
    n: number,
    w: TaggerWeights,
    bound: Float32Array,
  ): Int32Array {
    const T = this.tagSet.tags.length;
    if (this.emit.length < n * T) this.emit = new Float64Array(n * T * 2);
    if (this.path.length < n) this.path = new Int32Array(n * 2);
    addEmissions(encoded, first, n, w.emit, T, this.emit, w.dense);
    viterbi(this.tagSet, n, this.emit, w.trans, w.start, w.end, this.path, this.scratch, bound);
    return this.path;
  }

  /** Strict entity F1 of `w` on held-out sentences. */
  score(data: TaggedDataset, encoded: Omit<EncodedSentences, "gold">, w: TaggerWeights): EntityReport {
    const predictions: string[][] = [];
    const tags = this.tagSet.tags;
    const bound = transitionBounds(this.tagSet, w.trans);
    for (let s = 0; s + 1 < encoded.sentenceStart.length; s++) {
      const first = encoded.sentenceStart[s]!;
      const n = encoded.sentenceStart[s + 1]! - first;
      const path = this.decode(encoded, first, n, w, bound);
      const internal = Array.from(path.subarray(0, n), (t) => tags[t]!);
      predictions.push(this.tagSet.scheme === "bio" ? internal : convertTags(internal, "bioes", "bio"));
    }
    const truth = data.sentences.map((s) => s.tags);
    return entityReport(truth, predictions, { scheme: "bio", mode: "strict" });
  }
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
