/**
 * k-means on dense rows or sparse (CSR) rows: greedy k-means++ seeding, Lloyd iterations
 * with scikit-learn's stopping rule, several restarts keeping the lowest inertia, a cosine
 * (spherical) variant for text, the silhouette score, and assignment of new rows. Used to
 * turn word vectors into word clusters for the tagger, and by the cluster model family.
 *
 * The steps follow scikit-learn's KMeans (algorithm "lloyd") so that the same data gives
 * the same quality of result: k-means++ with 2 + ln(k) candidates per centre, convergence
 * when no row changes cluster or when the centres move less (in total squared distance)
 * than `tol` times the mean variance of the features, a last assignment so that labels
 * match the centres, and empty clusters refilled with the rows farthest from their centre.
 * Speed without changing the result: iterations keep Hamerly's distance bounds, so that a
 * row is compared with every centre only when it may have changed cluster; k-means++ skips
 * candidates the triangle inequality rules out, and on sparse rows reads only the rows that
 * share a column with the candidate; each cluster's sum is kept between iterations, so only
 * the rows that changed cluster are read again.
 *
 * The parts, one idea a file: kmeans-rows.ts (the data as the loops read it),
 * kmeans-kernels.ts (distances), kmeans-seeding.ts (k-means++), kmeans-hamerly.ts (the
 * bounds), kmeans-centroids.ts (the centres of an iteration), kmeans-predict.ts (new rows),
 * kmeans-silhouette.ts (the silhouette score); this file runs the restarts and iterations.
 */
import type { TrainHooks } from "../../core/index.ts";
import { checkInt, Random, TextkitError } from "../../core/index.ts";
import { CentroidSums, ownDistances, squaredShift, updateCentroids } from "./kmeans-centroids.ts";
import { HamerlyBounds } from "./kmeans-hamerly.ts";

import type { KMeansData, Rows } from "./kmeans-rows.ts";
import { buildColumnIndex, checkShape, meanVariance, prepareRows } from "./kmeans-rows.ts";
import { newSeedScratch, type SeedScratch, seedCentroids } from "./kmeans-seeding.ts";

export const KMEANS_METRICS = ["euclidean", "cosine"] as const;
/**
 * euclidean: squared Euclidean distance (scikit-learn's KMeans). cosine: rows and centres
 * are scaled to unit length and the distance is 1 - cosine similarity (spherical k-means,
 * for TF-IDF and averaged word vectors).
 */
export type KMeansMetric = (typeof KMEANS_METRICS)[number];

export interface KMeansOptions {
  k: number;
  /** Seed of the random numbers (default 1); the same seed and data give the same result. */
  seed?: number;
  /** Most Lloyd iterations per restart (default 300, as scikit-learn's max_iter). */
  maxIterations?: number;
  /** Runs from different seedings; the one with the lowest inertia is kept (default 1; scikit-learn's n_init). */
  nInit?: number;
  /**
   * Convergence: stop when the centres move, in total squared distance, by at most tol times
   * the mean variance of the features (default 1e-4, as scikit-learn). 0 stops only when no
   * row changes cluster.
   */
  tol?: number;
  /** Default "euclidean". */
  metric?: KMeansMetric;
  /** k-means++ candidates tried per centre, the best kept (default 2 + floor(ln k), as scikit-learn; 1 = plain k-means++). */
  localTrials?: number;
}

/** How one restart ended. */
export interface KMeansRestart {
  inertia: number;
  iterations: number;
  /** False when it stopped at maxIterations (or was asked to stop). */
  converged: boolean;
  /** Seeding and iterations. */
  seconds: number;
}

export interface KMeansResult {
  /** Cluster of each row. */
  assignments: Int32Array;
  /** k × dim centroids (unit length for the cosine metric). */
  centroids: Float32Array;
  /**
   * Sum over rows of the distance to their centroid: squared Euclidean distance, or
   * 1 - cosine similarity for the cosine metric.
   */
  inertia: number;
  /** Lloyd iterations of the restart kept. */
  iterations: number;
  converged: boolean;
  /** Index of the restart kept (0-based). */
  bestRestart: number;
  restarts: KMeansRestart[];
  metric: KMeansMetric;
}

