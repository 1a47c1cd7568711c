/**
 * Matrix factorisation models as a scoring engine: a user's score for an item is the dot
 * product of their factors (plus the item's bias for BPR). ALS and BPR train the factors
 * differently (als.ts, bpr.ts) and fold a changed user in differently; scoring, reasons
 * and artifacts are the same.
 */

import { bytesOf, float32FromBuffer } from "../../artifact/index.ts";
import type { EpochSummary } from "../../core/index.ts";
import { TextkitError } from "../../core/index.ts";
import type { EngineParts, Explanation, History, ScoringEngine, StageProgress } from "./engine.ts";

/** Learned factors: row u of userFactors (length `factors`) belongs to user u, and so on. */
export interface FactorState {
  users: number;
  items: number;
  factors: number;
  userFactors: Float32Array;
  itemFactors: Float32Array;
  /** BPR's per-item bias; null for ALS. */
  itemBias: Float32Array | null;
}

/** What a factor trainer is told and tells while it runs. */
export interface FactorTraining {
  progress: StageProgress;
  /** Called after each pass with its summary; returns true to stop training. */
  endEpoch(summary: EpochSummary, state: FactorState): boolean;
}

/**
 * Refreshes one user's factors from their history, the item factors fixed. `itemVersion`
 * changes whenever item factors do, for fold-ins that cache something of them.
 */
export type FoldIn = (state: FactorState, user: number, history: History, itemVersion: number) => void;

/** Dot product of row a of `x` and row b of `y` (both `f` wide). */
export function rowDot(x: Float32Array, a: number, y: Float32Array, b: number, f: number): number {
  let s = 0;
  const xa = a * f;
  const yb = b * f;
  for (let d = 0; d < f; d++) s += x[xa + d]! * y[yb + d]!;
  return s;
}

/** Makes room for users up to index `user` (new rows are zero). */
export function ensureUsers(state: FactorState, user: number): void {
  if (user < state.users) return;
  const f = state.factors;
  const capacity = state.userFactors.length / f;
  if (user >= capacity) {
    const grown = new Float32Array(Math.max(user + 1, Math.ceil(capacity * 1.5) + 16) * f);
    grown.set(state.userFactors.subarray(0, state.users * f));
    state.userFactors = grown;
  }
  state.users = user + 1;
}

export class FactorEngine implements ScoringEngine {
  readonly name: "als" | "bpr";
  readonly sparseScores = false;
  readonly state: FactorState;
  private readonly foldIn: FoldIn;
  private itemNorms: Float32Array | null = null;
  private itemVersion = 0;

  constructor(name: "als" | "bpr", state: FactorState, foldIn: FoldIn) {
    this.name = name;
    this.state = state;
    this.foldIn = foldIn;
  }

  score(user: number, _history: History, _allowed: Uint8Array, out: Float32Array): void {
    const { factors: f, itemFactors: y, itemBias } = this.state;
    const items = this.state.items;
    if (user < 0 || user >= this.state.users) {
      // A user the factors have never seen: only the biases speak.
      for (let i = 0; i < items; i++) out[i] = itemBias === null ? 0 : itemBias[i]!;
      return;
    }
    const x = this.state.userFactors;
    const xo = user * f;
    for (let i = 0; i < items; i++) {
      let s = itemBias === null ? 0 : itemBias[i]!;
      const yo = i * f;
      for (let d = 0; d < f; d++) s += x[xo + d]! * y[yo + d]!;
      out[i] = s;
    }
  }

  /** The cosine of every item's factors with `item`'s, into `out`. */
  cosines(item: number, out: Float32Array): void {
    const { factors: f, itemFactors: y, items } = this.state;
    const norms = this.norms();
    const nj = norms[item]!;
    for (let i = 0; i < items; i++) {
      const denominator = norms[i]! * nj;
      out[i] = denominator > 0 ? rowDot(y, i, y, item, f) / denominator : 0;
    }
  }

  /** The seen item whose factors point most the way of `item`'s (cosine). */
  explain(_user: number, history: History, item: number): Explanation {
    const { factors: f, itemFactors: y } = this.state;
    const norms = this.norms();
    let best = -1;
    let bestSim = Number.NEGATIVE_INFINITY;
    const nj = norms[item]!;
    for (let p = 0; p < history.indices.length; p++) {
      const i = history.indices[p]!;
      if (i === item || i >= this.state.items) continue;
      const denominator = norms[i]! * nj;
      const sim = denominator > 0 ? rowDot(y, i, y, item, f) / denominator : 0;
      if (sim > bestSim) {
        bestSim = sim;
        best = p;
      }
    }
    return { kind: best < 0 ? "popular" : "liked", source: best };
  }

