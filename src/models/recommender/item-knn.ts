/**
 * Item-based nearest neighbours (Sarwar et al. 2001; Deshpande and Karypis 2004): two
 * items are similar when the same users engage with both, measured as the cosine of their
 * user columns, with a shrinkage term that discounts pairs seen together rarely. Each item
 * keeps its most similar items; a user's score for an item sums the similarities of the
 * items they engaged with, weighted by how strongly they did.
 */

import { bytesOf, float32FromBuffer, int32FromBuffer } from "../../artifact/index.ts";
import { TextkitError } from "../../core/index.ts";
import type { EngineParts, Explanation, History, ScoringEngine, StageProgress } from "./engine.ts";
import { type CsrMatrix, topK, transpose } from "./matrix.ts";
import type { RecommenderOptions } from "./options.ts";

export class ItemKnnEngine implements ScoringEngine {
  readonly name = "knn";
  readonly sparseScores = true;
  /** items × items: row i holds i's neighbours, most similar first. */
  private neighbours: CsrMatrix;

  constructor(neighbours: CsrMatrix) {
    this.neighbours = neighbours;
  }

  get items(): number {
    return this.neighbours.rows;
  }

  score(_user: number, history: History, _allowed: Uint8Array, out: Float32Array): void {
    out.fill(0);
    const { indptr, indices, data } = this.neighbours;
    const rows = this.neighbours.rows;
    for (let p = 0; p < history.indices.length; p++) {
      const i = history.indices[p]!;
      if (i >= rows) continue;
      const w = history.data[p]!;
      for (let k = indptr[i]!; k < indptr[i + 1]!; k++) out[indices[k]!]! += w * data[k]!;
    }
  }

  /** The seen item that added most to `item`'s score. */
  explain(_user: number, history: History, item: number): Explanation {
    const { indptr, indices, data } = this.neighbours;
    let best = -1;
    let bestContribution = 0;
    for (let p = 0; p < history.indices.length; p++) {
      const i = history.indices[p]!;
      if (i >= this.neighbours.rows) continue;
      for (let k = indptr[i]!; k < indptr[i + 1]!; k++) {
        if (indices[k] !== item) continue;
        const contribution = history.data[p]! * data[k]!;
        if (contribution > bestContribution) {
          bestContribution = contribution;
          best = p;
        }
        break;
      }
    }
    return { kind: best < 0 ? "popular" : "liked", source: best };
  }

  updateUser(): void {}

  growItems(count: number): void {
    const m = this.neighbours;
    if (count <= m.rows) return;
    const indptr = new Int32Array(count + 1);
    indptr.set(m.indptr);
    indptr.fill(m.indptr[m.rows]!, m.rows + 1);
    this.neighbours = { rows: count, cols: count, indptr, indices: m.indices, data: m.data };
  }

  parts(): EngineParts {
    const m = this.neighbours;
    return {
      files: {
        "indptr.i32": bytesOf(m.indptr),
        "indices.i32": bytesOf(m.indices),
        "sims.f32": bytesOf(m.data),
      },
      state: { items: m.rows },
    };
  }

  static fromParts(files: Record<string, Buffer | undefined>, state: Record<string, unknown>, where: string) {
    const items = Number(state["items"]);
    const indptr = files["indptr.i32"];
    const indices = files["indices.i32"];
    const sims = files["sims.f32"];
    if (
      !Number.isInteger(items) ||
      indptr === undefined ||
      indices === undefined ||
      sims === undefined ||
      indptr.byteLength !== (items + 1) * 4 ||
      indices.byteLength !== sims.byteLength
    ) {
      throw new TextkitError("ARTIFACT_CORRUPT", `the item neighbours in ${where} do not match their sizes`, {
        file: where,
      });
    }
    const m: CsrMatrix = {
      rows: items,
      cols: items,
      indptr: int32FromBuffer(indptr, where),
      indices: int32FromBuffer(indices, where),
      data: float32FromBuffer(sims, where),
    };
    if (m.indptr[items] !== m.indices.length) {
      throw new TextkitError("ARTIFACT_CORRUPT", `the item neighbours in ${where} are damaged`, {
        file: where,
      });
    }
    return new ItemKnnEngine(m);
  }
}

/**
 * Builds the neighbour lists from the user × item matrix `m`: for each item, the
 * co-occurrence dot products with every item that shares a user, then the top
 * `options.neighbours` by shrunk cosine. O(Σ_u |items of u|²).
 *
 * @example
 * const engine = trainItemKnn(matrix, options, progress);
 */
export function trainItemKnn(
  m: CsrMatrix,
  options: Pick<RecommenderOptions, "neighbours" | "shrink">,
  progress: StageProgress,
): ItemKnnEngine {
  const items = m.cols;
  const mt = transpose(m);
  const norms = new Float64Array(items);
  for (let i = 0; i < items; i++) {
    let s = 0;
    for (let k = mt.indptr[i]!; k < mt.indptr[i + 1]!; k++) s += mt.data[k]! * mt.data[k]!;
    norms[i] = Math.sqrt(s);
  }
  const acc = new Float64Array(items);
  const touched = new Int32Array(items);
  const sims = new Float32Array(items);
  const picked = new Int32Array(options.neighbours);
  const indptr = new Int32Array(items + 1);
  let indices = new Int32Array(Math.min(items * options.neighbours, 1 << 20));
  let data = new Float32Array(indices.length);
  let out = 0;
  for (let i = 0; i < items; i++) {
    let count = 0;
    for (let k = mt.indptr[i]!; k < mt.indptr[i + 1]!; k++) {
      const u = mt.indices[k]!;
      const rui = mt.data[k]!;
      for (let q = m.indptr[u]!; q < m.indptr[u + 1]!; q++) {
        const j = m.indices[q]!;
        if (j === i) continue;
        if (acc[j] === 0) touched[count++] = j;
        acc[j]! += rui * m.data[q]!;
      }
    }
    for (let t = 0; t < count; t++) {
      const j = touched[t]!;
      sims[t] = acc[j]! / (norms[i]! * norms[j]! + options.shrink);
      acc[j] = 0;
    }
    const n = topK(sims.subarray(0, count), null, options.neighbours, picked);
    if (out + n > indices.length) {
      const grown = new Int32Array(Math.max(out + n, indices.length * 2));
      grown.set(indices);
      indices = grown;
      const grownData = new Float32Array(grown.length);
      grownData.set(data);
      data = grownData;
    }
    for (let t = 0; t < n; t++) {
      indices[out] = touched[picked[t]!]!;
      data[out] = sims[picked[t]!]!;
      out++;
    }
    indptr[i + 1] = out;
    if ((i & 255) === 255 && progress.report(i + 1, 1, 1, 0)) break;
  }
  for (let i = 0; i < items; i++) if (indptr[i + 1]! < indptr[i]!) indptr[i + 1] = indptr[i]!;
  return new ItemKnnEngine({
    rows: items,
    cols: items,
    indptr,
    indices: indices.slice(0, out),
    data: data.slice(0, out),
  });
}