const DEFAULT_MAX_ITERATIONS = 300;
const DEFAULT_TOL = 1e-4;

/**
 * Clusters `n` rows of `dim` numbers (row-major in `data`, or sparse rows) into `k` groups,
 * keeping the best of `nInit` restarts. `hooks.onProgress` hears after every iteration
 * (epoch = restart, loss = inertia of the last assignment), `onEpochEnd` after each
 * restart, and `shouldStop` is asked between iterations.
 *
 * @example
 * const { assignments } = kMeans(new Float32Array([0, 0, 0, 1, 9, 9, 9, 8]), 4, 2, { k: 2, seed: 1 });
 * // rows 0 and 1 share a cluster; rows 2 and 3 share the other
 */
export function kMeans(
  data: KMeansData,
  n: number,
  dim: number,
  options: KMeansOptions,
  hooks: TrainHooks = {},
): KMeansResult {
  const o = resolveKMeansOptions(options, n);
  checkShape(data, n, dim, "k-means");
  const rows = prepareRows(data, n, dim, o.metric === "cosine");
  if (rows.sparse !== null) rows.byColumn = buildColumnIndex(rows.sparse, n, dim);
  const run: KMeansRun = {
    ...{
      rows,
      o,
      hooks,
      rng: new Random(options.seed ?? 1),
      tolerance: o.tol === 0 ? 0 : o.tol * meanVariance(rows),
    },
    ...{ centroids: new Float64Array(o.k * dim), next: new Float64Array(o.k * dim) },
    ...{ sums: new CentroidSums(n, o.k, dim), labels: new Int32Array(n), dist: new Float64Array(n) },
    ...{ seedScratch: newSeedScratch(rows, o.k, o.trials), bounds: new HamerlyBounds(rows, o.k) },
    ...{ started: performance.now(), rowsDone: 0, stopped: false },
  };
  let best: { labels: Int32Array; centroids: Float64Array; inertia: number; restart: number } | null = null;
  const restarts: KMeansRestart[] = [];
  for (let r = 0; r < o.nInit && !run.stopped; r++) {
    const restart = runRestart(run, r);
    restarts.push(restart);
    const { inertia } = restart;
    if (best === null || inertia < best.inertia) {
      best = { labels: run.labels.slice(), centroids: run.centroids.slice(), inertia, restart: r };
    }
    if (hooks.shouldStop?.() === true) run.stopped = true;
  }
  // nInit >= 1 and the first restart always runs, so `best` and its restart exist.
  const kept = best ?? { labels: run.labels, centroids: run.centroids, inertia: Number.NaN, restart: 0 };
  const restart = restarts[kept.restart];
  return {
    assignments: kept.labels,
    centroids: Float32Array.from(kept.centroids),
    inertia: kept.inertia,
    iterations: restart?.iterations ?? 0,
    converged: restart?.converged ?? false,
    bestRestart: kept.restart,
    restarts,
    metric: o.metric,
  };
}

/** The options with their defaults, checked. */
interface ResolvedKMeansOptions {
  k: number;
  nInit: number;
  maxIterations: number;
  tol: number;
  metric: KMeansMetric;
  trials: number;
}

function resolveKMeansOptions(options: KMeansOptions, n: number): ResolvedKMeansOptions {
  const k = options.k;
  if (!Number.isInteger(k) || k < 1)
    throw new TextkitError("OPTION_INVALID", `k must be a whole number >= 1, got ${k}`);
  if (n < k) throw new TextkitError("OPTION_INVALID", `k-means needs at least k = ${k} rows; there are ${n}`);
  const nInit = options.nInit ?? 1;
  const maxIterations = options.maxIterations ?? DEFAULT_MAX_ITERATIONS;
  const tol = options.tol ?? DEFAULT_TOL;
  const metric = options.metric ?? "euclidean";
  const trials = options.localTrials ?? 2 + Math.floor(Math.log(k));
  checkInt("nInit", nInit, 1, 10_000);
  checkInt("maxIterations", maxIterations, 1, 1_000_000);
  checkInt("localTrials", trials, 1, 1000);
  if (!(tol >= 0 && Number.isFinite(tol)))
    throw new TextkitError("OPTION_INVALID", `tol must be >= 0, got ${tol}`);
  if (!KMEANS_METRICS.includes(metric)) {
    throw new TextkitError(
      "OPTION_INVALID",
      `metric must be one of ${KMEANS_METRICS.join(", ")}, got '${metric}'`,
    );
  }
  return { k, nInit, maxIterations, tol, metric, trials };
}