  updateUser(user: number, history: History): void {
    ensureUsers(this.state, user);
    this.foldIn(this.state, user, history, this.itemVersion);
  }

  growItems(count: number): void {
    const s = this.state;
    if (count <= s.items) return;
    const f = s.factors;
    const y = new Float32Array(count * f);
    y.set(s.itemFactors);
    s.itemFactors = y;
    if (s.itemBias !== null) {
      const b = new Float32Array(count);
      b.set(s.itemBias);
      // A new item has no evidence either way: the mean bias, not the lowest or highest.
      let mean = 0;
      for (let i = 0; i < s.items; i++) mean += s.itemBias[i]!;
      b.fill(s.items > 0 ? mean / s.items : 0, s.items);
      s.itemBias = b;
    }
    s.items = count;
    this.itemNorms = null;
    this.itemVersion++;
  }

  /**
   * Gives item `item` the weighted mean of the factors (and biases) of `sources`: how an
   * item without events borrows the factors of the items whose text is like its own.
   */
  borrowFactors(item: number, sources: Int32Array, weights: Float32Array): void {
    const s = this.state;
    const f = s.factors;
    let total = 0;
    for (let k = 0; k < sources.length; k++) total += weights[k]!;
    if (!(total > 0)) return;
    const y = s.itemFactors;
    y.fill(0, item * f, item * f + f);
    let bias = 0;
    for (let k = 0; k < sources.length; k++) {
      const w = weights[k]! / total;
      const o = sources[k]! * f;
      for (let d = 0; d < f; d++) y[item * f + d]! += w * y[o + d]!;
      if (s.itemBias !== null) bias += w * s.itemBias[sources[k]!]!;
    }
    if (s.itemBias !== null) s.itemBias[item] = bias;
    this.itemNorms = null;
    this.itemVersion++;
  }

  private norms(): Float32Array {
    if (this.itemNorms === null || this.itemNorms.length !== this.state.items) {
      const { factors: f, itemFactors: y, items } = this.state;
      const norms = new Float32Array(items);
      for (let i = 0; i < items; i++) norms[i] = Math.sqrt(rowDot(y, i, y, i, f));
      this.itemNorms = norms;
    }
    return this.itemNorms;
  }

  parts(): EngineParts {
    const s = this.state;
    const files: Record<string, Uint8Array> = {
      "users.f32": bytesOf(s.userFactors.subarray(0, s.users * s.factors)),
      "items.f32": bytesOf(s.itemFactors),
    };
    if (s.itemBias !== null) files["bias.f32"] = bytesOf(s.itemBias);
    return { files, state: { users: s.users, items: s.items, factors: s.factors } };
  }
}

/** The factor state saved by `parts`, checked against its sizes. */
export function factorStateOf(
  files: Record<string, Buffer | undefined>,
  state: Record<string, unknown>,
  withBias: boolean,
  where: string,
): FactorState {
  const users = Number(state["users"]);
  const items = Number(state["items"]);
  const factors = Number(state["factors"]);
  const userFactors = files["users.f32"];
  const itemFactors = files["items.f32"];
  const bias = files["bias.f32"];
  if (
    !(Number.isInteger(users) && Number.isInteger(items) && Number.isInteger(factors) && factors > 0) ||
    userFactors === undefined ||
    itemFactors === undefined ||
    userFactors.byteLength !== users * factors * 4 ||
    itemFactors.byteLength !== items * factors * 4 ||
    (withBias && (bias === undefined || bias.byteLength !== items * 4))
  ) {
    throw new TextkitError("ARTIFACT_CORRUPT", `the factors in ${where} do not match their sizes`, {
      file: where,
    });
  }
  return {
    users,
    items,
    factors,
    userFactors: float32FromBuffer(userFactors, where),
    itemFactors: float32FromBuffer(itemFactors, where),
    itemBias: withBias && bias !== undefined ? float32FromBuffer(bias, where) : null,
  };
}
