/**
 * The hybrid ranker: the factor model (ALS or BPR), item-kNN, content and popularity each
 * propose their best candidates; every candidate gets features (each source's score,
 * standardised over the user's candidates, the raw content similarity, popularity, how
 * recent the item is, and the user's affinity to its category); a logistic model learned
 * on the latest training events (the sources having been fitted on the earlier ones)
 * combines them into one score.
 */

import type { Random } from "../../core/index.ts";
import { TextkitError } from "../../core/index.ts";
import type { ItemCatalog } from "../../data/index.ts";
import type { ContentEngine } from "./content.ts";
import type { EngineParts, Explanation, History, ScoringEngine } from "./engine.ts";
import type { FactorEngine } from "./factors.ts";
import type { ItemKnnEngine } from "./item-knn.ts";
import { topK } from "./matrix.ts";
import type { Popularity } from "./popularity.ts";

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
const F = HYBRID_FEATURES.length;
/** Which source a feature speaks for, for reasons: 0 factors, 1 kNN, 2 content, 3 popularity. */
const FEATURE_SOURCE = [0, 1, 2, 2, 3, 3, 3] as const;

/** A logistic model over standardised features: score = bias + Σ weights · (x − mean) / std. */
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
    means: new Array(F).fill(0),
    stds: new Array(F).fill(1),
    weights: [1, 1, 0.5, 0, 0, 0, 0],
    bias: 0,
    learned: false,
  };
}

/** The sources a hybrid combines. */
export interface HybridSources {
  factors: FactorEngine;
  knn: ItemKnnEngine;
  content: ContentEngine;
  popularity: Popularity;
}

/** Candidates of one user and their features, in scratch buffers valid until the next call. */
export interface CandidateRows {
  count: number;
  items: Int32Array;
  /** count × F raw (not standardised) features. */
  features: Float64Array;
}

export class HybridEngine implements ScoringEngine {
  readonly name = "hybrid";
  readonly sparseScores = false;
  readonly sources: HybridSources;
  readonly ranker: Ranker;
  readonly candidates: number;
  private readonly catalog: ItemCatalog;
  private categoryOf: Int32Array;
  private readonly categoryIndex = new Map<string, number>();
  private categoryWeight = new Float64Array(0);
  private scores: Float32Array[] = [];
  private mark = new Uint8Array(0);
  private dominant = new Int8Array(0);
  private rows: CandidateRows = { count: 0, items: new Int32Array(0), features: new Float64Array(0) };
  private readonly top: Int32Array;

  constructor(sources: HybridSources, ranker: Ranker, candidates: number, catalog: ItemCatalog) {
    this.sources = sources;
    this.ranker = ranker;
    this.candidates = candidates;
    this.catalog = catalog;
    this.top = new Int32Array(candidates);
    this.categoryOf = new Int32Array(0);
    this.growItems(catalog.size);
  }

  private ensureScratch(items: number): void {
    if (this.scores.length === 0 || this.scores[0]!.length !== items) {
      this.scores = [new Float32Array(items), new Float32Array(items), new Float32Array(items)];
      this.mark = new Uint8Array(items);
      this.dominant = new Int8Array(items);
    }
    const most = Math.min(items, 4 * this.candidates);
    if (this.rows.items.length < most) {
      this.rows = { count: 0, items: new Int32Array(most), features: new Float64Array(most * F) };
    }
  }

