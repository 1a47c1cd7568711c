/**
 * The first principal component of row vectors, as SIF removes it from sentence vectors.
 */

const POWER_ITERATIONS = 100;

/**
 * The first principal component (uncentred, as in the SIF paper) of n × dim rows: the top
 * eigenvector of XᵀX by power iteration, started from the rows' mean direction so that the
 * result does not depend on chance. Null when the rows are all zero.
 */
export function firstComponent(rows: Float32Array, dim: number): Float32Array | null {
  const n = rows.length / dim;
  let u = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) u[j]! += rows[i * dim + j]!;
  if (!scaleToUnit(u)) u[0] = 1;
  let next = new Float64Array(dim);
  for (let iteration = 0; iteration < POWER_ITERATIONS; iteration++) {
    next.fill(0);
    for (let i = 0, base = 0; i < n; i++, base += dim) {
      let s = 0;
      for (let j = 0; j < dim; j++) s += rows[base + j]! * u[j]!;
      if (s !== 0) for (let j = 0; j < dim; j++) next[j]! += s * rows[base + j]!;
    }
    if (!scaleToUnit(next)) return null;
    let change = 0;
    for (let j = 0; j < dim; j++) change += (next[j]! - u[j]!) ** 2;
    [u, next] = [next, u];
    if (change < 1e-12) break;
  }
  return Float32Array.from(u);
}

function scaleToUnit(v: Float64Array): boolean {
  let norm = 0;
  for (let j = 0; j < v.length; j++) norm += v[j]! * v[j]!;
  if (norm === 0) return false;
  const scale = 1 / Math.sqrt(norm);
  for (let j = 0; j < v.length; j++) v[j]! *= scale;
  return true;
}
