/**
 * Metrics of ranked recommendation lists at a cut-off K, with binary relevance (an item
 * the user went on to engage with is relevant), as the recommender literature defines
 * them; and RMSE/MAE for predicted ratings.
 */
import { TextkitError } from "../core/index.ts";

function checkK(k: number): void {
  if (!Number.isInteger(k) || k < 1)
    throw new TextkitError("OPTION_INVALID", `k must be a whole number >= 1, got ${k}`);
}

function hitsAt<T>(ranked: readonly T[], relevant: ReadonlySet<T>, k: number): number {
  let hits = 0;
  const n = Math.min(k, ranked.length);
  for (let i = 0; i < n; i++) if (relevant.has(ranked[i]!)) hits++;
  return hits;
}

/**
 * 1 when at least one of the first `k` items is relevant, else 0.
 *
 * @example
 * hitRateAtK(["a", "b", "c"], new Set(["c"]), 2); // 0
 */
export function hitRateAtK<T>(ranked: readonly T[], relevant: ReadonlySet<T>, k: number): number {
  checkK(k);
  return hitsAt(ranked, relevant, k) > 0 ? 1 : 0;
}

/**
 * Relevant items among the first `k`, divided by `k` (a list shorter than k is not excused).
 *
 * @example
 * precisionAtK(["a", "b", "c", "d"], new Set(["a", "c"]), 4); // 0.5
 */
export function precisionAtK<T>(ranked: readonly T[], relevant: ReadonlySet<T>, k: number): number {
  checkK(k);
  return hitsAt(ranked, relevant, k) / k;
}

/**
 * Relevant items among the first `k`, divided by the number of relevant items (0 when there are none).
 *
 * @example
 * recallAtK(["a", "b"], new Set(["a", "x", "y"]), 2); // 1/3
 */
export function recallAtK<T>(ranked: readonly T[], relevant: ReadonlySet<T>, k: number): number {
  checkK(k);
  return relevant.size === 0 ? 0 : hitsAt(ranked, relevant, k) / relevant.size;
}

/**
 * Normalised discounted cumulative gain: a relevant item at rank i (1-based) gains
 * 1 / log2(i + 1); the sum is divided by the gain of an ideal list, whose first
 * min(k, |relevant|) items are all relevant.
 *
 * @example
 * ndcgAtK(["x", "a"], new Set(["a"]), 2); // (1 / log2 3) / 1 = 0.6309...
 */
export function ndcgAtK<T>(ranked: readonly T[], relevant: ReadonlySet<T>, k: number): number {
  checkK(k);
  if (relevant.size === 0) return 0;
  let dcg = 0;
  const n = Math.min(k, ranked.length);
  for (let i = 0; i < n; i++) if (relevant.has(ranked[i]!)) dcg += 1 / Math.log2(i + 2);
  let ideal = 0;
  const m = Math.min(k, relevant.size);
  for (let i = 0; i < m; i++) ideal += 1 / Math.log2(i + 2);
  return dcg / ideal;
}

/**
 * Average precision at k: the mean of precision@i over the ranks i of the relevant items
 * among the first k, divided by min(k, |relevant|) (so a perfect list scores 1).
 *
 * @example
 * averagePrecisionAtK(["a", "x", "b"], new Set(["a", "b"]), 3); // (1/1 + 2/3) / 2 = 0.8333...
 */
export function averagePrecisionAtK<T>(ranked: readonly T[], relevant: ReadonlySet<T>, k: number): number {
  checkK(k);
  if (relevant.size === 0) return 0;
  let hits = 0;
  let sum = 0;
  const n = Math.min(k, ranked.length);
  for (let i = 0; i < n; i++) {
    if (relevant.has(ranked[i]!)) {
      hits++;
      sum += hits / (i + 1);
    }
  }
  return sum / Math.min(k, relevant.size);
}

/**
 * The share of the catalogue that appears in at least one list's first `k` items.
 *
 * @example
 * catalogCoverage([["a", "b"], ["b", "c"]], 10, 2); // 0.3
 */
export function catalogCoverage<T>(lists: Iterable<readonly T[]>, catalogSize: number, k: number): number {
  checkK(k);
  if (!(catalogSize > 0)) return 0;
  const seen = new Set<T>();
  for (const list of lists) {
    const n = Math.min(k, list.length);
    for (let i = 0; i < n; i++) seen.add(list[i]!);
  }
  return seen.size / catalogSize;
}

