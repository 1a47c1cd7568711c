/**
 * What text and numeric clustering share: k-means for one k or for each k of a range,
 * the silhouette of each, and the choice of k by the highest silhouette.
 */

import type { TrainHooks } from "../../core/index.ts";
import { TextkitError } from "../../core/index.ts";
import { type KMeansData, type KMeansResult, kMeans, silhouette } from "../numeric/index.ts";
import { type KMeansSettings, kValues } from "./options.ts";

/** One k tried: its best inertia and its silhouette (null where it is undefined, e.g. k = 1). */
export interface KChoice {
  k: number;
  inertia: number;
  silhouette: number | null;
  iterations: number;
  seconds: number;
}

export interface FitOutcome {
  /** The k-means result of the chosen k. */
  result: KMeansResult;
  k: number;
  silhouette: number | null;
  /** Every k tried, smallest first. */
  table: KChoice[];
}

/**
 * Runs k-means for each k asked for and keeps the one with the highest silhouette (the
 * smallest k on a tie); a single k is kept whatever its silhouette. `what` names the rows
 * in messages ("texts", "rows").
 */
export function fitKMeans(
  data: KMeansData,
  n: number,
  dim: number,
  settings: KMeansSettings,
  what: string,
  hooks: TrainHooks = {},
): FitOutcome {
  const ks = kValues(settings.k);
  const largest = ks[ks.length - 1]!;
  if (n < largest) {
    throw new TextkitError(
      "OPTION_INVALID",
      `${largest} clusters need at least ${largest} ${what}; there are ${n}. Ask for fewer clusters (k)`,
    );
  }
  const table: KChoice[] = [];
  let best: { result: KMeansResult; k: number; silhouette: number | null } | null = null;
  const runs = ks.length * settings.nInit;
  const started = performance.now();
  for (let ki = 0; ki < ks.length; ki++) {
    const k = ks[ki]!;
    const t0 = performance.now();
    const result = kMeans(
      data,
      n,
      dim,
      {
        k,
        nInit: settings.nInit,
        maxIterations: settings.maxIterations,
        tol: settings.tol,
        metric: settings.metric,
        seed: settings.seed,
      },
      {
        onProgress: (p) => {
          if (hooks.onProgress === undefined) return;
          const progress = (ki + p.progress) / ks.length;
          const seconds = (performance.now() - started) / 1000;
          hooks.onProgress({
            ...p,
            epoch: ki * settings.nInit + p.epoch,
            epochs: runs,
            progress,
            // Runs often converge long before maxIterations, so this errs on the long side.
            etaSeconds: progress > 0 ? (seconds * (1 - progress)) / progress : Number.NaN,
          });
        },
        onEpochEnd: (s) => hooks.onEpochEnd?.({ ...s, epoch: ki * settings.nInit + s.epoch }),
        shouldStop: () => hooks.shouldStop?.() === true,
      },
    );
    let score: number | null = null;
    if (k >= 2 && k < n) {
      try {
        score = silhouette(data, n, dim, result.assignments, k, {
          sampleSize: settings.silhouetteSample,
          seed: settings.seed,
          metric: settings.metric,
        });
      } catch (error) {
        // Fewer distinct clusters than two among the rows scored (duplicates): no silhouette.
        if (!(error instanceof TextkitError && error.code === "INPUT_INVALID")) throw error;
      }
    }
    table.push({
      k,
      inertia: result.inertia,
      silhouette: score,
      iterations: result.iterations,
      seconds: (performance.now() - t0) / 1000,
    });
    const better = best === null || (score !== null && (best.silhouette === null || score > best.silhouette));
    if (better) best = { result, k, silhouette: score };
    if (hooks.shouldStop?.() === true) break;
  }
  return { result: best!.result, k: best!.k, silhouette: best!.silhouette, table };
}
