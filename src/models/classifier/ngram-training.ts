import type { EpochSummary, TrainHooks } from "../../core/index.ts";
import { newRunId, Random, type RunRecord, TextkitError } from "../../core/index.ts";
import type { Dataset } from "../../data/index.ts";
import { fingerprint, readVecFile } from "../../data/index.ts";
import { EpochLog } from "../../train/index.ts";
import { CLASSIFIER_FAMILY, TextClassifier, type TrainingData } from "./classifier.ts";
import { newScratch, sgdStep, type Weights } from "./engine.ts";
import { Featurizer } from "./featurizer.ts";
import { type ClassifierOptions, resolveClassifierOptions } from "./options.ts";
import { confusionPart } from "./run-confusion.ts";

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
    final["dev"] = {
      accuracy: evaluation.accuracy,
      report: evaluation.report,
      ...confusionPart(dev, evaluation.predictions, labels),
    };
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
