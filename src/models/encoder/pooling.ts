/**
 * Pooling of token vectors into one sentence vector, as sentence-transformers pools: over
 * the tokens the attention mask keeps (special tokens included), never over padding.
 * Sums run in double precision, so a batch padded to its longest text gives the same
 * vector as the text alone.
 */
import type { PoolingMode } from "./types.ts";

/** One batch's `last_hidden_state`: `batch × seq × dim`, row-major. */
export interface HiddenStates {
  data: Float32Array;
  seq: number;
  dim: number;
}

/**
 * Pools row `row` of `hidden`, whose first `length` tokens are real, into
 * `out[offset .. offset + dim)`.
 */
export function poolRow(
  hidden: HiddenStates,
  row: number,
  length: number,
  mode: PoolingMode,
  normalize: boolean,
  out: Float32Array,
  offset: number,
): void {
  const { data, seq, dim } = hidden;
  const base = row * seq * dim;
  const acc = new Float64Array(dim);
  if (mode === "cls") {
    for (let d = 0; d < dim; d++) acc[d] = data[base + d] as number;
  } else if (mode === "max") {
    acc.fill(Number.NEGATIVE_INFINITY);
    for (let t = 0; t < length; t++) {
      const at = base + t * dim;
      for (let d = 0; d < dim; d++) {
        const v = data[at + d] as number;
        if (v > (acc[d] as number)) acc[d] = v;
      }
    }
  } else {
    for (let t = 0; t < length; t++) {
      const at = base + t * dim;
      for (let d = 0; d < dim; d++) acc[d] = (acc[d] as number) + (data[at + d] as number);
    }
    for (let d = 0; d < dim; d++) acc[d] = (acc[d] as number) / length;
  }
  let scale = 1;
  if (normalize) {
    let norm = 0;
    for (let d = 0; d < dim; d++) norm += (acc[d] as number) * (acc[d] as number);
    // torch.nn.functional.normalize's eps: a zero vector stays zero.
    scale = 1 / Math.max(Math.sqrt(norm), 1e-12);
  }
  for (let d = 0; d < dim; d++) out[offset + d] = (acc[d] as number) * scale;
}
