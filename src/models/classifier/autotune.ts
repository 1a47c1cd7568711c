/**
 * Hyperparameter search for the classifier, after fastText's -autotune-validation: the
 * first trial uses the default (or given) options, each later one samples every
 * hyperparameter around the best trial so far, with a spread that narrows as the budget
 * is spent. Trials are scored on a development set.
 */
import { Random, TextkitError } from "../../core/index.ts";
import type { Dataset } from "../../data/index.ts";
import { containsHan } from "../../text/index.ts";
import type { TextClassifier } from "./classifier.ts";
import { Featurizer } from "./featurizer.ts";
import { trainClassifier } from "./ngram-training.ts";
import { type ClassifierOptions, resolveClassifierOptions } from "./options.ts";

export const AUTOTUNE_METRICS = ["accuracy", "macroF1", "microF1"] as const;
export type AutotuneMetric = (typeof AUTOTUNE_METRICS)[number];

export interface AutotuneOptions {
  /**
   * Total time budget in seconds (default 300, or none when `maxTrials` is given). A trial
   * still running at the deadline is stopped and does not count.
   */
  durationSeconds?: number;
  /** What the search maximises on the dev set (default accuracy; microF1 for multi-label data). */
  metric?: AutotuneMetric;
  /** Seed of the search; each trial trains with `base.seed`. */
  seed?: number;
  /** Options of the first trial, and those the search does not tune (seed, lowercase, ...). */
  base?: Partial<ClassifierOptions>;
  /** Stop after this many trials. Without `durationSeconds` the search is then time-free and deterministic. */
  maxTrials?: number;
  /**
   * Seconds on a monotonic clock (default `performance.now() / 1000`). Tests pass a clock
   * that moves with the work done, so that a time budget gives the same search every run.
   */
  clock?: () => number;
}

export interface AutotuneTrial {
  /** 1-based, in the order the trials ran. */
  trial: number;
  /** The tuned options of this trial (the rest are `base`'s). */
  options: Partial<ClassifierOptions>;
  /** The metric on the dev set. */
  metric: number;
  seconds: number;
  /** True when the deadline stopped the trial before its last epoch; it cannot be the best then. */
  stopped?: boolean;
}

export interface AutotuneResult {
  best: TextClassifier;
  bestOptions: ClassifierOptions;
  bestMetric: number;
  trials: AutotuneTrial[];
}

export interface AutotuneHooks {
  onTrial?: (trial: AutotuneTrial, best: AutotuneTrial) => void;
}

/** The hyperparameters the search moves. */
type Tuned = Pick<ClassifierOptions, "lr" | "epochs" | "dim" | "wordNgrams" | "minn" | "maxn" | "buckets">;

const LR = { min: 0.01, max: 5 };
const EPOCHS = { min: 1, max: 100 };
const DIM = { min: 10, max: 300 };
const WORD_NGRAMS = { min: 1, max: 5 };
const BUCKETS = { min: 10_000, max: 2_000_000 };
/** Character n-gram ranges tried: none, two fastText-like ones, and short ones for Chinese. */
const SUBWORDS: readonly (readonly [number, number])[] = [
  [0, 0],
  [2, 5],
  [3, 6],
];
const CJK_SUBWORDS: readonly [number, number] = [1, 2];
/** Below this many examples, few epochs underfit whatever the rest; the floor rises. */
const SMALL_DATA = 1000;
const SMALL_DATA_MIN_EPOCHS = 5;
/** Draws per trial before a configuration already tried is accepted anyway. */
const MAX_DRAWS = 50;

function invalid(message: string): TextkitError {
  return new TextkitError("OPTION_INVALID", message);
}

/**
 * Searches the classifier's hyperparameters for the best score on `data.dev`, within a
 * time budget or a number of trials.
 *
 * @example
 * const { best, bestOptions, bestMetric } = await autotuneClassifier({ train, dev }, { durationSeconds: 60 });
 * await best.save("models/intent");
 */
