/**
 * Minibatch SGD on the mean squared error, the loop of the seed's PyTorch notebook
 * (nn.MSELoss, torch.optim.SGD with a constant learning rate, optional weight decay) on
 * typed arrays. With standardisation the target is standardised too, so that one learning
 * rate suits any units; the weights are mapped back to the target's units at the end.
 * Rows held in memory are shuffled whole every epoch; a streamed file is shuffled within
 * a buffer of `shuffleBuffer` rows, so memory stays bounded whatever the file's size.
 */

import type { EpochSummary, TrainHooks } from "../../core/index.ts";
import { Random, TextkitError } from "../../core/index.ts";
import { RegressionAccumulator, type RegressionMetrics } from "../../eval/index.ts";
import { EarlyStopping } from "../../train/index.ts";
import type { DesignEncoder } from "./design.ts";
import type { RegressorOptions } from "./options.ts";
import type { RegressionSource, SourceReadOptions } from "./source.ts";

/** Held-out rows, already encoded. */
export interface EncodedRows {
  x: Float64Array;
  y: Float64Array;
  rows: number;
}

export interface SgdSetup {
  source: RegressionSource;
  read: SourceReadOptions;
  encoder: DesignEncoder;
  options: RegressorOptions;
  /** Training rows (from the profile pass). */
  rows: number;
  yCenter: number;
  yScale: number;
  dev: EncodedRows | null;
  hooks: TrainHooks;
}

export interface SgdResult {
  /** Intercept first, in the target's units. */
  weights: Float64Array;
  epochs: EpochSummary[];
  stoppedEarly: boolean;
  bestEpoch: number;
  examplesPerSecond: number;
}

/** Predictions of `weights` (intercept first) for encoded rows. */
export function linearPredict(weights: Float64Array, x: Float64Array, rows: number, out: Float64Array): void {
  const p = weights.length - 1;
  for (let i = 0; i < rows; i++) {
    const base = i * p;
    let s = weights[0]!;
    for (let j = 0; j < p; j++) s += weights[j + 1]! * x[base + j]!;
    out[i] = s;
  }
}

/** MSE, RMSE, MAE and R² of `weights` on encoded rows. */
export function encodedMetrics(weights: Float64Array, rows: EncodedRows): RegressionMetrics {
  const predicted = new Float64Array(rows.rows);
  linearPredict(weights, rows.x, rows.rows, predicted);
  const acc = new RegressionAccumulator();
  acc.add(rows.y, predicted, rows.rows);
  return acc.result();
}

/** Rows in memory: encoded once, shuffled whole each epoch. */
interface MemoryRows {
  x: Float64Array;
  y: Float64Array;
  order: Int32Array;
}

/** The weights, the progress counters and the steps of one minibatch SGD training. */
class SgdRun {
  readonly w: Float64Array;
  private readonly grad: Float64Array;
  private readonly p: number;
  private readonly t0 = performance.now();
  private readonly total: number;
  done = 0;
  private lastReport = this.t0;
  private windowLoss = 0;
  private windowRows = 0;
  epoch = 0;
  epochLoss = 0;
  stopRequested = false;

  constructor(private readonly setup: SgdSetup) {
    this.p = setup.encoder.width;
    this.w = new Float64Array(this.p + 1);
    this.grad = new Float64Array(this.p + 1);
    this.total = setup.rows * setup.options.epochs;
  }

  /** Seconds since the run began. */
  seconds(): number {
    return (performance.now() - this.t0) / 1000;
  }

