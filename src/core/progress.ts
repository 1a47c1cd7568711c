/** What a trainer reports while it works; the CLI draws a bar from it, the run record stores curves. */
export interface TrainProgress {
  /** 1-based count of `stage`s (epochs for SGD trainers). */
  epoch: number;
  epochs: number;
  /**
   * What `epoch` counts, as a progress line names it: "epoch" when absent; "run" for
   * k-means restarts, "pass" for a least-squares pass over the data, "iteration" for ALS.
   */
  stage?: string;
  /** What `loss` is, as a progress line names it: "loss" when absent; e.g. "inertia", "mse". */
  lossName?: string;
  /** Fraction of all planned work done, 0..1. */
  progress: number;
  /** Mean training loss since the last report. */
  loss: number;
  /** Absent for trainers that have none (k-means, least squares, ALS). */
  learningRate?: number;
  /** Training tokens (or examples, see `unit`) per second since training started. */
  speed: number;
  unit: "tokens" | "examples" | "words";
  /** Estimated seconds to the end of training. */
  etaSeconds: number;
}

export interface EpochSummary {
  epoch: number;
  trainLoss: number;
  /** Metrics on the development set, when there is one. */
  dev?: Record<string, number>;
  seconds: number;
  improved?: boolean;
}

export interface TrainHooks {
  onProgress?: (progress: TrainProgress) => void;
  onEpochEnd?: (summary: EpochSummary) => void;
  /** Checked between steps: a trainer stops early, keeping what it has, when it returns true. */
  shouldStop?: () => boolean;
}