  /**
   * The user's candidates (the best `candidates` of each source among the allowed items)
   * with their raw features.
   */
  candidateRows(user: number, history: History, allowed: Uint8Array): CandidateRows {
    const items = this.catalog.size;
    this.ensureScratch(items);
    const [sf, sk, sc] = this.scores as [Float32Array, Float32Array, Float32Array];
    const { factors, knn, content, popularity } = this.sources;
    factors.score(user, history, allowed, sf);
    knn.score(user, history, allowed, sk);
    content.score(user, history, allowed, sc);
    const rows = this.rows;
    const mark = this.mark;
    let count = 0;
    const propose = (scores: Float32Array, evidenceOnly: boolean) => {
      const n = topK(scores, allowed, this.candidates, this.top);
      for (let t = 0; t < n; t++) {
        const j = this.top[t]!;
        if (evidenceOnly && !(scores[j]! > 0)) break;
        if (mark[j] === 0) {
          mark[j] = 1;
          rows.items[count++] = j;
        }
      }
    };
    propose(sf, false);
    propose(sk, true);
    propose(sc, true);
    propose(popularity.scores, false);
    for (let t = 0; t < count; t++) mark[rows.items[t]!] = 0;
    rows.count = count;

    // Category affinity: the share of the user's weight on each category.
    let total = 0;
    const categoryWeight = this.categoryWeight;
    categoryWeight.fill(0);
    for (let p = 0; p < history.indices.length; p++) {
      const c = this.categoryOf[history.indices[p]!] ?? -1;
      const w = history.data[p]!;
      total += w;
      if (c >= 0) categoryWeight[c]! += w;
    }
    const sources = [sf, sk, sc];
    const means = [0, 0, 0];
    const stds = [0, 0, 0];
    for (let s = 0; s < 3; s++) {
      let sum = 0;
      let sq = 0;
      for (let t = 0; t < count; t++) {
        const v = sources[s]![rows.items[t]!]!;
        sum += v;
        sq += v * v;
      }
      means[s] = count > 0 ? sum / count : 0;
      stds[s] = count > 1 ? Math.sqrt(Math.max(0, sq / count - means[s]! ** 2)) : 0;
    }
    const f = rows.features;
    for (let t = 0; t < count; t++) {
      const j = rows.items[t]!;
      const o = t * F;
      for (let s = 0; s < 3; s++) f[o + s] = stds[s]! > 1e-12 ? (sources[s]![j]! - means[s]!) / stds[s]! : 0;
      f[o + 3] = sc[j]!;
      f[o + 4] = Math.log1p(Math.max(0, popularity.scores[j]!));
      const age = popularity.ageDays(j);
      f[o + 5] = Number.isNaN(age) ? Number.NaN : -Math.log1p(age);
      const c = this.categoryOf[j]!;
      f[o + 6] = c >= 0 && total > 0 ? categoryWeight[c]! / total : 0;
    }
    return rows;
  }

  score(user: number, history: History, allowed: Uint8Array, out: Float32Array): void {
    const rows = this.candidateRows(user, history, allowed);
    out.fill(Number.NEGATIVE_INFINITY);
    const { means, stds, weights, bias } = this.ranker;
    const contribution = new Float64Array(4);
    for (let t = 0; t < rows.count; t++) {
      const o = t * F;
      let s = bias;
      contribution.fill(0);
      for (let k = 0; k < F; k++) {
        const x = rows.features[o + k]!;
        // An unknown value (an item's age when no time is known) counts as the mean.
        const z = Number.isNaN(x) ? 0 : (x - means[k]!) / stds[k]!;
        const c = weights[k]! * z;
        s += c;
        contribution[FEATURE_SOURCE[k]!]! += c;
      }
      const j = rows.items[t]!;
      out[j] = s;
      let best = 0;
      for (let g = 1; g < 4; g++) if (contribution[g]! > contribution[best]!) best = g;
      this.dominant[j] = best;
    }
  }

  /** The reason of the source that added most to the item's score. */
  explain(user: number, history: History, item: number): Explanation {
    const source = this.dominant[item] ?? 3;
    const engine =
      source === 0 ? this.sources.factors : source === 1 ? this.sources.knn : this.sources.content;
    if (source === 3) return { kind: "popular", source: -1 };
    const explanation = engine.explain(user, history, item);
    // A source that cannot name a seen item defers to another that can.
    if (explanation.source >= 0) return explanation;
    for (const other of [this.sources.knn, this.sources.content, this.sources.factors]) {
      if (other === engine) continue;
      const e = other.explain(user, history, item);
      if (e.source >= 0) return e;
    }
    return { kind: "popular", source: -1 };
  }

  updateUser(user: number, history: History): void {
    this.sources.factors.updateUser(user, history);
  }

