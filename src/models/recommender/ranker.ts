/**
 * The hybrid's ranker: a linear score over its candidates' features, learned listwise by
 * coordinate ascent on NDCG@10 over held-out interactions (the method of RankLib's
 * CoordinateAscent), starting from the factor model alone and keeping it when no blend
 * does better on the held-out users.
 */
import { TextkitError } from "../../core/index.ts";

/** The ranker's features, in order. */
export const HYBRID_FEATURES = [
  "factors",
  "knn",
  "content",
  "contentSimilarity",
  "popularity",
  "recency",
  "categoryAffinity",
] as const;
/** How many features each candidate has. */
export const FEATURE_COUNT = HYBRID_FEATURES.length;

/** A linear model over standardised features: score = bias + Σ weights · (x − mean) / std. */
export interface Ranker {
  means: number[];
  stds: number[];
  weights: number[];
  bias: number;
  /** False when training left too little to learn from and the weights are the defaults. */
  learned: boolean;
}

/** What the ranker starts from, and keeps when there is nothing to learn from. */
export function defaultRanker(): Ranker {
  return {
    means: new Array<number>(FEATURE_COUNT).fill(0),
    stds: new Array<number>(FEATURE_COUNT).fill(1),
    weights: [1, 1, 0.5, 0, 0, 0, 0],
    bias: 0,
    learned: false,
  };
}

function numbers(a: unknown): a is number[] {
  return Array.isArray(a) && a.length === FEATURE_COUNT && a.every((x) => typeof x === "number");
}

/** Checks a ranker read from an artifact. */
export function rankerOf(value: unknown, where: string): Ranker {
  if (value === null || typeof value !== "object") {
    throw new TextkitError("ARTIFACT_CORRUPT", `the hybrid ranker in ${where} is damaged`, { file: where });
  }
  const r = value as Record<string, unknown>;
  const { means, stds, weights, bias } = r;
  if (!numbers(means) || !numbers(stds) || !numbers(weights) || typeof bias !== "number") {
    throw new TextkitError("ARTIFACT_CORRUPT", `the hybrid ranker in ${where} is damaged`, { file: where });
  }
  return { means, stds, weights, bias, learned: r["learned"] === true };
}

/**
 * Held-out users' candidate lists for the ranker to learn from: raw features, which
 * candidates the user went on to engage with, and how many items they engaged with in all
 * (those the candidates missed still count in the ideal DCG).
 */
export class RankerData {
  /** Rows × FEATURE_COUNT raw features, users' rows contiguous. */
  readonly features: number[] = [];
  readonly relevant: number[] = [];
  /** Row offsets: user g's rows are starts[g] .. starts[g + 1]. */
  readonly starts: number[] = [0];
  /** Each user's count of relevant items, found among the candidates or not. */
  readonly relevantTotals: number[] = [];

  /** Users added. */
  get users(): number {
    return this.relevantTotals.length;
  }

  /** Rows added. */
  get rows(): number {
    return this.relevant.length;
  }

  /**
   * Adds one user's candidates (`features` holds `count` × FEATURE_COUNT values) and the
   * items they engaged with after. A user none of whose items are candidates is kept: the
   * ranker can do nothing for them, but they still count in the mean.
   */
  addUser(count: number, items: Int32Array, features: Float64Array, relevant: ReadonlySet<number>): void {
    for (let t = 0; t < count; t++) {
      for (let k = 0; k < FEATURE_COUNT; k++) this.features.push(features[t * FEATURE_COUNT + k] ?? 0);
      this.relevant.push(relevant.has(items[t] ?? -1) ? 1 : 0);
    }
    this.starts.push(this.relevant.length);
    this.relevantTotals.push(relevant.size);
  }
}

/** What fitting found: the ranker and the held-out NDCG@10 of it and of the factor model alone. */
export interface RankerFit {
  ranker: Ranker;
  /** Mean NDCG@10 over the held-out users with the learned weights. */
  ndcg: number;
  /** The same with the factor model's score alone. */
  factorsNdcg: number;
  /** True when no blend beat the factor model on the held-out users, so the ranker is the factor model's score alone. */
  factorsOnly: boolean;
  /** Two-fold cross-validated NDCG@10 gain of the blend over the factor model on the held-out users. */
  crossValidatedGain: number;
  /** The standard error of that gain (over users). */
  crossValidatedError: number;
}

