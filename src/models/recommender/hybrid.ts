/**
 * The hybrid ranker: the factor model (ALS or BPR), item-kNN, content and popularity each
 * propose their best candidates; every candidate gets features (each source's score,
 * standardised over the user's candidates, the raw content similarity, popularity, how
 * recent the item is, and the user's affinity to its category); a linear ranker learned
 * on held-out training events (see ranker.ts and train-hybrid.ts) combines them into one
 * score.
 */

import type { CatalogItem, ItemCatalog } from "../../data/index.ts";
import type { ContentEngine } from "./content.ts";
import type { EngineParts, Explanation, History, ScoringEngine } from "./engine.ts";
import type { FactorEngine } from "./factors.ts";
import type { ItemKnnEngine } from "./item-knn.ts";
import { topK } from "./matrix.ts";
import type { Popularity } from "./popularity.ts";
import { FEATURE_COUNT, type Ranker } from "./ranker.ts";

const F = FEATURE_COUNT;
/** Which source a feature speaks for, for reasons: 0 factors, 1 kNN, 2 content, 3 popularity. */
const FEATURE_SOURCE = [0, 1, 2, 2, 3, 3, 3] as const;

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

  async prepareItems(items: readonly CatalogItem[]): Promise<void> {
    await this.sources.content.prepareItems(items);
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

/** Items whose factors a new item's are averaged from. */
const BORROWED_NEIGHBOURS = 10;

/** At most this many held-out users teach the ranker. */
export const RANKER_USERS = 3000;