function checkPairs(truth: ArrayLike<number>, predicted: ArrayLike<number>): void {
  if (truth.length !== predicted.length) {
    throw new TextkitError(
      "EVAL_LENGTH_MISMATCH",
      `${truth.length} true values but ${predicted.length} predictions`,
    );
  }
  if (truth.length === 0) throw new TextkitError("EVAL_EMPTY", "no values to compare");
}

/**
 * Root mean squared error.
 *
 * @example
 * rmse([3, 4], [4, 4]); // sqrt(0.5) = 0.7071...
 */
export function rmse(truth: ArrayLike<number>, predicted: ArrayLike<number>): number {
  checkPairs(truth, predicted);
  let sum = 0;
  for (let i = 0; i < truth.length; i++) sum += (truth[i]! - predicted[i]!) ** 2;
  return Math.sqrt(sum / truth.length);
}

/**
 * Mean absolute error.
 *
 * @example
 * mae([3, 4], [4, 2]); // 1.5
 */
export function mae(truth: ArrayLike<number>, predicted: ArrayLike<number>): number {
  checkPairs(truth, predicted);
  let sum = 0;
  for (let i = 0; i < truth.length; i++) sum += Math.abs(truth[i]! - predicted[i]!);
  return sum / truth.length;
}

/** One user's ranked list and the items that were relevant to them. */
export interface RankedCase<T> {
  ranked: readonly T[];
  relevant: ReadonlySet<T>;
}

/** Ranking metrics at k, each the mean over the users scored (see rankingReport). */
export interface RankingReport {
  k: number;
  /** Users with at least one relevant item: the ones the means are over. */
  users: number;
  hitRate: number;
  precision: number;
  recall: number;
  ndcg: number;
  map: number;
  /** Share of the catalogue in at least one user's top k. */
  coverage: number;
}

/**
 * Every ranking metric at k, averaged over the users that have a relevant item (a user
 * with none cannot be scored and is left out of every mean, coverage included).
 *
 * @example
 * rankingReport([{ ranked: ["a", "b"], relevant: new Set(["b"]) }], 2, 4);
 * // { k: 2, users: 1, hitRate: 1, precision: 0.5, recall: 1, ndcg: 0.6309..., map: 0.5, coverage: 0.5 }
 */
export function rankingReport<T>(
  cases: readonly RankedCase<T>[],
  k: number,
  catalogSize: number,
): RankingReport {
  checkK(k);
  let users = 0;
  let hitRate = 0;
  let precision = 0;
  let recall = 0;
  let ndcg = 0;
  let map = 0;
  const lists: (readonly T[])[] = [];
  for (const c of cases) {
    if (c.relevant.size === 0) continue;
    users++;
    hitRate += hitRateAtK(c.ranked, c.relevant, k);
    precision += precisionAtK(c.ranked, c.relevant, k);
    recall += recallAtK(c.ranked, c.relevant, k);
    ndcg += ndcgAtK(c.ranked, c.relevant, k);
    map += averagePrecisionAtK(c.ranked, c.relevant, k);
    lists.push(c.ranked);
  }
  const mean = (x: number) => (users === 0 ? 0 : x / users);
  return {
    k,
    users,
    hitRate: mean(hitRate),
    precision: mean(precision),
    recall: mean(recall),
    ndcg: mean(ndcg),
    map: mean(map),
    coverage: catalogCoverage(lists, catalogSize, k),
  };
}

/**
 * Ranking reports side by side, one row per system:
 *
 * ```
 * model        users  HR@10  P@10   R@10   NDCG@10  MAP@10  coverage
 * als            943  0.6702 0.1580 0.1580  0.1964  0.1034    0.2408
 * ```
 */
export function formatRankingReports(
  rows: readonly { name: string; report: RankingReport }[],
  digits = 4,
): string {
  if (rows.length === 0) return "";
  const k = rows[0]!.report.k;
  const header = ["model", "users", `HR@${k}`, `P@${k}`, `R@${k}`, `NDCG@${k}`, `MAP@${k}`, "coverage"];
  const body = rows.map(({ name, report: r }) => [
    name,
    String(r.users),
    ...[r.hitRate, r.precision, r.recall, r.ndcg, r.map, r.coverage].map((x) => x.toFixed(digits)),
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...body.map((row) => row[c]!.length)));
  const line = (cells: string[]) =>
    cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  ");
  return `${[line(header), ...body.map(line)].join("\n")}\n`;
}
