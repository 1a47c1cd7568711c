/** What a trainer reports while it works; the CLI draws a bar from it, the run record stores curves. */
export interface TrainProgress {
  epoch: number;
  epochs: number;
  /** Fraction of all planned work done, 0..1. */
  progress: number;
  /** Mean training loss since the last report. */
  loss: number;
  learningRate: number;
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
