/**
 * The classifier's autotune for heads on an encoder: the same search as autotune.ts (the
 * first trial with the given settings, each later one sampled around the best so far with
 * a spread that narrows as the trials are spent), over the head's settings, scored on the
 * dev set. The embeddings are computed once and every trial reads them, so a trial costs
 * only the head's training.
 */
import { Random, type TrainHooks } from "../../core/index.ts";
import { type HeadData, type HeadTrainResult, headMetric, trainHead } from "./head.ts";
import { type HeadOptions, resolveHeadOptions } from "./head-options.ts";

export interface HeadAutotuneOptions {
  /** Trials to run (the first one with `base`). */
  trials: number;
  /** Seed of the search (each trial trains with base.seed). */
  seed?: number;
}

export interface HeadAutotuneTrial {
  trial: number;
  options: Pick<HeadOptions, "hidden" | "lr" | "dropout" | "weightDecay" | "labelSmoothing" | "epochs">;
  metric: number;
  seconds: number;
}

const HIDDEN: readonly number[] = [0, 64, 128, 256, 512];

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}

/** A log-scale step of about `spread` decades around `v`. */
function around(rng: Random, v: number, spread: number, lo: number, hi: number): number {
  return clamp(v * 10 ** ((rng.next() * 2 - 1) * spread), lo, hi);
}

function sample(best: HeadOptions, spread: number, rng: Random): Partial<HeadOptions> {
  const at = Math.max(0, HIDDEN.indexOf(best.hidden));
  const step = rng.next() < spread ? (rng.next() < 0.5 ? -1 : 1) : 0;
  const hidden = HIDDEN[clamp(at + step, 0, HIDDEN.length - 1)]!;
  return {
    hidden,
    lr: around(rng, best.lr, spread, 1e-4, 0.1),
    dropout: clamp(best.dropout + (rng.next() * 2 - 1) * 0.3 * spread, 0, 0.6),
    weightDecay: around(rng, Math.max(best.weightDecay, 1e-4), 2 * spread, 0, 1),
    labelSmoothing: clamp(best.labelSmoothing + (rng.next() * 2 - 1) * 0.2 * spread, 0, 0.3),
    epochs: Math.round(clamp(best.epochs * 2 ** ((rng.next() * 2 - 1) * spread), 2, 200)),
  };
}

/**
 * Searches the head's settings on `dev` and returns the best trial's result and options.
 *
 * @example
 * const { best, options } = autotuneHead(train, dev, 384, 20, resolveHeadOptions(), { trials: 10 });
 */
export function autotuneHead(
  train: HeadData,
  dev: HeadData,
  dim: number,
  labels: number,
  base: HeadOptions,
  search: HeadAutotuneOptions,
  hooks: TrainHooks & { onTrial?: (trial: HeadAutotuneTrial, best: HeadAutotuneTrial) => void } = {},
): { best: HeadTrainResult; options: HeadOptions; trials: HeadAutotuneTrial[] } {
  const rng = new Random(search.seed ?? 1);
  const ova = base.loss === "ova";
  const trials: HeadAutotuneTrial[] = [];
  let bestOptions = base;
  let bestResult: HeadTrainResult | null = null;
  let bestTrial: HeadAutotuneTrial | null = null;
  for (let t = 1; t <= search.trials; t++) {
    const spread = 1 - (t - 1) / Math.max(1, search.trials);
    const options = t === 1 ? base : resolveHeadOptions({ ...base, ...sample(bestOptions, spread, rng) });
    const t0 = performance.now();
    const result = trainHead(
      train,
      dev,
      dim,
      labels,
      options,
      t === search.trials
        ? hooks
        : { ...(hooks.shouldStop === undefined ? {} : { shouldStop: hooks.shouldStop }) },
    );
    const trial: HeadAutotuneTrial = {
      trial: t,
      options: {
        hidden: options.hidden,
        lr: options.lr,
        dropout: options.dropout,
        weightDecay: options.weightDecay,
        labelSmoothing: options.labelSmoothing,
        epochs: options.epochs,
      },
      metric: headMetric(result.weights, dev, ova),
      seconds: (performance.now() - t0) / 1000,
    };
    trials.push(trial);
    if (bestTrial === null || trial.metric > bestTrial.metric) {
      bestTrial = trial;
      bestResult = result;
      bestOptions = options;
    }
    hooks.onTrial?.(trial, bestTrial);
  }
  return { best: bestResult!, options: bestOptions, trials };
}
