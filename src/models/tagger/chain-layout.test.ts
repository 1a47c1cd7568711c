import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Random } from "../../core/index.ts";
import { chainLayout } from "./chain-layout.ts";
import { CrfLattice } from "./crf-lattice.ts";
import { forwardBackward, LatticeScratch } from "./lattice.ts";
import { buildTagSet, type ChainWeights, type TagSet } from "./tag-set.ts";
import { ViterbiScratch, viterbi } from "./viterbi.ts";

const NEG = Number.NEGATIVE_INFINITY;

/** The transition weight of every pair, forbidden ones at −∞. */
function fullTransitions(set: TagSet, trans: Float32Array): Float64Array {
  return Float64Array.from(trans, (v, k) => (set.allowed[k] === 1 ? v : NEG));
}

function logSumExp(values: number[]): number {
  const max = Math.max(...values);
  if (max === NEG) return NEG;
  return max + Math.log(values.reduce((sum, v) => sum + Math.exp(v - max), 0));
}

/** Straightforward log-space forward-backward over all T × T pairs: log Z, node and edge marginals. */
function reference(
  set: TagSet,
  n: number,
  emit: Float64Array,
  chain: ChainWeights,
): { logZ: number; node: Float64Array; edge: Float64Array } {
  const T = set.tags.length;
  const full = fullTransitions(set, chain.trans);
  const at = (a: Float64Array, k: number) => a[k] ?? Number.NaN;
  const alpha = new Float64Array(n * T);
  const beta = new Float64Array(n * T);
  for (let t = 0; t < T; t++) {
    alpha[t] = set.canStart[t] === 1 ? (chain.start[t] ?? 0) + at(emit, t) : NEG;
  }
  for (let i = 1; i < n; i++) {
    for (let c = 0; c < T; c++) {
      const terms = Array.from({ length: T }, (_, p) => at(alpha, (i - 1) * T + p) + at(full, p * T + c));
      alpha[i * T + c] = logSumExp(terms) + at(emit, i * T + c);
    }
  }
  for (let t = 0; t < T; t++) beta[(n - 1) * T + t] = set.canEnd[t] === 1 ? (chain.end[t] ?? 0) : NEG;
  for (let i = n - 2; i >= 0; i--) {
    for (let p = 0; p < T; p++) {
      const terms = Array.from(
        { length: T },
        (_, c) => at(full, p * T + c) + at(emit, (i + 1) * T + c) + at(beta, (i + 1) * T + c),
      );
      beta[i * T + p] = logSumExp(terms);
    }
  }
  const logZ = logSumExp(Array.from({ length: T }, (_, t) => at(alpha, t) + at(beta, t)));
  const node = Float64Array.from(alpha, (a, k) => Math.exp(a + at(beta, k) - logZ));
  const edge = new Float64Array(T * T);
  for (let i = 1; i < n; i++) {
    for (let p = 0; p < T; p++) {
      for (let c = 0; c < T; c++) {
        const s =
          at(alpha, (i - 1) * T + p) + at(full, p * T + c) + at(emit, i * T + c) + at(beta, i * T + c);
        edge[p * T + c] = at(edge, p * T + c) + Math.exp(s - logZ);
      }
    }
  }
  return { logZ, node, edge };
}

/** The best path's score by a search over all T × T pairs. */
function referenceViterbi(set: TagSet, n: number, emit: Float64Array, chain: ChainWeights): number {
  const T = set.tags.length;
  const full = fullTransitions(set, chain.trans);
  let prev = Array.from({ length: T }, (_, t) =>
    set.canStart[t] === 1 ? (chain.start[t] ?? 0) + (emit[t] ?? 0) : NEG,
  );
  for (let i = 1; i < n; i++) {
    prev = Array.from({ length: T }, (_, c) => {
      const best = Math.max(...prev.map((s, p) => s + (full[p * T + c] ?? NEG)));
      return best + (emit[i * T + c] ?? 0);
    });
  }
  return Math.max(...prev.map((s, t) => (set.canEnd[t] === 1 ? s + (chain.end[t] ?? 0) : NEG)));
}