export async function autotuneClassifier(
  data: { train: Dataset; dev: Dataset },
  options: AutotuneOptions = {},
  hooks: AutotuneHooks = {},
): Promise<AutotuneResult> {
  const { durationSeconds, maxTrials, seed = 1 } = options;
  const clock = options.clock ?? (() => performance.now() / 1000);
  const { train, dev } = data;
  const { metric, start } = checkAutotune(data, options);

  /** Seconds from the start; null when the search is time-free. */
  const deadline = durationSeconds ?? (maxTrials === undefined ? 300 : null);
  const t0 = clock();
  const elapsed = (): number => clock() - t0;
  const pastDeadline = (): boolean => deadline !== null && elapsed() >= deadline;
  // How far the search is decides how far it strays from the best; counting trials keeps it deterministic.
  const progress = (trial: number): number =>
    maxTrials !== undefined ? (trial - 1) / maxTrials : Math.min(1, elapsed() / deadline!);

  const rng = new Random(seed);
  const space = searchSpace(train, start);
  const trialCost = costModel(train, start);
  const tried = new Set<string>();
  const trials: AutotuneTrial[] = [];
  let best: { trial: AutotuneTrial; model: TextClassifier; options: ClassifierOptions } | null = null;
  /** Seconds per epoch per unit of `trialCost`, from the last finished trial. */
  let secondsPerCost: number | null = null;

  for (let trial = 1; maxTrials === undefined || trial <= maxTrials; trial++) {
    if (trial > 1 && pastDeadline()) break;
    let tuned = pickTuned(start);
    if (trial > 1 && best !== null) {
      const spread = spreadAt(progress(trial));
      for (let draw = 0; draw < MAX_DRAWS; draw++) {
        tuned = sampleAround(pickTuned(best.options), spread, space, rng);
        if (!tried.has(JSON.stringify(tuned))) break;
      }
    }
    tried.add(JSON.stringify(tuned));
    if (deadline !== null && secondsPerCost !== null) {
      // A trial that cannot finish in the time left becomes a cheaper one rather than being
      // stopped half-way; the search ends only when even the cheapest cannot finish. The
      // estimate is rough (dev scoring, other load), hence the margin.
      const rate = secondsPerCost;
      const fitted = fitToTime(tuned, (t) => rate * trialCost(t), 0.9 * (deadline - elapsed()), space);
      if (fitted === null) break;
      tuned = fitted;
    }
    const trialOptions: ClassifierOptions = { ...start, ...tuned };
    const began = clock();
    const { model, stopped } = await trainTrial(data, trialOptions, pastDeadline);
    const score = metricOf(model, dev, metric);
    const seconds = clock() - began;
    const record: AutotuneTrial = { trial, options: { ...tuned }, metric: score, seconds };
    if (stopped) record.stopped = true;
    trials.push(record);
    const epochsRun = model.runRecord?.epochs.length ?? tuned.epochs;
    if (!stopped && epochsRun > 0) secondsPerCost = seconds / (epochsRun * trialCost(tuned));
    // A stopped trial only stands in when nothing finished: its learning rate never decayed.
    if (best === null || (!stopped && (best.trial.stopped === true || score > best.trial.metric)))
      best = { trial: record, model, options: trialOptions };
    hooks.onTrial?.(record, best.trial);
    if (stopped) break;
  }
  // The loop runs at least once: the first trial never waits for the deadline check.
  const winner = best!;
  return { best: winner.model, bestOptions: winner.options, bestMetric: winner.trial.metric, trials };
}

/** The metric and the starting options, with every option and the dev data checked. */
function checkAutotune(
  data: { train: Dataset; dev: Dataset },
  options: AutotuneOptions,
): { metric: AutotuneMetric; start: ClassifierOptions } {
  const { durationSeconds, maxTrials, seed = 1, base = {} } = options;
  if (durationSeconds !== undefined && !(Number.isFinite(durationSeconds) && durationSeconds > 0))
    throw invalid(`durationSeconds must be a positive number of seconds, got ${durationSeconds}`);
  if (maxTrials !== undefined && !(Number.isInteger(maxTrials) && maxTrials >= 1))
    throw invalid(`maxTrials must be a whole number of at least 1, got ${maxTrials}`);
  if (!(Number.isInteger(seed) && seed >= 0 && seed <= 2 ** 32 - 1))
    throw invalid(`seed must be an integer from 0 to 2^32-1, got ${seed}`);
  const { train, dev } = data;
  const metric = options.metric ?? (train.multiLabel ? "microF1" : "accuracy");
  if (!AUTOTUNE_METRICS.includes(metric))
    throw invalid(`metric must be one of ${AUTOTUNE_METRICS.join(", ")}, got '${metric}'`);
  const start = resolveClassifierOptions({ loss: train.multiLabel ? "ova" : "softmax", ...base });
  if (dev.examples.length === 0) {
    throw new TextkitError(
      "DATA_EMPTY",
      `${dev.source} has no examples; autotune scores each trial on development data`,
      { file: dev.source },
    );
  }
  return { metric, start };
}

/** One trial's training, stopped once `pastDeadline` says so; `stopped` tells whether it was. */
async function trainTrial(
  data: { train: Dataset; dev: Dataset },
  trialOptions: ClassifierOptions,
  pastDeadline: () => boolean,
): Promise<{ model: TextClassifier; stopped: boolean }> {
  let stopped = false;
  const model = await trainClassifier(
    trialOptions.patience > 0 ? data : { train: data.train },
    trialOptions,
    {
      shouldStop: () => {
        stopped ||= pastDeadline();
        return stopped;
      },
    },
  );
  return { model, stopped };
}

interface SearchSpace {
  minEpochs: number;
  subwords: readonly (readonly [number, number])[];
  /** Pretrained vectors fix the dimension. */
  fixedDim: boolean;
}

