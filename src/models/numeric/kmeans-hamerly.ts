import { blockOfFour, interleave, squaredDistance } from "./kmeans-kernels.ts";
import type { Rows } from "./kmeans-rows.ts";

/**
 * Hamerly's bounds: each row keeps an upper bound on the distance to its centre and a
 * lower bound on the distance to every other centre. A row whose upper bound is below its
 * lower bound (or, for dense rows, below half the gap between its centre and the nearest
 * other one) cannot change cluster and is skipped. The labels are those of plain Lloyd
 * iterations with far fewer distances computed. Distances here are Euclidean, not squared;
 * for cosine they are between unit rows and unit centres, which orders them as 1 - cosine.
 */
export class HamerlyBounds {
  private readonly upper: Float64Array;
  private readonly lower: Float64Array;
  private readonly half: Float64Array;
  private readonly drift: Float64Array;
  /** Dense rows: the centres interleaved in blocks of four, and the four distances of a block. */
  private readonly blocks: Float64Array | null;
  private readonly four = new Float64Array(4);
  /** Sparse rows: the centres column-major (dim × k), their squared norms, and one row's dot products. */
  private readonly transposed: Float32Array | null;
  private readonly centreNorms: Float64Array;
  private readonly dots: Float64Array;
  private fresh = true;

  constructor(rows: Rows, k: number) {
    const { n, dim } = rows;
    this.upper = new Float64Array(n);
    this.lower = new Float64Array(n);
    this.half = new Float64Array(k);
    this.drift = new Float64Array(k);
    this.blocks = rows.dense === null ? null : new Float64Array(Math.ceil(k / 4) * 4 * dim);
    this.transposed = rows.dense === null ? new Float32Array(dim * k) : null;
    this.centreNorms = new Float64Array(k);
    this.dots = new Float64Array(k);
  }

  /** Forget the bounds: the next assignment computes every distance (a new restart). */
  reset(): void {
    this.fresh = true;
  }

  /** Assigns every row to its nearest centre; returns how many labels changed. */
  assign(rows: Rows, centroids: Float64Array, k: number, labels: Int32Array): number {
    const { n, dim } = rows;
    const { upper, lower, half } = this;
    if (rows.dense !== null) {
      half.fill(Number.POSITIVE_INFINITY);
      for (let a = 0; a < k; a++) {
        for (let b = a + 1; b < k; b++) {
          let s = 0;
          for (let d = 0; d < dim; d++) {
            const e = centroids[a * dim + d]! - centroids[b * dim + d]!;
            s += e * e;
          }
          const h = Math.sqrt(s) / 2;
          if (h < half[a]!) half[a] = h;
          if (h < half[b]!) half[b] = h;
        }
      }
      interleave(centroids, k, dim, this.blocks!);
    } else {
      // Gaps between centres cost k² × dim here, as much as the assignment: rely on the lower bounds.
      half.fill(0);
      const t = this.transposed!;
      for (let c = 0; c < k; c++) {
        const co = c * dim;
        let s = 0;
        for (let d = 0; d < dim; d++) {
          const v = centroids[co + d]!;
          t[d * k + c] = v;
          s += v * v;
        }
        this.centreNorms[c] = s;
      }
    }
    const fresh = this.fresh;
    let changed = 0;
    for (let i = 0; i < n; i++) {
      if (!fresh) {
        const m = Math.max(half[labels[i]!]!, lower[i]!);
        if (upper[i]! <= m) continue;
        upper[i] = Math.sqrt(this.distanceTo(rows, i, centroids, labels[i]!));
        if (upper[i]! <= m) continue;
      }
      const best = rows.dense !== null ? this.scanDense(rows, i, k) : this.scanSparse(rows, i, k);
      if (labels[i] !== best) {
        labels[i] = best;
        changed++;
      }
    }
    this.fresh = false;
    return changed;
  }

  /** Squared distance of row i to centre c. */
  private distanceTo(rows: Rows, i: number, centroids: Float64Array, c: number): number {
    const dim = rows.dim;
    if (rows.dense !== null) return squaredDistance(rows.dense, i * dim, centroids, c * dim, dim);
    const { rowStart, columns, values } = rows.sparse!;
    const co = c * dim;
    let dot = 0;
    for (let p = rowStart[i]!; p < rowStart[i + 1]!; p++) dot += values[p]! * centroids[co + columns[p]!]!;
    return Math.max(0, rows.norms[i]! + this.centreNorms[c]! - 2 * dot);
  }

  /** Every centre's distance to dense row i; sets its bounds and returns the nearest centre. */
  private scanDense(rows: Rows, i: number, k: number): number {
    const { blocks, four } = this;
    const x = rows.dense!;
    const off = i * rows.dim;
    let best = 0;
    let first = Number.POSITIVE_INFINITY;
    let second = Number.POSITIVE_INFINITY;
    for (let c0 = 0; c0 < k; c0 += 4) {
      blockOfFour(x, off, blocks!, c0 * rows.dim, rows.dim, false, four);
      const last = Math.min(k, c0 + 4);
      for (let c = c0; c < last; c++) {
        const s = four[c - c0]!;
        if (s < first) {
          second = first;
          first = s;
          best = c;
        } else if (s < second) {
          second = s;
        }
      }
    }
    this.upper[i] = Math.sqrt(first);
    this.lower[i] = Math.sqrt(second);
    return best;
  }

  /** Every centre's distance to sparse row i, through the column-major centres. */
  private scanSparse(rows: Rows, i: number, k: number): number {
    const { rowStart, columns, values } = rows.sparse!;
    const { dots, centreNorms } = this;
    const t = this.transposed!;
    dots.fill(0);
    for (let p = rowStart[i]!; p < rowStart[i + 1]!; p++) {
      const v = values[p]!;
      const base = columns[p]! * k;
      for (let c = 0; c < k; c++) dots[c]! += v * t[base + c]!;
    }
    const norm = rows.norms[i]!;
    let best = 0;
    let first = Number.POSITIVE_INFINITY;
    let second = Number.POSITIVE_INFINITY;
    for (let c = 0; c < k; c++) {
      const s = norm + centreNorms[c]! - 2 * dots[c]!;
      if (s < first) {
        second = first;
        first = s;
        best = c;
      } else if (s < second) {
        second = s;
      }
    }
    this.upper[i] = Math.sqrt(Math.max(0, first));
    this.lower[i] = Math.sqrt(Math.max(0, second));
    return best;
  }

  /** Loosens the bounds by how far each centre moved from `old` to `now`. */
  moved(rows: Rows, old: Float64Array, now: Float64Array, k: number, labels: Int32Array): void {
    const { n, dim } = rows;
    const drift = this.drift;
    let most = 0;
    let runnerUp = 0;
    let farthest = -1;
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let d = 0; d < dim; d++) {
        const e = now[c * dim + d]! - old[c * dim + d]!;
        s += e * e;
      }
      const p = Math.sqrt(s);
      drift[c] = p;
      if (p > most) {
        runnerUp = most;
        most = p;
        farthest = c;
      } else if (p > runnerUp) {
        runnerUp = p;
      }
    }
    const { upper, lower } = this;
    for (let i = 0; i < n; i++) {
      const a = labels[i]!;
      upper[i]! += drift[a]!;
      // The nearest other centre moved at most as far as the farthest-moving centre but this row's own.
      lower[i]! -= a === farthest ? runnerUp : most;
    }
  }
}
