/**
 * Early stopping on a development metric with patience: training stops after `patience`
 * epochs without an improvement of at least `minDelta`, and the caller restores the best
 * epoch's weights.
 *
 * @example
 * const stopper = new EarlyStopping({ patience: 2 });
 * stopper.update(0.80); // true: improved
 * stopper.update(0.79); // false
 * stopper.shouldStop;   // false until two epochs pass without improvement
 */
export class EarlyStopping {
  readonly patience: number;
  readonly minDelta: number;
  private best = Number.NEGATIVE_INFINITY;
  private bestEpochIndex = -1;
  private epochs = 0;
  private sinceBest = 0;

  constructor(options: { patience: number; minDelta?: number }) {
    this.patience = options.patience;
    this.minDelta = options.minDelta ?? 0;
  }

  /** Records an epoch's metric (higher is better) and says whether it is the new best. */
  update(metric: number): boolean {
    const improved = metric > this.best + this.minDelta || this.bestEpochIndex < 0;
    if (improved) {
      this.best = metric;
      this.bestEpochIndex = this.epochs;
      this.sinceBest = 0;
    } else {
      this.sinceBest++;
    }
    this.epochs++;
    return improved;
  }

  get shouldStop(): boolean {
    return this.patience > 0 && this.sinceBest >= this.patience;
  }

  get bestMetric(): number {
    return this.best;
  }

  /** 1-based epoch of the best metric, 0 before any update. */
  get bestEpoch(): number {
    return this.bestEpochIndex + 1;
  }
}
