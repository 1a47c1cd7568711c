import type { EpochSummary, TrainHooks } from "../../core/index.ts";
import { newRunId, Random, type RunRecord, TextkitError } from "../../core/index.ts";
import type { Dataset } from "../../data/index.ts";
import { fingerprint, readVecFile } from "../../data/index.ts";
import { DictionarySegmenter } from "../../text/index.ts";
import { EpochLog } from "../../train/index.ts";
import { OutputStep } from "../numeric/index.ts";
import { CLASSIFIER_FAMILY, TextClassifier, type TrainingData } from "./classifier.ts";
import { newScratch, type Scratch, sgdStep, sgdStepSimd, type Weights } from "./engine.ts";
import { Featurizer } from "./featurizer.ts";
import { type ClassifierOptions, resolveClassifierOptions } from "./options.ts";
import { devRunPart } from "./run-confusion.ts";
import { checkTrainable } from "./train-checks.ts";

/** Feature rows of many texts, flat. */
interface EncodedSet {
  feats: Int32Array;
  offsets: Int32Array;
  /** Tokens per text (the unit of training speed, as in fastText's words/sec). */
  tokenCounts: Int32Array;
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

type Pretrained = { words: string[]; vectors: Float32Array; dim: number };

/** The pretrained vectors of `options`, checked against its dim; null when none are named. */
async function readPretrained(options: ClassifierOptions): Promise<Pretrained | null> {
  if (options.pretrainedVectors === null) return null;
  const pretrained = await readVecFile(options.pretrainedVectors);
  if (pretrained.dim !== options.dim) {
    throw new TextkitError(
      "OPTION_INVALID",
      `the pretrained vectors have dimension ${pretrained.dim}; pass --dim ${pretrained.dim} (option dim) to use them`,
      { file: options.pretrainedVectors },
    );
  }
  return pretrained;
}

/** `words` followed by the pretrained words it lacks (normalized), first appearance kept. */
function withPretrainedWords(words: string[], pretrained: Pretrained, probe: Featurizer): string[] {
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
  return words.concat(extra);
}

/** The featurizer, frozen, and the encoded training pieces. */
interface Features {
  featurizer: Featurizer;
  pieces: { tokenLists: readonly string[][]; source: Int32Array };
  encoded: EncodedSet;
}

function buildFeatures(
  options: ClassifierOptions,
  train: Dataset,
  probe: Featurizer,
  pretrained: Pretrained | null,
): Features {
  let tokenLists = train.examples.map((e) => probe.modelTokens(e.text));
  const dictionary =
    options.segmenter === "dictionary" && options.compat === "textkit"
      ? DictionarySegmenter.fromTokens(tokenLists)
      : null;
  if (dictionary !== null) {
    // Train on the words prediction will see: the dictionary's split, not Intl.Segmenter's.
    const reader = new Featurizer(options, [], [], true, dictionary);
    tokenLists = train.examples.map((e) => reader.modelTokens(e.text));
  }
  let words = buildVocabulary(tokenLists, options.minCount);
  if (pretrained !== null) words = withPretrainedWords(words, pretrained, probe);
  const featurizer = new Featurizer(options, words, [], false, dictionary);
  const pieces = chunked(tokenLists, options.chunkTokens);
  const encoded = encode(featurizer, pieces.tokenLists);
  featurizer.freeze();
  return { featurizer, pieces, encoded };
}

/** Random input rows (pretrained rows copied in where the word is known), zero output rows. */
function initialWeights(
  options: ClassifierOptions,
  featurizer: Featurizer,
  labelCount: number,
  rng: Random,
  pretrained: Pretrained | null,
  probe: Featurizer,
): Weights {
  const dim = options.dim;
  const input = new Float32Array(featurizer.rows * dim);
  for (let i = 0; i < input.length; i++) input[i] = rng.uniform(-1 / dim, 1 / dim);
  if (pretrained !== null) {
    for (const [i, word] of pretrained.words.entries()) {
      const id = featurizer.wordId(probe.normalize(word));
      if (id >= 0) input.set(pretrained.vectors.subarray(i * dim, (i + 1) * dim), id * dim);
    }
  }
  return { dim, labels: labelCount, input, output: new Float32Array(labelCount * dim) };
}

/** Label ids per training piece, flat: piece i's are ids[offsets[i]..offsets[i + 1]). */
interface Targets {
  offsets: Int32Array;
  ids: Int32Array;
}

function flatTargets(train: Dataset, source: Int32Array, labels: readonly string[]): Targets {
  const lookup = labelIndex(labels);
  const offsets = new Int32Array(source.length + 1);
  const ids: number[] = [];
  for (const [i, from] of source.entries()) {
    for (const l of train.examples[from]?.labels ?? []) ids.push(lookup.get(l) ?? 0);
    offsets[i + 1] = ids.length;
  }
  return { offsets, ids: Int32Array.from(ids) };
}

/** The input rows for {@link OutputStep.of}: all of them, and the most features a piece lists. */
function inputRows(weights: Weights, encoded: EncodedSet): { rows: number; maxIds: number } {
  let maxIds = 0;
  let previous = 0;
  for (const offset of encoded.offsets) {
    maxIds = Math.max(maxIds, offset - previous);
    previous = offset;
  }
  return { rows: weights.input.length / weights.dim, maxIds };
}

/** What one epoch needs, and the progress counters that run across epochs. */
interface EpochRun {
  options: ClassifierOptions;
  hooks: TrainHooks;
  weights: Weights;
  scratch: Scratch;
  /**
   * The step in WebAssembly SIMD, holding the output matrix (and the input rows when its
   * inputRows > 0) while an epoch runs, stored back into `weights` at the end of each; null:
   * the scalar step.
   */
  step: OutputStep | null;
  encoded: EncodedSet;
  targets: Targets;
  order: Int32Array;
  ova: boolean;
  t0: number;
  total: number;
  done: number;
  tokensDone: number;
  lastReport: number;
  windowLoss: number;
  windowCount: number;
}

/** One shuffled pass of SGD steps; returns the summed loss. Stops early when the hooks ask. */
function runEpoch(run: EpochRun, epoch: number, rng: Random): number {
  const { options, hooks, weights, scratch, step: kernel, encoded, targets, order, ova, t0, total } = run;
  const n = order.length;
  const target = scratch.target;
  let { done, tokensDone, lastReport, windowLoss, windowCount } = run;
  rng.shuffle(order);
  let epochLoss = 0;
  for (let step = 0; step < n; step++) {
    const i = order[step] ?? 0; // step < n = order.length
    const lr = options.lr * (1 - done / total);
    target.fill(0);
    const ts = targets.offsets[i] ?? 0;
    const te = targets.offsets[i + 1] ?? 0;
    const share = ova ? 1 : 1 / (te - ts);
    for (let t = ts; t < te; t++) target[targets.ids[t] ?? 0] = share;
    const start = encoded.offsets[i] ?? 0;
    const end = encoded.offsets[i + 1] ?? 0;
    const loss =
      kernel === null
        ? sgdStep(weights, scratch, encoded.feats, start, end, lr, ova)
        : sgdStepSimd(weights, scratch, kernel, encoded.feats, start, end, lr, ova);
    epochLoss += loss;
    windowLoss += loss;
    windowCount++;
    done++;
    tokensDone += encoded.tokenCounts[i] ?? 0;
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
  Object.assign(run, { done, tokensDone, lastReport, windowLoss, windowCount });
  kernel?.store(weights.output);
  if (kernel !== null && kernel.inputRows > 0) kernel.storeInput(weights.input);
  return epochLoss;
}

/** The run record of a finished training. */
function runRecord(
  model: TextClassifier,
  data: TrainingData,
  options: ClassifierOptions,
  pieces: number,
  log: EpochLog<unknown>,
  times: { started: Date; t0: number; tokensDone: number },
): RunRecord {
  const { train, dev } = data;
  const { started, t0, tokensDone } = times;
  const finishedAt = new Date();
  const final: Record<string, unknown> = {
    trainSeconds: (performance.now() - t0) / 1000,
    tokensPerSecond: tokensDone / ((performance.now() - t0) / 1000),
  };
  const useDev = dev !== undefined && dev.examples.length > 0;
  if (useDev) {
    final["dev"] = devRunPart(dev, model.evaluate(dev), model.labels);
  }
  return {
    runId: newRunId(started, options.seed),
    family: CLASSIFIER_FAMILY,
    task: model.multiLabel ? "multilabel" : "multiclass",
    startedAt: started.toISOString(),
    finishedAt: finishedAt.toISOString(),
    seconds: (finishedAt.getTime() - started.getTime()) / 1000,
    options: { ...options },
    data: {
      train: {
        source: train.source,
        examples: train.examples.length,
        ...(options.chunkTokens > 0 ? { chunks: pieces } : {}),
        fingerprint: fingerprint(train),
      },
      ...(useDev ? { dev: { source: dev.source, examples: dev.examples.length } } : {}),
    },
    epochs: log.epochs,
    stoppedEarly: log.stoppedEarly,
    bestEpoch: log.bestEpoch,
    final,
  };
}

/** The dev metric early stopping watches: micro F1 for multi-label, accuracy otherwise. */
function watchedMetric(dev: Record<string, number> | undefined, multiLabel: boolean): number | undefined {
  if (dev === undefined) return undefined;
  return multiLabel ? (dev["microF1"] ?? 0) : dev["accuracy"];
}

/**
 * Trains a classifier on labelled texts. `kernel` picks the SGD step: "simd" (WebAssembly
 * SIMD, float32, see OutputStep; the scalar step where the runtime lacks it) or "scalar" (the
 * JavaScript step, float64 hidden vector and gradient), for comparing the two.
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
  kernel: "simd" | "scalar" = "simd",
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
  const labels = checkTrainable(train);
  const probe = new Featurizer(options, []);
  const pretrained = await readPretrained(options);
  const { featurizer, pieces, encoded } = buildFeatures(options, train, probe, pretrained);
  const rng = new Random(options.seed);
  const weights = initialWeights(options, featurizer, labels.length, rng, pretrained, probe);
  const targets = flatTargets(train, pieces.source, labels);
  const multiLabel = train.multiLabel;
  const model = new TextClassifier(options, labels, multiLabel, featurizer, weights, null);
  const n = pieces.tokenLists.length;
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const run: EpochRun = {
    ...{ options, hooks, weights, encoded, targets, order, t0, total: n * options.epochs },
    ...{ scratch: newScratch(options.dim, labels.length), ova: options.loss === "ova" },
    step: kernel === "simd" ? OutputStep.of(labels.length, options.dim, inputRows(weights, encoded)) : null,
    ...{ done: 0, tokensDone: 0, lastReport: performance.now(), windowLoss: 0, windowCount: 0 },
  };
  run.step?.load(weights.output);
  if (run.step !== null && run.step.inputRows > 0) run.step.loadInput(weights.input);
  const log = new EpochLog<{ input: Float32Array; output: Float32Array }>(options, hooks);
  const useDev = dev !== undefined && dev.examples.length > 0;
  for (let epoch = 1; epoch <= options.epochs; epoch++) {
    const epochStart = performance.now();
    const epochLoss = runEpoch(run, epoch, rng);
    const seconds = (performance.now() - epochStart) / 1000;
    const summary: EpochSummary = { epoch, trainLoss: epochLoss / n, seconds };
    model.weightsChanged();
    if (useDev) summary.dev = devMetrics(model, dev);
    const snapshot = () => ({ input: weights.input.slice(), output: weights.output.slice() });
    if (log.end(summary, watchedMetric(summary.dev, multiLabel), snapshot)) break;
  }
  log.restoreBest((best) => {
    weights.input.set(best.input);
    weights.output.set(best.output);
  });
  model.weightsChanged();
  log.finish(run.tokensDone / ((performance.now() - t0) / 1000), "tokens");
  const times = { started, t0, tokensDone: run.tokensDone };
  const record = runRecord(model, data, options, n, log, times);
  return new TextClassifier(options, labels, multiLabel, featurizer, weights, record);
}