  /** One step on rows order[from .. from + count) of (x, y); y is already standardised. */
  private step(x: Float64Array, y: Float64Array, order: Int32Array, from: number, count: number): void {
    const { w, grad, p } = this;
    const { lr } = this.setup.options;
    const alpha = this.setup.options.alpha ?? 0;
    grad.fill(0);
    let loss = 0;
    for (let t = 0; t < count; t++) {
      const i = order[from + t]!;
      const base = i * p;
      let r = w[0]!;
      for (let j = 0; j < p; j++) r += w[j + 1]! * x[base + j]!;
      r -= y[i]!;
      loss += r * r;
      grad[0]! += r;
      for (let j = 0; j < p; j++) grad[j + 1]! += r * x[base + j]!;
    }
    if (!Number.isFinite(loss)) {
      const epoch = this.epoch;
      throw new TextkitError(
        "OPTION_INVALID",
        `sgd diverged in epoch ${epoch}: the loss is no longer a finite number; lower lr (now ${lr})`,
        { details: { epoch, lr } },
      );
    }
    // d/dw of mean((xw + b - y)²) is 2/B Σ r x, as autograd gives for nn.MSELoss.
    const g = 2 / count;
    w[0]! -= lr * g * grad[0]!;
    for (let j = 1; j <= p; j++) w[j]! -= lr * (g * grad[j]! + alpha * w[j]!);
    this.epochLoss += loss;
    this.windowLoss += loss;
    this.windowRows += count;
    this.done += count;
  }

  private report(): void {
    const now = performance.now();
    if (now - this.lastReport < 200) return;
    this.lastReport = now;
    const seconds = (now - this.t0) / 1000;
    const { hooks, options, yScale } = this.setup;
    const { done, total } = this;
    hooks.onProgress?.({
      epoch: this.epoch,
      epochs: options.epochs,
      progress: Math.min(1, done / total),
      loss: (this.windowLoss / Math.max(1, this.windowRows)) * yScale * yScale,
      learningRate: options.lr,
      speed: done / seconds,
      unit: "examples",
      etaSeconds: (seconds / done) * (total - done),
    });
    this.windowLoss = 0;
    this.windowRows = 0;
    if (hooks.shouldStop?.() === true) this.stopRequested = true;
  }

  /** Steps over `rows` rows of (x, y) in the order given, batch by batch. */
  run(x: Float64Array, y: Float64Array, order: Int32Array, rows: number): void {
    const { batchSize } = this.setup.options;
    for (let from = 0; from < rows && !this.stopRequested; from += batchSize) {
      this.step(x, y, order, from, Math.min(batchSize, rows - from));
      if (((from / batchSize) & 63) === 63) this.report();
    }
  }

  /** `values` standardised into `out`. */
  scaleTarget(values: Float64Array, out: Float64Array, count: number): void {
    const { yCenter, yScale } = this.setup;
    for (let i = 0; i < count; i++) out[i] = (values[i]! - yCenter) / yScale;
  }

  /** `weights` mapped back to the target's units. */
  unscaled(weights: Float64Array): Float64Array {
    const { yCenter, yScale } = this.setup;
    const out = new Float64Array(weights.length);
    out[0] = yCenter + yScale * (weights[0] ?? 0);
    for (let j = 1; j < weights.length; j++) out[j] = yScale * (weights[j] ?? 0);
    return out;
  }
}

/** The whole table encoded with a standardised target, or null when the rows are streamed. */
function memoryRows(setup: SgdSetup, sgd: SgdRun): MemoryRows | null {
  const table = setup.source.table;
  if (table === null) return null;
  const p = setup.encoder.width;
  const x = new Float64Array(table.rows * p);
  setup.encoder.encode(table, x);
  const y = new Float64Array(table.rows);
  sgd.scaleTarget(table.target?.values ?? new Float64Array(table.rows), y, table.rows);
  const order = Int32Array.from({ length: table.rows }, (_, i) => i);
  return { x, y, order };
}

/** The shuffle buffer of a streamed file (`shuffleBuffer` rows, at least one batch). */
interface ShuffleBuffer {
  x: Float64Array;
  y: Float64Array;
  order: Int32Array;
  capacity: number;
}

function shuffleBuffer(setup: SgdSetup): ShuffleBuffer {
  const { batchSize, shuffleBuffer } = setup.options;
  const capacity = Math.max(batchSize, Math.min(shuffleBuffer, setup.rows));
  const x = new Float64Array(capacity * setup.encoder.width);
  return { x, y: new Float64Array(capacity), order: new Int32Array(capacity), capacity };
}

