/**
 * The tagger's training epochs, whichever the learner (learners.ts): shuffled passes over
 * the sentences with progress reports, the dev set's entity F1 after each, early stopping,
 * and the best epoch's weights restored at the end.
 */
import type { EpochSummary, TrainHooks } from "../../core/index.ts";
import { Random } from "../../core/index.ts";
import type { TaggedDataset } from "../../data/index.ts";
import { EpochLog } from "../../train/index.ts";
import { Decoder } from "./decoder.ts";
import type { EncodedSentences } from "./encode.ts";
import { makeLearner } from "./learners.ts";
import type { TaggerOptions } from "./options.ts";
import type { TaggerWeights } from "./sequence-tagger.ts";
import type { TagSet } from "./tag-set.ts";

export interface EpochRun {
  options: TaggerOptions;
  tagSet: TagSet;
  encoded: EncodedSentences;
  rows: number;
  heldOut: { data: TaggedDataset; encoded: Omit<EncodedSentences, "gold"> } | null;
  hooks: TrainHooks;
  t0: number;
}

export interface EpochResult {
  weights: TaggerWeights;
  log: EpochLog<TaggerWeights>;
  tokensDone: number;
  /** The learner's facts for the run record. */
  learner: Record<string, number | string>;
}

/** Reports progress at most every 200 ms. */
class ProgressWindow {
  private last = performance.now();
  private loss = 0;
  private tokens = 0;
  private readonly run: EpochRun;
  private readonly total: number;
  private readonly lossName: string;

  constructor(run: EpochRun, total: number, lossName: string) {
    this.run = run;
    this.total = total;
    this.lossName = lossName;
  }

  add(loss: number, n: number): void {
    this.loss += loss;
    this.tokens += n;
  }

  report(epoch: number, tokensDone: number): void {
    const now = performance.now();
    if (now - this.last <= 200) return;
    this.last = now;
    const seconds = (now - this.run.t0) / 1000;
    this.run.hooks.onProgress?.({
      epoch,
      epochs: this.run.options.epochs,
      progress: tokensDone / this.total,
      loss: this.loss / Math.max(1, this.tokens),
      lossName: this.lossName,
      learningRate: 1,
      speed: tokensDone / seconds,
      unit: "tokens",
      etaSeconds: (seconds / tokensDone) * (this.total - tokensDone),
    });
    this.loss = 0;
    this.tokens = 0;
  }
}

/** The learner's epochs with progress reports and early stopping; the best weights. */
export function runEpochs(run: EpochRun): EpochResult {
  const { options, encoded, hooks } = run;
  const { sentenceStart } = encoded;
  const count = sentenceStart.length - 1;
  const tokens = sentenceStart[count] ?? 0;
  const learner = makeLearner(options, encoded, run.rows, run.tagSet);
  const rng = new Random(options.seed);
  const order = Int32Array.from({ length: count }, (_, i) => i);
  const log = new EpochLog<TaggerWeights>(options, hooks);
  const decoder = new Decoder(run.tagSet);
  const window = new ProgressWindow(run, tokens * options.epochs, learner.lossName);
  let tokensDone = 0;
  for (let epoch = 1; epoch <= options.epochs; epoch++) {
    const epochStart = performance.now();
    rng.shuffle(order);
    learner.startEpoch(order);
    let epochLoss = 0;
    for (let step = 0; step < count; step++) {
      const s = order[step] ?? 0;
      const first = sentenceStart[s] ?? 0;
      const n = (sentenceStart[s + 1] ?? 0) - first;
      const loss = learner.step(first, n);
      epochLoss += loss;
      tokensDone += n;
      window.add(loss, n);
      if ((step & 63) !== 63) continue;
      window.report(epoch, tokensDone);
      if (hooks.shouldStop?.() === true) break;
    }
    const weights = learner.endEpoch();
    const summary: EpochSummary = {
      epoch,
      trainLoss: epochLoss / tokens,
      seconds: (performance.now() - epochStart) / 1000,
    };
    let devMetric: number | undefined;
    if (run.heldOut !== null) {
      const report = decoder.score(run.heldOut.data, run.heldOut.encoded, weights);
      summary.dev = { f1: report.micro.f1, precision: report.micro.precision, recall: report.micro.recall };
      devMetric = report.micro.f1;
    }
    if (log.end(summary, devMetric, () => learner.snapshot())) break;
  }
  log.restoreBest((best) => learner.restore(best));
  log.finish(tokensDone / ((performance.now() - run.t0) / 1000), "tokens");
  return { weights: learner.final(), log, tokensDone, learner: learner.summary() };
}