function close(got: number, want: number, what: string): void {
  assert.ok(Math.abs(got - want) <= 1e-9 * Math.abs(want) + 1e-300, `${what}: ${got} vs ${want}`);
}

function randomChain(rng: Random, T: number): ChainWeights {
  return {
    trans: Float32Array.from({ length: T * T }, () => rng.uniform(-3, 3)),
    start: Float32Array.from({ length: T }, () => rng.uniform(-3, 3)),
    end: Float32Array.from({ length: T }, () => rng.uniform(-3, 3)),
  };
}

const SETS = [
  buildTagSet(["A", "B", "C", "D", "E"], "bio"),
  buildTagSet(["A", "B", "C", "D", "E"], "bioes"),
  buildTagSet(["A", "B", "C", "D", "E", "F", "G"], "bioes"),
];

describe("chain layout", () => {
  it("numbers every allowed pair exactly once, dense rows over the wide list", () => {
    for (const set of SETS) {
      const T = set.tags.length;
      const layout = chainLayout(set);
      assert.equal(layout.pairs, set.pairs);
      const seen = new Uint8Array(T * T);
      for (const k of layout.pairAt) seen[k] = (seen[k] ?? 0) + 1;
      assert.deepEqual(seen, set.allowed);
      // BIO: O and B-x take every tag; BIOES: O, B-x, S-x take the tags that end an entity.
      const types = (T - 1) / (set.scheme === "bio" ? 2 : 4);
      assert.equal(layout.dense.length, set.scheme === "bio" ? 1 + types : 1 + 2 * types);
      assert.equal(layout.wide.length, set.scheme === "bio" ? T : 1 + 2 * types);
      assert.ok(layout.denseSize / layout.pairs > 0.8);
      assert.equal(chainLayout(set), layout);
    }
  });

  it("gives the training lattice the marginals of a plain forward-backward over all pairs", () => {
    const rng = new Random(17);
    for (const set of SETS) {
      const T = set.tags.length;
      const lattice = new CrfLattice();
      for (let n = 1; n <= 10; n++) {
        const emit = Float64Array.from({ length: n * T }, () => rng.uniform(-4, 4));
        const chain = randomChain(rng, T);
        const want = reference(set, n, emit, chain);
        close(lattice.marginals(set, n, emit, chain), want.logZ, `${set.scheme} n=${n} log Z`);
        for (let k = 0; k < n * T; k++) close(lattice.node[k] ?? NaN, want.node[k] ?? NaN, `node ${k}`);
        const pairAt = lattice.layout?.pairAt ?? new Int32Array(0);
        for (const [p, k] of pairAt.entries())
          close(lattice.edge[p] ?? NaN, want.edge[k] ?? NaN, `edge ${k}`);
        const log = new LatticeScratch();
        close(
          forwardBackward(set, n, emit, chain, 1, log),
          want.logZ,
          `${set.scheme} n=${n} log-space log Z`,
        );
        for (let k = 0; k < n * T; k++) {
          const node = Math.exp((log.alpha[k] ?? NaN) + (log.beta[k] ?? NaN) - want.logZ);
          close(node, want.node[k] ?? NaN, `log-space node ${k}`);
        }
      }
    }
  });

  it("decodes the best path that a search over all pairs finds", () => {
    const rng = new Random(23);
    for (const set of SETS) {
      const T = set.tags.length;
      for (let n = 1; n <= 12; n++) {
        const emit = Float64Array.from({ length: n * T }, () => rng.uniform(-4, 4));
        const chain = randomChain(rng, T);
        const path = new Int32Array(n);
        viterbi(set, n, emit, chain, path, new ViterbiScratch());
        let score = (chain.start[path[0] ?? 0] ?? 0) + (chain.end[path[n - 1] ?? 0] ?? 0);
        for (const [i, t] of path.entries()) {
          score += (emit[i * T + t] ?? 0) + (i > 0 ? (chain.trans[(path[i - 1] ?? 0) * T + t] ?? 0) : 0);
          if (i > 0) assert.equal(set.allowed[(path[i - 1] ?? 0) * T + t], 1);
        }
        close(score, referenceViterbi(set, n, emit, chain), `${set.scheme} n=${n} best score`);
      }
    }
  });
});