  growItems(count: number): void {
    const old = this.categoryOf.length;
    if (count > old) {
      const categoryOf = new Int32Array(count);
      categoryOf.set(this.categoryOf);
      for (let i = old; i < count; i++) {
        const name = this.catalog.at(i).category;
        if (name.length === 0) {
          categoryOf[i] = -1;
          continue;
        }
        let c = this.categoryIndex.get(name);
        if (c === undefined) {
          c = this.categoryIndex.size;
          this.categoryIndex.set(name, c);
        }
        categoryOf[i] = c;
      }
      this.categoryOf = categoryOf;
      this.categoryWeight = new Float64Array(this.categoryIndex.size);
    }
    const { factors, knn, content } = this.sources;
    const known = factors.state.items;
    factors.growItems(count);
    knn.growItems(count);
    content.growItems(count);
    // An item without events borrows the factors of the items whose text is closest to its own.
    for (let j = known; j < count; j++) {
      const similar = content.similarItems(j, BORROWED_NEIGHBOURS, known);
      factors.borrowFactors(j, similar.items, similar.sims);
    }
  }

  parts(): EngineParts {
    const files: Record<string, Uint8Array> = {};
    const state: Record<string, unknown> = { ranker: this.ranker, candidates: this.candidates };
    for (const [prefix, engine] of [
      ["factors", this.sources.factors],
      ["knn", this.sources.knn],
      ["content", this.sources.content],
    ] as const) {
      const p = engine.parts();
      for (const [name, data] of Object.entries(p.files)) files[`${prefix}.${name}`] = data;
      state[prefix] = { ...p.state, engine: engine.name };
    }
    return { files, state };
  }
}

/** Checks a ranker read from an artifact. */
export function rankerOf(value: unknown, where: string): Ranker {
  const r = value as Partial<Ranker> | null;
  const ok = (a: unknown) => Array.isArray(a) && a.length === F && a.every((x) => typeof x === "number");
  if (
    r === null ||
    typeof r !== "object" ||
    !ok(r.means) ||
    !ok(r.stds) ||
    !ok(r.weights) ||
    typeof r.bias !== "number"
  ) {
    throw new TextkitError("ARTIFACT_CORRUPT", `the hybrid ranker in ${where} is damaged`, { file: where });
  }
  return { means: r.means!, stds: r.stds!, weights: r.weights!, bias: r.bias, learned: r.learned === true };
}

/** Candidates the ranker learns from: raw features, whether each was relevant, and whose they are. */
export class RankerRows {
  features: number[] = [];
  labels: number[] = [];
  /** Index of the user each row belongs to (rows of one user are contiguous). */
  groups: number[] = [];
  private users = 0;

  get length(): number {
    return this.labels.length;
  }

  /**
   * Adds a user's candidates: every relevant one, and up to `negatives` others drawn at
   * random. Users without a relevant candidate teach nothing and are skipped.
   */
  addUser(rows: CandidateRows, relevant: ReadonlySet<number>, negatives: number, rng: Random): void {
    const positive: number[] = [];
    const negative: number[] = [];
    for (let t = 0; t < rows.count; t++) (relevant.has(rows.items[t]!) ? positive : negative).push(t);
    if (positive.length === 0 || negative.length === 0) return;
    rng.shuffle(negative);
    const group = this.users++;
    for (const [list, label] of [
      [positive, 1],
      [negative.slice(0, negatives), 0],
    ] as const) {
      for (const t of list) {
        for (let k = 0; k < F; k++) this.features.push(rows.features[t * F + k]!);
        this.labels.push(label);
        this.groups.push(group);
      }
    }
  }
}

/**
 * Fits the ranker as a pairwise logistic model (RankNet with a linear scorer): for every
 * user, each relevant candidate should outscore each irrelevant one, so it learns how to
 * order one user's candidates rather than who engages more. Features are standardised
 * first; L2-regularised Newton steps, each solving the small Hessian system by conjugate
 * gradient; every user's pairs weigh 1 in all.
 */