/** Cut-off of the NDCG the ranker optimises. */
const NDCG_AT = 10;
/** Moves tried on each weight in turn (the factor model's weight stays 1: scores are scale-free). */
const STEPS = [-1, -0.5, -0.25, -0.1, -0.05, 0.05, 0.1, 0.25, 0.5, 1];
/** Passes over the weights at most. */
const ROUNDS = 8;
/** The blend is dropped when its cross-validated gain is more than this many standard errors below zero. */
const HARMFUL = 2;
/** A move is taken only when it gains at least this much held-out NDCG (against chasing noise). */
const MIN_GAIN = 2e-4;

/** @internal Per-feature means and standard deviations over all rows (unknown values skipped). */
export function standardisation(data: RankerData): { means: number[]; stds: number[] } {
  const n = data.rows;
  const means = new Array<number>(FEATURE_COUNT).fill(0);
  const squares = new Array<number>(FEATURE_COUNT).fill(0);
  const counts = new Array<number>(FEATURE_COUNT).fill(0);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < FEATURE_COUNT; k++) {
      const x = data.features[i * FEATURE_COUNT + k] ?? Number.NaN;
      if (Number.isNaN(x)) continue;
      means[k] = (means[k] ?? 0) + x;
      squares[k] = (squares[k] ?? 0) + x * x;
      counts[k] = (counts[k] ?? 0) + 1;
    }
  }
  const stds = new Array<number>(FEATURE_COUNT).fill(1);
  for (let k = 0; k < FEATURE_COUNT; k++) {
    const c = counts[k] ?? 0;
    const mean = c > 0 ? (means[k] ?? 0) / c : 0;
    means[k] = mean;
    const sd = c > 1 ? Math.sqrt(Math.max(0, (squares[k] ?? 0) / c - mean * mean)) : 0;
    stds[k] = sd > 1e-9 ? sd : 1;
  }
  return { means, stds };
}

/** Scores the held-out users' candidates with weights and returns the mean NDCG@10. */
/** @internal Scores held-out users' candidates under weights: mean and per-user NDCG@10. */
export class NdcgObjective {
  private readonly z: Float64Array;
  private readonly scores: Float64Array;
  private readonly top = new Int32Array(NDCG_AT);
  private readonly ideal: Float64Array;

  constructor(
    private readonly data: RankerData,
    means: readonly number[],
    stds: readonly number[],
  ) {
    const n = data.rows;
    this.z = new Float64Array(n * FEATURE_COUNT);
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < FEATURE_COUNT; k++) {
        const x = data.features[i * FEATURE_COUNT + k] ?? Number.NaN;
        // An unknown value (an item's age when no time is known) counts as the mean.
        this.z[i * FEATURE_COUNT + k] = Number.isNaN(x) ? 0 : (x - (means[k] ?? 0)) / (stds[k] ?? 1);
      }
    }
    this.scores = new Float64Array(n);
    this.ideal = new Float64Array(data.users);
    for (let g = 0; g < data.users; g++) {
      let dcg = 0;
      const hits = Math.min(NDCG_AT, data.relevantTotals[g] ?? 0);
      for (let p = 0; p < hits; p++) dcg += 1 / Math.log2(p + 2);
      this.ideal[g] = dcg;
    }
  }

  /** Mean NDCG@10 over the users `fold` selects (all by default); ties keep the candidates' order. */
  ndcg(weights: readonly number[], fold: (user: number) => boolean = () => true): number {
    const each = this.perUser(weights);
    let total = 0;
    let users = 0;
    for (let g = 0; g < each.length; g++) {
      if (!fold(g)) continue;
      users++;
      total += each[g] ?? 0;
    }
    return users > 0 ? total / users : 0;
  }

  /** Each user's NDCG@10 (a fresh array). */
  perUser(weights: readonly number[]): Float64Array {
    const { z, scores, top, data } = this;
    for (let i = 0; i < data.rows; i++) {
      let s = 0;
      for (let k = 0; k < FEATURE_COUNT; k++) s += (weights[k] ?? 0) * (z[i * FEATURE_COUNT + k] ?? 0);
      scores[i] = s;
    }
    const out = new Float64Array(data.users);
    for (let g = 0; g < data.users; g++) {
      const ideal = this.ideal[g] ?? 0;
      if (ideal === 0) continue;
      const a = data.starts[g] ?? 0;
      const b = data.starts[g + 1] ?? a;
      // Insertion into a sorted top list: candidates per user are a few hundred at most.
      let filled = 0;
      for (let i = a; i < b; i++) {
        const s = scores[i] ?? 0;
        if (filled === NDCG_AT && s <= (scores[top[NDCG_AT - 1] ?? a] ?? 0)) continue;
        let p = filled < NDCG_AT ? filled++ : NDCG_AT - 1;
        while (p > 0 && (scores[top[p - 1] ?? a] ?? 0) < s) {
          top[p] = top[p - 1] ?? a;
          p--;
        }
        top[p] = i;
      }
      let dcg = 0;
      for (let p = 0; p < filled; p++) if (data.relevant[top[p] ?? a] === 1) dcg += 1 / Math.log2(p + 2);
      out[g] = dcg / ideal;
    }
    return out;
  }
}