/** The buffers every restart reuses, and the progress across restarts. */
interface KMeansRun {
  rows: Rows;
  o: ResolvedKMeansOptions;
  hooks: TrainHooks;
  rng: Random;
  tolerance: number;
  /** The current centres, and the buffer the next ones are written to (swapped each iteration). */
  centroids: Float64Array;
  next: Float64Array;
  sums: CentroidSums;
  labels: Int32Array;
  dist: Float64Array;
  seedScratch: SeedScratch;
  bounds: HamerlyBounds;
  started: number;
  rowsDone: number;
  stopped: boolean;
}

/** One Lloyd iteration: assign, move the centres, update the bounds. Returns the rows that changed cluster and the shift. */
function iterate(run: KMeansRun): { changed: number; shift: number; loss: number } {
  const { rows, o, labels, dist, bounds, sums } = run;
  const k = o.k;
  const changed = bounds.assign(rows, run.centroids, k, labels);
  // The bounds leave most distances uncomputed; they are computed when needed.
  let distExact = false;
  let loss = Number.NaN;
  if (run.hooks.onProgress !== undefined) {
    loss = ownDistances(rows, run.centroids, k, labels, dist);
    distExact = true;
  }
  updateCentroids(rows, labels, run.centroids, dist, distExact, k, run.next, sums);
  const shift = squaredShift(run.centroids, run.next);
  bounds.moved(rows, run.centroids, run.next, k, labels);
  const swap = run.centroids;
  run.centroids = run.next;
  run.next = swap;
  run.rowsDone += rows.n;
  return { changed, shift, loss };
}

function reportIteration(run: KMeansRun, r: number, iterations: number, loss: number): void {
  const { nInit, maxIterations } = run.o;
  const seconds = (performance.now() - run.started) / 1000;
  const progress = (r + iterations / maxIterations) / nInit;
  run.hooks.onProgress?.({
    epoch: r + 1,
    epochs: nInit,
    stage: "run",
    lossName: "inertia",
    progress,
    loss,
    speed: seconds > 0 ? run.rowsDone / seconds : 0,
    unit: "examples",
    etaSeconds: progress > 0 ? (seconds * (1 - progress)) / progress : Number.NaN,
  });
}

/** Restart `r`: seeding, then iterations until convergence, maxIterations or a stop request. */
function runRestart(run: KMeansRun, r: number): KMeansRestart {
  const { rows, o, hooks, labels, bounds } = run;
  const restartStart = performance.now();
  seedCentroids(rows, o.k, o.trials, run.rng, run.centroids, run.seedScratch);
  labels.fill(-1);
  bounds.reset();
  run.sums.reset();
  let iterations = 0;
  let strict = false;
  let converged = false;
  for (let it = 0; it < o.maxIterations; it++) {
    const { changed, shift, loss } = iterate(run);
    iterations = it + 1;
    if (hooks.onProgress !== undefined) reportIteration(run, r, iterations, loss);
    if (changed === 0) {
      strict = true;
      converged = true;
      break;
    }
    if (shift <= run.tolerance) {
      converged = true;
      break;
    }
    if (hooks.shouldStop?.() === true) {
      run.stopped = true;
      break;
    }
  }
  // The labels were made with the centres before the last update; match them to the final centres.
  if (!strict) bounds.assign(rows, run.centroids, o.k, labels);
  const inertia = ownDistances(rows, run.centroids, o.k, labels, run.dist);
  const seconds = (performance.now() - restartStart) / 1000;
  hooks.onEpochEnd?.({ epoch: r + 1, trainLoss: inertia, seconds });
  return { inertia, iterations, converged, seconds };
}