export function fitRanker(data: RankerRows, l2 = 1): Ranker {
  const n = data.length;
  const means = new Array<number>(F).fill(0);
  const stds = new Array<number>(F).fill(0);
  const counts = new Array<number>(F).fill(0);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < F; k++) {
      const x = data.features[i * F + k]!;
      if (Number.isNaN(x)) continue;
      means[k]! += x;
      counts[k]!++;
    }
  }
  for (let k = 0; k < F; k++) means[k] = counts[k]! > 0 ? means[k]! / counts[k]! : 0;
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < F; k++) {
      const x = data.features[i * F + k]!;
      if (!Number.isNaN(x)) stds[k]! += (x - means[k]!) ** 2;
    }
  }
  for (let k = 0; k < F; k++) {
    const sd = counts[k]! > 1 ? Math.sqrt(stds[k]! / counts[k]!) : 0;
    stds[k] = sd > 1e-9 ? sd : 1;
  }
  const z = new Float64Array(n * F);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < F; k++) {
      const x = data.features[i * F + k]!;
      z[i * F + k] = Number.isNaN(x) ? 0 : (x - means[k]!) / stds[k]!;
    }
  }
  // Pairs as feature differences (relevant minus irrelevant), with their weights.
  const diffs: number[] = [];
  const pairWeights: number[] = [];
  for (let a = 0; a < n; ) {
    let b = a;
    while (b < n && data.groups[b] === data.groups[a]) b++;
    const pos: number[] = [];
    const neg: number[] = [];
    for (let i = a; i < b; i++) (data.labels[i] === 1 ? pos : neg).push(i);
    const weight = 1 / (pos.length * neg.length);
    for (const p of pos) {
      for (const q of neg) {
        for (let k = 0; k < F; k++) diffs.push(z[p * F + k]! - z[q * F + k]!);
        pairWeights.push(weight);
      }
    }
    a = b;
  }
  const pairs = pairWeights.length;
  if (pairs === 0) return defaultRanker();
  const w = new Float64Array(F);
  const gradient = new Float64Array(F);
  const hessian = new Float64Array(F * F);
  for (let iteration = 0; iteration < 25; iteration++) {
    gradient.fill(0);
    hessian.fill(0);
    for (let i = 0; i < pairs; i++) {
      const o = i * F;
      let s = 0;
      for (let k = 0; k < F; k++) s += w[k]! * diffs[o + k]!;
      const p = 1 / (1 + Math.exp(-s));
      const g = pairWeights[i]! * (1 - p);
      const h = pairWeights[i]! * p * (1 - p);
      for (let a = 0; a < F; a++) {
        gradient[a]! += g * diffs[o + a]!;
        const ha = h * diffs[o + a]!;
        for (let b = a; b < F; b++) hessian[a * F + b]! += ha * diffs[o + b]!;
      }
    }
    for (let a = 0; a < F; a++) {
      for (let b = 0; b < a; b++) hessian[a * F + b] = hessian[b * F + a]!;
      hessian[a * F + a]! += l2;
      gradient[a]! -= l2 * w[a]!;
    }
    const delta = solveSpd(hessian, gradient, F);
    let change = 0;
    for (let k = 0; k < F; k++) {
      w[k]! += delta[k]!;
      change = Math.max(change, Math.abs(delta[k]!));
    }
    if (change < 1e-7) break;
  }
  return { means, stds, weights: Array.from(w), bias: 0, learned: true };
}

/** Solves A x = b for a small symmetric positive definite A by conjugate gradient (exact in n steps). */
function solveSpd(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const x = new Float64Array(n);
  const r = Float64Array.from(b);
  const p = Float64Array.from(b);
  const ap = new Float64Array(n);
  let rs = 0;
  for (let i = 0; i < n; i++) rs += r[i]! * r[i]!;
  for (let step = 0; step < 2 * n && rs > 1e-24; step++) {
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += a[i * n + j]! * p[j]!;
      ap[i] = s;
    }
    let pap = 0;
    for (let i = 0; i < n; i++) pap += p[i]! * ap[i]!;
    if (!(pap > 0)) break;
    const alpha = rs / pap;
    let next = 0;
    for (let i = 0; i < n; i++) {
      x[i]! += alpha * p[i]!;
      r[i]! -= alpha * ap[i]!;
      next += r[i]! * r[i]!;
    }
    for (let i = 0; i < n; i++) p[i] = r[i]! + (next / rs) * p[i]!;
    rs = next;
  }
  return x;
}

/** Items whose factors a new item's are averaged from. */
const BORROWED_NEIGHBOURS = 10;

/** How many negatives each validation user contributes to the ranker's data. */
export const RANKER_NEGATIVES = 30;
/** At most this many validation users teach the ranker. */
export const RANKER_USERS = 3000;
