/**
 * The training progress line. On a terminal it is one line redrawn in place; in a log file
 * or a CI job it is a plain line at most every few seconds, so that logs stay short and
 * carry no carriage returns.
 */

/** Where training stands, in the units of whichever trainer reports it. */
export interface ProgressState {
  epoch: number;
  epochs: number;
  /** What `epoch` counts ("epoch" when absent): "run", "pass", "iteration". */
  stage?: string;
  /** What `loss` is ("loss" when absent): "inertia", "mse". */
  lossName?: string;
  /** Fraction of all planned work done, 0..1. */
  progress: number;
  /** Left out of the line when absent (work that has no loss, such as an import). */
  loss?: number;
  /** Left out of the line when absent. */
  learningRate?: number;
  /** Units per second. */
  speed: number;
  /** What `speed` counts, as shown before "/s": "tok", "words", "ex". */
  unit: string;
  etaSeconds: number;
}

/** The part of stderr the bar uses. */
export interface ProgressStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressBarOptions {
  /** Write nothing at all. */
  quiet?: boolean;
  /** Redraw one line in place; default: whether the stream is a terminal. */
  tty?: boolean;
  /** Least time between two plain lines when not on a terminal (default 2000 ms). */
  intervalMs?: number;
  /** Least time between two redraws on a terminal (default 100 ms). */
  redrawMs?: number;
  /** Cells between the brackets (default 20). */
  barWidth?: number;
  /** Milliseconds from a fixed origin; for tests. */
  now?: () => number;
}

/**
 * A whole count in a few characters: 950, 412k, 1.2M.
 *
 * @example
 * formatCount(412_345); // "412k"
 */
export function formatCount(n: number): string {
  if (!Number.isFinite(n) || n < 0) return "?";
  if (n < 1000) return String(Math.round(n));
  if (n < 999_500) return `${Math.round(n / 1000)}k`;
  if (n < 999_950_000) return `${(n / 1e6).toFixed(1)}M`;
  return `${(n / 1e9).toFixed(1)}G`;
}

/**
 * Seconds as m:ss, or h:mm:ss from an hour on.
 *
 * @example
 * formatDuration(72); // "1:12"
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "?";
  const total = Math.round(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

/** The learning rate with three significant digits and no trailing zeros. */
/** Four decimals for losses near 1; k-means inertia and squared errors run into the millions. */
function formatLoss(loss: number): string {
  return Math.abs(loss) >= 1000 ? String(Number(loss.toPrecision(6))) : loss.toFixed(4);
}

function formatRate(lr: number): string {
  return Number.isFinite(lr) ? String(Number(lr.toPrecision(3))) : "?";
}

/**
 * One progress line: `epoch 3/10 [=====>    ] 45% loss 0.8123 lr 0.275 412k tok/s ETA 0:12`.
 *
 * @example
 * formatProgress({ epoch: 3, epochs: 10, progress: 0.45, loss: 0.8123, learningRate: 0.275,
 *   speed: 412_000, unit: "tok", etaSeconds: 12 }, 10);
 */
export function formatProgress(state: ProgressState, barWidth = 20): string {
  const p = Math.min(1, Math.max(0, Number.isFinite(state.progress) ? state.progress : 0));
  const filled = Math.round(p * barWidth);
  const bar =
    filled >= barWidth ? "=".repeat(barWidth) : `${"=".repeat(filled)}>${" ".repeat(barWidth - filled - 1)}`;
  const percent = Math.floor(p * 100);
  const lossName = state.lossName ?? "loss";
  const loss =
    state.loss === undefined
      ? ""
      : ` ${lossName} ${Number.isFinite(state.loss) ? formatLoss(state.loss) : "?"}`;
  const lr = state.learningRate === undefined ? "" : ` lr ${formatRate(state.learningRate)}`;
  return (
    `${state.stage ?? "epoch"} ${state.epoch}/${state.epochs} [${bar}] ${percent}%${loss}${lr} ` +
    `${formatCount(state.speed)} ${state.unit}/s ETA ${formatDuration(state.etaSeconds)}`
  );
}

const CLEAR_LINE = "\r\x1b[K";

/**
 * Draws progress on stderr and prints lines (epoch summaries) around it.
 *
 * @example
 * const bar = new ProgressBar(process.stderr, { quiet: false });
 * bar.update({ epoch: 1, epochs: 5, progress: 0.1, loss: 1.2, learningRate: 0.45, speed: 2e5, unit: "tok", etaSeconds: 9 });
 * bar.log("epoch 1/5 loss 1.1000");
 * bar.finish();
 */
export class ProgressBar {
  private readonly stream: ProgressStream;
  private readonly quiet: boolean;
  private readonly tty: boolean;
  private readonly intervalMs: number;
  private readonly redrawMs: number;
  private readonly barWidth: number;
  private readonly now: () => number;
  /** What the terminal shows on the bar's line now, "" when nothing. */
  private shown = "";
  private lastWrite = Number.NEGATIVE_INFINITY;

  constructor(stream: ProgressStream, options: ProgressBarOptions = {}) {
    this.stream = stream;
    this.quiet = options.quiet ?? false;
    this.tty = options.tty ?? stream.isTTY === true;
    this.intervalMs = options.intervalMs ?? 2000;
    this.redrawMs = options.redrawMs ?? 100;
    this.barWidth = options.barWidth ?? 20;
    this.now = options.now ?? (() => performance.now());
  }

  /** Shows `state`, unless the last line went out too recently (the final state, progress 1, always shows on a terminal). */
  update(state: ProgressState): void {
    if (this.quiet) return;
    const now = this.now();
    if (this.tty) {
      if (now - this.lastWrite < this.redrawMs && state.progress < 1) return;
      this.lastWrite = now;
      this.shown = this.fit(formatProgress(state, this.barWidth));
      this.stream.write(`${CLEAR_LINE}${this.shown}`);
    } else {
      if (now - this.lastWrite < this.intervalMs) return;
      this.lastWrite = now;
      this.stream.write(`${formatProgress(state, this.barWidth)}\n`);
    }
  }

  /** Prints a line that stays, above the bar on a terminal. */
  log(line: string): void {
    if (this.quiet) return;
    if (this.tty && this.shown !== "") {
      this.stream.write(`${CLEAR_LINE}${line}\n${this.shown}`);
    } else {
      this.stream.write(`${line}\n`);
    }
  }

  /** Removes the bar from the terminal; later output starts on a clean line. */
  finish(): void {
    if (this.quiet) return;
    if (this.tty && this.shown !== "") this.stream.write(CLEAR_LINE);
    this.shown = "";
  }

  /** Cuts the line to the terminal's width, so that a redraw never wraps onto a second line. */
  private fit(line: string): string {
    const columns = this.stream.columns;
    return columns !== undefined && columns > 1 && line.length >= columns ? line.slice(0, columns - 1) : line;
  }
}