function searchSpace(train: Dataset, start: ClassifierOptions): SearchSpace {
  let han = 0;
  const probe = Math.min(train.examples.length, 500);
  for (let i = 0; i < probe; i++) if (containsHan(train.examples[i]!.text)) han++;
  return {
    minEpochs: train.examples.length < SMALL_DATA ? SMALL_DATA_MIN_EPOCHS : EPOCHS.min,
    subwords: han * 5 >= probe ? [...SUBWORDS, CJK_SUBWORDS] : SUBWORDS,
    fixedDim: start.pretrainedVectors !== null,
  };
}

/**
 * `t` made cheap enough to finish in `seconds`, or null when even the cheapest version
 * cannot. Cutting a trial to under half its epochs would mostly measure the cut, so a trial
 * that does not fit first gets fewer planned epochs (down to the floor), then a narrower
 * embedding, then no character n-grams, then shorter word n-grams.
 */
function fitToTime(
  t: Tuned,
  secondsPerEpoch: (t: Tuned) => number,
  seconds: number,
  space: SearchSpace,
): Tuned | null {
  const out = { ...t };
  for (;;) {
    const fit = Math.floor(seconds / secondsPerEpoch(out));
    if (fit >= Math.max(space.minEpochs, Math.ceil(out.epochs / 2))) {
      out.epochs = Math.min(out.epochs, fit);
      return out;
    }
    if (out.epochs > space.minEpochs) out.epochs = Math.max(space.minEpochs, Math.floor(out.epochs / 2));
    else if (!space.fixedDim && out.dim > DIM.min) out.dim = Math.max(DIM.min, Math.round(out.dim / 2));
    else if (out.maxn > 0) {
      out.minn = 0;
      out.maxn = 0;
    } else if (out.wordNgrams > 1) out.wordNgrams--;
    else return null;
  }
}

function pickTuned(o: ClassifierOptions): Tuned {
  const { lr, epochs, dim, wordNgrams, minn, maxn, buckets } = o;
  return { lr, epochs, dim, wordNgrams, minn, maxn, buckets };
}

/**
 * Standard deviation of the moves, in log2 units for scale parameters: wide for the first
 * quarter of the budget, narrowing to a quarter of that by three quarters (as fastText does).
 */
function spreadAt(t: number): number {
  const narrowed = Math.min(0.5, Math.max(0, t - 0.25)) / 0.5;
  return 1 - 0.75 * narrowed;
}

function gaussian(rng: Random): number {
  // Box-Muller; 1 - next() is in (0, 1], so the log is finite.
  return Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}

function sampleAround(b: Tuned, spread: number, space: SearchSpace, rng: Random): Tuned {
  const scaled = (v: number, sigma: number, lo: number, hi: number): number =>
    clamp(v * 2 ** (sigma * spread * gaussian(rng)), lo, hi);
  const lr = Number(scaled(b.lr, 1.5, LR.min, LR.max).toPrecision(3));
  const epochs = Math.round(scaled(b.epochs, 1.2, space.minEpochs, EPOCHS.max));
  const dim = space.fixedDim ? b.dim : Math.round(scaled(b.dim, 1, DIM.min, DIM.max));
  const wordNgrams = Math.round(
    clamp(b.wordNgrams + 1.5 * spread * gaussian(rng), WORD_NGRAMS.min, WORD_NGRAMS.max),
  );
  let minn = b.minn;
  let maxn = b.maxn;
  if (rng.next() < 0.4 * spread) [minn, maxn] = space.subwords[rng.int(space.subwords.length)]!;
  const buckets = Math.round(scaled(b.buckets, 2, BUCKETS.min, BUCKETS.max) / 1000) * 1000;
  return { lr, epochs, dim, wordNgrams, minn, maxn, buckets };
}

/** Texts whose features are counted to compare the cost of feature settings. */
const COST_PROBE = 200;

/**
 * Relative training time per epoch: each example reads and then updates its feature rows
 * and scores every label, all `dim` wide. Feature counts come from a sample of the texts,
 * since character n-grams multiply them by the length of the words.
 */
function costModel(train: Dataset, start: ClassifierOptions): (t: Tuned) => number {
  const perText = new Map<string, number>();
  const texts = train.examples.slice(0, COST_PROBE).map((e) => e.text);
  const labels = train.labels.length;
  return (t) => {
    const key = `${t.wordNgrams}/${t.minn}/${t.maxn}`;
    let features = perText.get(key);
    if (features === undefined) {
      const probe = new Featurizer({ ...start, ...t }, [], [], false);
      const out: number[] = [];
      let tokens = 0;
      for (const text of texts) tokens += probe.features(text, out);
      features = (out.length + tokens) / Math.max(1, texts.length);
      perText.set(key, features);
    }
    return t.dim * (labels + 2 * features);
  };
}

function metricOf(model: TextClassifier, dev: Dataset, metric: AutotuneMetric): number {
  const evaluation = model.evaluate(dev);
  if (metric === "macroF1") return evaluation.report.macro.f1;
  if (metric === "microF1") return evaluation.report.micro?.f1 ?? evaluation.accuracy;
  return evaluation.accuracy;
}
