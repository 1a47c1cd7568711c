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

/** Trains by minibatch SGD; see the file header. */
export async function trainSgd(setup: SgdSetup): Promise<SgdResult> {
  const { encoder, options, hooks, yCenter, yScale } = setup;
  const p = encoder.width;
  const { batchSize, lr, epochs: maxEpochs } = options;
  const alpha = options.alpha ?? 0;
  const w = new Float64Array(p + 1);
  const grad = new Float64Array(p + 1);
  const rng = new Random(options.seed);
  const t0 = performance.now();
  const total = setup.rows * maxEpochs;
  let done = 0;
  let lastReport = t0;
  let windowLoss = 0;
  let windowRows = 0;
  let epoch = 0;
  let epochLoss = 0;
  let stopRequested = false;

  /** One step on rows order[from .. from + count) of (x, y); y is already standardised. */
  const step = (x: Float64Array, y: Float64Array, order: Int32Array, from: number, count: number): void => {
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
    epochLoss += loss;
    windowLoss += loss;
    windowRows += count;
    done += count;
  };

  const report = (): void => {
    const now = performance.now();
    if (now - lastReport < 200) return;
    lastReport = now;
    const seconds = (now - t0) / 1000;
    hooks.onProgress?.({
      epoch,
      epochs: maxEpochs,
      progress: Math.min(1, done / total),
      loss: (windowLoss / Math.max(1, windowRows)) * yScale * yScale,
      learningRate: lr,
      speed: done / seconds,
      unit: "examples",
      etaSeconds: (seconds / done) * (total - done),
    });
    windowLoss = 0;
    windowRows = 0;
    if (hooks.shouldStop?.() === true) stopRequested = true;
  };

  /** Steps over `rows` rows of (x, y) in the order given, batch by batch. */
  const run = (x: Float64Array, y: Float64Array, order: Int32Array, rows: number): void => {
    for (let from = 0; from < rows && !stopRequested; from += batchSize) {
      step(x, y, order, from, Math.min(batchSize, rows - from));
      if (((from / batchSize) & 63) === 63) report();
    }
  };

  const scaleTarget = (values: Float64Array, out: Float64Array, count: number): void => {
    for (let i = 0; i < count; i++) out[i] = (values[i]! - yCenter) / yScale;
  };

  // Rows in memory: encoded once, shuffled whole each epoch.
  let memory: { x: Float64Array; y: Float64Array; order: Int32Array } | null = null;
  const table = setup.source.table;
  if (table !== null) {
    const x = new Float64Array(table.rows * p);
    encoder.encode(table, x);
    const y = new Float64Array(table.rows);
    scaleTarget(table.target!.values, y, table.rows);
    const order = new Int32Array(table.rows);
    for (let i = 0; i < order.length; i++) order[i] = i;
    memory = { x, y, order };
  }
  const capacity = Math.max(batchSize, Math.min(options.shuffleBuffer, setup.rows));
  const buffer =
    memory === null ? { x: new Float64Array(capacity * p), y: new Float64Array(capacity) } : null;
  const bufferOrder = new Int32Array(memory === null ? capacity : 0);

  const stopper = new EarlyStopping({ patience: options.patience });
  const summaries: EpochSummary[] = [];
  let best: Float64Array | null = null;
  let stoppedEarly = false;
  const unscaled = (weights: Float64Array): Float64Array => {
    const out = new Float64Array(weights.length);
    out[0] = yCenter + yScale * weights[0]!;
    for (let j = 1; j < weights.length; j++) out[j] = yScale * weights[j]!;
    return out;
  };

  for (epoch = 1; epoch <= maxEpochs; epoch++) {
    const epochStart = performance.now();
    epochLoss = 0;
    const before = done;
    if (memory !== null) {
      rng.shuffle(memory.order);
      run(memory.x, memory.y, memory.order, memory.order.length);
    } else {
      const buf = buffer!;
      let filled = 0;
      const drain = (): void => {
        for (let i = 0; i < filled; i++) bufferOrder[i] = i;
        rng.shuffle(bufferOrder.subarray(0, filled));
        run(buf.x, buf.y, bufferOrder, filled);
        filled = 0;
      };
      const pass = setup.source.pass(setup.read);
      let scratch = new Float64Array(0);
      for await (const chunk of pass.rows) {
        if (scratch.length < chunk.rows * p) scratch = new Float64Array(chunk.rows * p);
        encoder.encode(chunk, scratch, 0, chunk.rows);
        const targets = chunk.target!.values;
        let at = 0;
        while (at < chunk.rows) {
          const take = Math.min(capacity - filled, chunk.rows - at);
          buf.x.set(scratch.subarray(at * p, (at + take) * p), filled * p);
          scaleTarget(targets.subarray(at, at + take), buf.y.subarray(filled, filled + take), take);
          filled += take;
          at += take;
          if (filled === capacity) drain();
        }
        if (stopRequested) break;
      }
      if (filled > 0 && !stopRequested) drain();
    }
    const seen = done - before;
    const summary: EpochSummary = {
      epoch,
      trainLoss: seen === 0 ? Number.NaN : (epochLoss / seen) * yScale * yScale,
      seconds: (performance.now() - epochStart) / 1000,
    };
    if (setup.dev !== null) {
      const metrics = encodedMetrics(unscaled(w), setup.dev);
      summary.dev = { mse: metrics.mse, rmse: metrics.rmse, mae: metrics.mae, r2: metrics.r2 };
      summary.improved = stopper.update(-metrics.mse);
      if (summary.improved && options.patience > 0) best = w.slice();
    }
    summaries.push(summary);
    hooks.onEpochEnd?.(summary);
    if (stopper.shouldStop || stopRequested) {
      stoppedEarly = epoch < maxEpochs;
      break;
    }
  }
  const lastImproved = summaries.length > 0 && summaries[summaries.length - 1]!.improved !== false;
  if (best !== null && !lastImproved) w.set(best);
  const seconds = (performance.now() - t0) / 1000;
  hooks.onProgress?.({
    epoch: summaries.length,
    epochs: maxEpochs,
    progress: 1,
    loss: summaries.length > 0 ? summaries[summaries.length - 1]!.trainLoss : Number.NaN,
    learningRate: lr,
    speed: done / seconds,
    unit: "examples",
    etaSeconds: 0,
  });
  return {
    weights: unscaled(w),
    epochs: summaries,
    stoppedEarly,
    bestEpoch: setup.dev !== null ? stopper.bestEpoch : summaries.length,
    examplesPerSecond: done / seconds,
  };
}
