/**
 * The two ways the tagger's weights are learned, behind one interface for the epoch loop
 * (epochs.ts): the structured averaged perceptron (perceptron.ts: decode, correct where
 * wrong) and the CRF (crf.ts: SGD on the regularised log-likelihood).
 */
import { CrfSgd, pickRate, seenPairs } from "./crf.ts";
import { Decoder } from "./decoder.ts";
import type { EncodedSentences } from "./encode.ts";
import type { TaggerOptions } from "./options.ts";
import { AveragedPerceptron } from "./perceptron.ts";
import type { TaggerWeights } from "./sequence-tagger.ts";
import type { TagSet } from "./tag-set.ts";

/** What the epoch loop asks of a learner. */
export interface Learner {
  /** What `step` returns, per token, in progress reports. */
  readonly lossName: string;
  /** Before each epoch, with that epoch's sentence order. */
  startEpoch(order: Int32Array): void;
  /** Learns from sentence tokens first..first+n; returns its loss (errors, or −log-likelihood). */
  step(first: number, n: number): number;
  /** After each epoch: the weights the model would have now (scored on the dev set). */
  endEpoch(): TaggerWeights;
  snapshot(): TaggerWeights;
  restore(best: TaggerWeights): void;
  /** The weights to keep. */
  final(): TaggerWeights;
  /** Facts for the run record. */
  summary(): Record<string, number | string>;
}

/** Whether the CRF keeps the average of each epoch's SGD weights (measured no better; see makeLearner). */
const AVERAGE_WEIGHTS = false;

/** The learner `options.learner` names. */
export function makeLearner(
  options: TaggerOptions,
  encoded: EncodedSentences,
  rows: number,
  tagSet: TagSet,
): Learner {
  if (options.learner !== "crf") return new PerceptronLearner(encoded, rows, tagSet);
  // Only the (feature, tag) pairs seen in training get weights, as in CRFsuite: on
  // generated-40 (bench/tag.ts) strict F1 91.10 -> 91.49 and each step far sparser. The
  // averaged weights (CrfSgd's `average`, the last epoch's steps) scored 91.31 with seen
  // pairs and 90.70 without, so they stay off.
  const sgd = new CrfSgd(rows, tagSet, options.l2, encoded.sentenceStart.length - 1, {
    seen: seenPairs(encoded, rows, tagSet.tags.length),
    average: AVERAGE_WEIGHTS,
  });
  return new CrfLearner(encoded, sgd);
}

class PerceptronLearner implements Learner {
  readonly lossName = "errors";
  private readonly model: AveragedPerceptron;
  private readonly decoder: Decoder;
  private readonly encoded: EncodedSentences;

  constructor(encoded: EncodedSentences, rows: number, tagSet: TagSet) {
    this.encoded = encoded;
    this.model = new AveragedPerceptron(rows, tagSet, encoded.dense?.dim ?? 0);
    this.decoder = new Decoder(tagSet);
  }

  startEpoch(): void {
    this.model.tightenBound();
  }

  step(first: number, n: number): number {
    const path = this.decoder.decode(this.encoded, first, n, this.model.w, this.model.bound);
    return this.model.step(this.encoded, first, n, path);
  }

  endEpoch(): TaggerWeights {
    this.model.average();
    return this.model.averaged;
  }

  snapshot(): TaggerWeights {
    return this.model.snapshot();
  }

  restore(best: TaggerWeights): void {
    this.model.restore(best);
  }

  final(): TaggerWeights {
    return this.model.averaged;
  }

  summary(): Record<string, number | string> {
    return { learner: "perceptron" };
  }
}

class CrfLearner implements Learner {
  readonly lossName = "-log-likelihood";
  private readonly sgd: CrfSgd;
  private readonly encoded: EncodedSentences;
  private eta0 = 0;
  private t = 0;
  /** The best epoch's weights, once the epoch loop puts them back. */
  private kept: TaggerWeights | null = null;

  constructor(encoded: EncodedSentences, sgd: CrfSgd) {
    this.encoded = encoded;
    this.sgd = sgd;
  }

  startEpoch(order: Int32Array): void {
    if (this.eta0 === 0) this.eta0 = pickRate(this.sgd, this.encoded, order);
    this.sgd.startAverage();
  }

  step(first: number, n: number): number {
    const loss = this.sgd.step(this.encoded, first, n, this.sgd.rate(this.eta0, this.t++));
    return Number.isNaN(loss) ? 0 : loss;
  }

  endEpoch(): TaggerWeights {
    return this.sgd.averaged();
  }

  snapshot(): TaggerWeights {
    const w = this.sgd.averaged();
    return { emit: w.emit.slice(), trans: w.trans.slice(), start: w.start.slice(), end: w.end.slice() };
  }

  restore(best: TaggerWeights): void {
    this.kept = best;
  }

  final(): TaggerWeights {
    return this.kept ?? this.sgd.averaged();
  }

  summary(): Record<string, number | string> {
    return { learner: "crf", initialRate: this.eta0, skippedSentences: this.sgd.skipped };
  }
}