/** One epoch over a streamed file: rows gathered in a buffer, each full buffer shuffled and run. */
async function streamedEpoch(setup: SgdSetup, sgd: SgdRun, rng: Random, buf: ShuffleBuffer): Promise<void> {
  const p = setup.encoder.width;
  const { capacity, order: bufferOrder } = buf;
  let filled = 0;
  const drain = (): void => {
    for (let i = 0; i < filled; i++) bufferOrder[i] = i;
    rng.shuffle(bufferOrder.subarray(0, filled));
    sgd.run(buf.x, buf.y, bufferOrder, filled);
    filled = 0;
  };
  const pass = setup.source.pass(setup.read);
  let scratch = new Float64Array(0);
  for await (const chunk of pass.rows) {
    if (scratch.length < chunk.rows * p) scratch = new Float64Array(chunk.rows * p);
    setup.encoder.encode(chunk, scratch, 0, chunk.rows);
    const targets = chunk.target?.values ?? new Float64Array(chunk.rows);
    let at = 0;
    while (at < chunk.rows) {
      const take = Math.min(capacity - filled, chunk.rows - at);
      buf.x.set(scratch.subarray(at * p, (at + take) * p), filled * p);
      sgd.scaleTarget(targets.subarray(at, at + take), buf.y.subarray(filled, filled + take), take);
      filled += take;
      at += take;
      if (filled === capacity) drain();
    }
    if (sgd.stopRequested) break;
  }
  if (filled > 0 && !sgd.stopRequested) drain();
}

/** The result of a finished run: the best weights kept when the last epoch did not improve. */
function finish(setup: SgdSetup, sgd: SgdRun, summaries: EpochSummary[], best: Float64Array | null) {
  const { options, hooks } = setup;
  const last = summaries.at(-1);
  if (best !== null && last !== undefined && last.improved === false) sgd.w.set(best);
  const seconds = sgd.seconds();
  hooks.onProgress?.({
    epoch: summaries.length,
    epochs: options.epochs,
    progress: 1,
    loss: last !== undefined ? last.trainLoss : Number.NaN,
    learningRate: options.lr,
    speed: sgd.done / seconds,
    unit: "examples",
    etaSeconds: 0,
  });
  return { weights: sgd.unscaled(sgd.w), examplesPerSecond: sgd.done / seconds };
}

/** Trains by minibatch SGD; see the file header. */
export async function trainSgd(setup: SgdSetup): Promise<SgdResult> {
  const { options, hooks, yScale } = setup;
  const maxEpochs = options.epochs;
  const rng = new Random(options.seed);
  const sgd = new SgdRun(setup);
  const memory = memoryRows(setup, sgd);
  const buffer = memory === null ? shuffleBuffer(setup) : null;
  const stopper = new EarlyStopping({ patience: options.patience });
  const summaries: EpochSummary[] = [];
  let best: Float64Array | null = null;
  let stoppedEarly = false;
  for (let epoch = 1; epoch <= maxEpochs; epoch++) {
    sgd.epoch = epoch;
    const epochStart = performance.now();
    sgd.epochLoss = 0;
    const before = sgd.done;
    if (memory !== null) {
      rng.shuffle(memory.order);
      sgd.run(memory.x, memory.y, memory.order, memory.order.length);
    } else if (buffer !== null) {
      await streamedEpoch(setup, sgd, rng, buffer);
    }
    const seen = sgd.done - before;
    const summary: EpochSummary = {
      epoch,
      trainLoss: seen === 0 ? Number.NaN : (sgd.epochLoss / seen) * yScale * yScale,
      seconds: (performance.now() - epochStart) / 1000,
    };
    if (setup.dev !== null) {
      const metrics = encodedMetrics(sgd.unscaled(sgd.w), setup.dev);
      summary.dev = { mse: metrics.mse, rmse: metrics.rmse, mae: metrics.mae, r2: metrics.r2 };
      summary.improved = stopper.update(-metrics.mse);
      if (summary.improved && options.patience > 0) best = sgd.w.slice();
    }
    summaries.push(summary);
    hooks.onEpochEnd?.(summary);
    if (stopper.shouldStop || sgd.stopRequested) {
      stoppedEarly = epoch < maxEpochs;
      break;
    }
  }
  const bestEpoch = setup.dev !== null ? stopper.bestEpoch : summaries.length;
  return { ...finish(setup, sgd, summaries, best), epochs: summaries, stoppedEarly, bestEpoch };
}