/** The mean of values and its standard error. */
function meanAndError(values: Float64Array): { mean: number; standardError: number } {
  const n = values.length;
  if (n < 2) return { mean: 0, standardError: Number.POSITIVE_INFINITY };
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / n;
  let squares = 0;
  for (const v of values) squares += (v - mean) ** 2;
  return { mean, standardError: Math.sqrt(squares / (n - 1) / n) };
}

/** @internal Coordinate ascent from the factor model alone on the users of `fold`: the weights and their NDCG. */
export function ascend(
  objective: NdcgObjective,
  fold: (user: number) => boolean,
  minGain = MIN_GAIN,
  features: readonly number[] = [1, 2, 3, 4, 5, 6],
): { weights: number[]; ndcg: number } {
  const weights = new Array<number>(FEATURE_COUNT).fill(0);
  weights[0] = 1;
  let best = objective.ndcg(weights, fold);
  for (let round = 0; round < ROUNDS; round++) {
    let moved = false;
    for (const k of features) {
      const start = weights[k] ?? 0;
      let bestValue = start;
      let bestScore = best;
      for (const step of STEPS) {
        weights[k] = start + step;
        const score = objective.ndcg(weights, fold);
        if (score > bestScore + minGain) {
          bestScore = score;
          bestValue = start + step;
        }
      }
      weights[k] = bestValue;
      if (bestValue !== start) {
        best = bestScore;
        moved = true;
      }
    }
    if (!moved) break;
  }
  return { weights, ndcg: best };
}

/**
 * Learns the ranker's weights by coordinate ascent on the held-out users' mean NDCG@10:
 * from the factor model's score alone, each other weight in turn takes the step (of a
 * fixed set) that raises NDCG most, while any step gains at least MIN_GAIN. Deterministic.
 *
 * Two-fold cross-validation over the held-out users (weights fitted on the even users
 * scored on the odd ones, and the other way round) estimates what the blend gains on
 * users it was not fitted to. Half the users make that estimate noisy, so it does not
 * decide alone: the ranker falls back to the factor model alone (`factorsOnly`) only when
 * the cross-validated gain is clearly below zero (more than two standard errors).
 */
export function fitRanker(data: RankerData): RankerFit {
  if (data.users === 0 || data.rows === 0) {
    return {
      ranker: defaultRanker(),
      ndcg: 0,
      factorsNdcg: 0,
      factorsOnly: false,
      crossValidatedGain: 0,
      crossValidatedError: 0,
    };
  }
  const { means, stds } = standardisation(data);
  const objective = new NdcgObjective(data, means, stds);
  const factors = new Array<number>(FEATURE_COUNT).fill(0);
  factors[0] = 1;
  const factorsNdcg = objective.ndcg(factors);
  // Each user's gain under the weights fitted on the other fold.
  const base = objective.perUser(factors);
  const gains = new Float64Array(data.users);
  for (const parity of [0, 1]) {
    const fitted = objective.perUser(ascend(objective, (g) => g % 2 === parity).weights);
    for (let g = 1 - parity; g < data.users; g += 2) gains[g] = (fitted[g] ?? 0) - (base[g] ?? 0);
  }
  const { mean: crossValidatedGain, standardError: crossValidatedError } = meanAndError(gains);
  const ranker = { means, stds, weights: factors, bias: 0, learned: true };
  const cv = { crossValidatedGain, crossValidatedError };
  if (crossValidatedGain + HARMFUL * crossValidatedError < 0) {
    return { ranker, ndcg: factorsNdcg, factorsNdcg, factorsOnly: true, ...cv };
  }
  const all = ascend(objective, () => true);
  const factorsOnly = all.weights.every((w, k) => (k === 0 ? w === 1 : w === 0));
  return { ranker: { ...ranker, weights: all.weights }, ndcg: all.ndcg, factorsNdcg, factorsOnly, ...cv };
}
