import type { EpochSummary, TrainHooks, TrainProgress } from "../core/index.ts";
import { EarlyStopping } from "./early-stopping.ts";

/**
 * The epochs of one training run as every trainer keeps them: the summaries, early
 * stopping on a dev metric, a snapshot of the weights at the best epoch so far, and the
 * hooks told at each step. The trainer keeps its weights; this keeps the bookkeeping.
 *
 * @example
 * const log = new EpochLog<Float32Array>({ epochs: 10, patience: 2 }, hooks);
 * for (let epoch = 1; epoch <= 10; epoch++) {
 *   // ... one pass ...
 *   if (log.end({ epoch, trainLoss, seconds }, devAccuracy, () => weights.slice())) break;
 * }
 * log.restoreBest((best) => weights.set(best));
 */
export class EpochLog<Snapshot> {
  readonly epochs: EpochSummary[] = [];
  /** True when training ended before its last planned epoch. */
  stoppedEarly = false;
  private readonly planned: number;
  private readonly patience: number;
  private readonly hooks: TrainHooks;
  private readonly stopper: EarlyStopping;
  private best: Snapshot | null = null;
  private scored = false;

  constructor(options: { epochs: number; patience: number }, hooks: TrainHooks) {
    this.planned = options.epochs;
    this.patience = options.patience;
    this.hooks = hooks;
    this.stopper = new EarlyStopping({ patience: options.patience });
  }

  /**
   * Records the end of an epoch. With a dev metric (higher is better), marks the summary
   * improved or not and snapshots the weights when it is the best so far and training may
   * still go on. Returns true when training should stop (patience spent, or the hooks ask).
   */
  end(summary: EpochSummary, devMetric: number | undefined, snapshot: () => Snapshot): boolean {
    if (devMetric !== undefined) {
      this.scored = true;
      summary.improved = this.stopper.update(devMetric);
      if (summary.improved && this.patience > 0 && summary.epoch < this.planned) this.best = snapshot();
    }
    this.epochs.push(summary);
    this.hooks.onEpochEnd?.(summary);
    if (this.stopper.shouldStop || this.hooks.shouldStop?.() === true) {
      this.stoppedEarly = summary.epoch < this.planned;
      return true;
    }
    return false;
  }

  /** Puts the best epoch's snapshot back, unless the last epoch was the best (or none was scored). */
  restoreBest(restore: (best: Snapshot) => void): void {
    const last = this.epochs[this.epochs.length - 1];
    if (this.best !== null && last !== undefined && last.improved === false) restore(this.best);
  }

  /** 1-based epoch whose weights the model keeps. */
  get bestEpoch(): number {
    return this.scored ? this.stopper.bestEpoch : this.epochs.length;
  }

  /** Tells the hooks that training is over (progress 1, the last epoch's loss). */
  finish(speed: number, unit: TrainProgress["unit"]): void {
    const last = this.epochs[this.epochs.length - 1];
    this.hooks.onProgress?.({
      epoch: this.epochs.length,
      epochs: this.planned,
      progress: 1,
      loss: last === undefined ? 0 : last.trainLoss,
      learningRate: 0,
      speed,
      unit,
      etaSeconds: 0,
    });
  }
}
