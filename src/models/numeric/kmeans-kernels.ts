/** The distance kernels of k-means: float32 rows against float64 centres, four at once where it pays. */

/** Squared Euclidean distance between a float32 row and a float64 centre (four sums, for speed). */
export function squaredDistance(
  x: Float32Array,
  xo: number,
  c: Float64Array,
  co: number,
  dim: number,
): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let d = 0;
  for (; d + 3 < dim; d += 4) {
    const e0 = x[xo + d]! - c[co + d]!;
    const e1 = x[xo + d + 1]! - c[co + d + 1]!;
    const e2 = x[xo + d + 2]! - c[co + d + 2]!;
    const e3 = x[xo + d + 3]! - c[co + d + 3]!;
    s0 += e0 * e0;
    s1 += e1 * e1;
    s2 += e2 * e2;
    s3 += e3 * e3;
  }
  for (; d < dim; d++) {
    const e = x[xo + d]! - c[co + d]!;
    s0 += e * e;
  }
  return s0 + s1 + (s2 + s3);
}

/** Dot product of a float32 row and a float64 centre. */
export function dotProduct(x: Float32Array, xo: number, c: Float64Array, co: number, dim: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let d = 0;
  for (; d + 3 < dim; d += 4) {
    s0 += x[xo + d]! * c[co + d]!;
    s1 += x[xo + d + 1]! * c[co + d + 1]!;
    s2 += x[xo + d + 2]! * c[co + d + 2]!;
    s3 += x[xo + d + 3]! * c[co + d + 3]!;
  }
  for (; d < dim; d++) s0 += x[xo + d]! * c[co + d]!;
  return s0 + s1 + (s2 + s3);
}

/**
 * Copies `count` rows of `dim` (row-major in `source`) into blocks of four interleaved
 * rows, block b holding value d of its row t at b * 4 * dim + d * 4 + t; rows past
 * `count` are zeros. A row is then compared with four at once, reading it once.
 */
export function interleave(source: Float64Array, count: number, dim: number, out: Float64Array): void {
  const blocks = Math.ceil(count / 4);
  out.fill(0, 0, blocks * 4 * dim);
  for (let r = 0; r < count; r++) {
    const base = (r >> 2) * 4 * dim + (r & 3);
    for (let d = 0; d < dim; d++) out[base + d * 4] = source[r * dim + d]!;
  }
}

/** Squared distances (or dot products, for `dots`) of a row to the four rows of a block, into out[0..3]. */
export function blockOfFour(
  x: Float32Array,
  xo: number,
  block: Float64Array,
  bo: number,
  dim: number,
  dots: boolean,
  out: Float64Array,
): void {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  if (dots) {
    for (let d = 0; d < dim; d++) {
      const v = x[xo + d]!;
      const b = bo + d * 4;
      s0 += v * block[b]!;
      s1 += v * block[b + 1]!;
      s2 += v * block[b + 2]!;
      s3 += v * block[b + 3]!;
    }
  } else {
    for (let d = 0; d < dim; d++) {
      const v = x[xo + d]!;
      const b = bo + d * 4;
      const e0 = v - block[b]!;
      const e1 = v - block[b + 1]!;
      const e2 = v - block[b + 2]!;
      const e3 = v - block[b + 3]!;
      s0 += e0 * e0;
      s1 += e1 * e1;
      s2 += e2 * e2;
      s3 += e3 * e3;
    }
  }
  out[0] = s0;
  out[1] = s1;
  out[2] = s2;
  out[3] = s3;
}

/** Squared Euclidean distance, or 1 - cosine for unit vectors, between two float64 centres. */
export function centreDistance(
  a: Float64Array,
  ao: number,
  b: Float64Array,
  bo: number,
  dim: number,
  cosine: boolean,
): number {
  let s = 0;
  if (cosine) {
    for (let d = 0; d < dim; d++) s += a[ao + d]! * b[bo + d]!;
    return Math.max(0, 1 - s);
  }
  for (let d = 0; d < dim; d++) {
    const e = a[ao + d]! - b[bo + d]!;
    s += e * e;
  }
  return s;
}

/** 1 - cosine similarity, clipped to [0, 2]; a zero row has similarity 0 to everything (scikit-learn). */
export function cosineDistance(dot: number, normA: number, normB: number): number {
  if (normA === 0 || normB === 0) return 1;
  const d = 1 - dot / Math.sqrt(normA * normB);
  return Math.min(2, Math.max(0, d));
}
