/**
 * What a person reads about text clusters: each cluster's top terms (mean TF-IDF, terms
 * spread evenly over every cluster left out) and the texts nearest its centroid.
 */
import type { SparseRows } from "../numeric/index.ts";

/** A term whose mean weight in every cluster reaches this share of its highest is stop-like. */
const EVEN_SHARE = 0.5;

export interface ClusterTerm {
  term: string;
  /** Mean TF-IDF weight of the term over the cluster's texts. */
  weight: number;
}

export interface ClusterExample {
  text: string;
  /** Distance to the centroid (1 - cosine similarity, or Euclidean). */
  distance: number;
}

/**
 * Mean TF-IDF of each term per cluster; the top terms of a cluster skip terms spread about
 * evenly over all clusters (their mean in every cluster is at least half their highest),
 * which are the corpus's stop words rather than any topic's. Works one cluster at a time,
 * so that memory is the vocabulary's, not k times it.
 */
export function topTermsOf(
  rows: SparseRows,
  terms: readonly string[],
  assignments: Int32Array,
  k: number,
  sizes: Int32Array,
  count: number,
): ClusterTerm[][] {
  const V = terms.length;
  const n = assignments.length;
  const { rowStart, columns, values } = rows;
  // Rows grouped by cluster.
  const start = new Int32Array(k + 1);
  for (let c = 0; c < k; c++) start[c + 1] = start[c]! + sizes[c]!;
  const fill = start.slice(0, k);
  const members = new Int32Array(n);
  for (let i = 0; i < n; i++) members[fill[assignments[i]!]!++] = i;
  const mean = new Float64Array(V);
  const meanOf = (c: number): void => {
    mean.fill(0);
    for (let m = start[c]!; m < start[c + 1]!; m++) {
      const i = members[m]!;
      for (let p = rowStart[i]!; p < rowStart[i + 1]!; p++) mean[columns[p]!]! += values[p]!;
    }
    for (let j = 0; j < V; j++) mean[j] = mean[j]! / sizes[c]!;
  };
  let nonEmpty = 0;
  for (let c = 0; c < k; c++) if (sizes[c]! > 0) nonEmpty++;
  const even = new Uint8Array(V);
  if (nonEmpty >= 2) {
    const lowest = new Float64Array(V).fill(Number.POSITIVE_INFINITY);
    const highest = new Float64Array(V);
    for (let c = 0; c < k; c++) {
      if (sizes[c] === 0) continue;
      meanOf(c);
      for (let j = 0; j < V; j++) {
        const m = mean[j]!;
        if (m < lowest[j]!) lowest[j] = m;
        if (m > highest[j]!) highest[j] = m;
      }
    }
    for (let j = 0; j < V; j++) if (highest[j]! > 0 && lowest[j]! >= EVEN_SHARE * highest[j]!) even[j] = 1;
  }
  const out: ClusterTerm[][] = [];
  for (let c = 0; c < k; c++) {
    const top: ClusterTerm[] = [];
    out.push(top);
    if (count === 0 || sizes[c] === 0) continue;
    meanOf(c);
    // Insertion into a short sorted list: count is small, V may be large.
    for (let j = 0; j < V; j++) {
      const w = mean[j]!;
      if (w <= 0 || even[j] === 1) continue;
      if (top.length === count && w <= top[count - 1]!.weight) continue;
      let at = Math.min(top.length, count - 1);
      top[at] = { term: terms[j]!, weight: w };
      while (at > 0 && top[at - 1]!.weight < w) {
        const t = top[at - 1]!;
        top[at - 1] = top[at]!;
        top[at] = t;
        at--;
      }
    }
  }
  return out;
}

/** The texts nearest each centroid, without repeating a text. */
export function examplesOf(
  texts: readonly string[],
  assignments: Int32Array,
  distances: Float64Array,
  k: number,
  count: number,
): ClusterExample[][] {
  const out: ClusterExample[][] = Array.from({ length: k }, () => []);
  if (count === 0) return out;
  const order = Array.from({ length: texts.length }, (_, i) => i);
  order.sort((a, b) => distances[a]! - distances[b]! || a - b);
  const seen: Set<string>[] = Array.from({ length: k }, () => new Set());
  for (const i of order) {
    const c = assignments[i]!;
    const list = out[c]!;
    if (list.length >= count) continue;
    const text = texts[i]!;
    if (seen[c]!.has(text)) continue;
    seen[c]!.add(text);
    list.push({ text, distance: distances[i]! });
  }
  return out;
}
