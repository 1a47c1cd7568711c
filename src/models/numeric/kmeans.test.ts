import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import type { TrainProgress } from "../../core/index.ts";
import { isTextkitError, Random } from "../../core/index.ts";
import { adjustedRandIndex } from "../../eval/index.ts";
import {
  distancesToCentroids,
  type KMeansData,
  kMeans,
  kMeansPredict,
  type SparseRows,
  silhouette,
} from "./index.ts";

// Written by test/fixtures/cluster/make_fixtures.py with scikit-learn 1.2.1: KMeans(n_clusters=k,
// n_init=10, random_state=0) and silhouette_score on the same float32-rounded data.
interface FixtureRun {
  k: number;
  inertia: number;
  n_iter: number;
  labels: number[];
  silhouette: number;
  silhouette_cosine: number;
}
interface FixtureCase {
  name: string;
  sparse: boolean;
  n: number;
  dim: number;
  data?: number[];
  row_start?: number[];
  columns?: number[];
  values?: number[];
  runs: FixtureRun[];
}
const fixture = JSON.parse(
  readFileSync(new URL("../../../test/fixtures/cluster/kmeans.json", import.meta.url), "utf8"),
) as { cases: FixtureCase[] };

function dataOf(c: FixtureCase): KMeansData {
  if (!c.sparse) return Float32Array.from(c.data!);
  return {
    rowStart: Int32Array.from(c.row_start!),
    columns: Int32Array.from(c.columns!),
    values: Float32Array.from(c.values!),
  };
}

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (isTextkitError(error)) return error.code;
    throw error;
  }
  return "no error";
}

describe("kMeans and silhouette against scikit-learn", () => {
  it("found the fixtures", () => {
    assert.deepEqual(
      fixture.cases.map((c) => c.name),
      ["iris", "blobs", "sparse-topics"],
    );
  });
  for (const c of fixture.cases) {
    const data = dataOf(c);
    for (const run of c.runs) {
      it(`${c.name}, k = ${run.k}: best-of-10 inertia within 1% of scikit-learn's`, () => {
        const r = kMeans(data, c.n, c.dim, { k: run.k, nInit: 10, seed: 0 });
        const ratio = r.inertia / run.inertia;
        assert.ok(Math.abs(ratio - 1) <= 0.01, `textkit ${r.inertia} vs scikit-learn ${run.inertia}`);
        assert.equal(r.restarts.length, 10);
        assert.equal(r.inertia, Math.min(...r.restarts.map((x) => x.inertia)));
        assert.ok(r.restarts.every((x) => x.converged));
      });
      it(`${c.name}, k = ${run.k}: silhouette of scikit-learn's labels equals silhouette_score`, () => {
        const labels = Int32Array.from(run.labels);
        const exact = { sampleSize: c.n };
        const euclidean = silhouette(data, c.n, c.dim, labels, run.k, exact);
        assert.ok(Math.abs(euclidean - run.silhouette) <= 1e-9, `${euclidean} vs ${run.silhouette}`);
        const cosine = silhouette(data, c.n, c.dim, labels, run.k, { ...exact, metric: "cosine" });
        assert.ok(Math.abs(cosine - run.silhouette_cosine) <= 1e-9, `${cosine} vs ${run.silhouette_cosine}`);
      });
    }
  }

  it("finds scikit-learn's partition of iris into 3 clusters", () => {
    const iris = fixture.cases[0]!;
    const run = iris.runs.find((r) => r.k === 3)!;
    const r = kMeans(dataOf(iris), iris.n, iris.dim, { k: 3, nInit: 10, seed: 0 });
    assert.equal(adjustedRandIndex(r.assignments, run.labels), 1);
    const ours = silhouette(dataOf(iris), iris.n, iris.dim, r.assignments, 3);
    assert.ok(Math.abs(ours - run.silhouette) <= 1e-9);
  });
});

/** Three tight groups of `per` points around (0,0), (10,0) and (0,10), seeded. */
function threeGroups(per: number, seed = 7): Float32Array {
  const rng = new Random(seed);
  const centres = [
    [0, 0],
    [10, 0],
    [0, 10],
  ];
  const out = new Float32Array(per * 3 * 2);
  for (let i = 0; i < per * 3; i++) {
    const [x, y] = centres[i % 3]!;
    out[2 * i] = x! + rng.uniform(-1, 1);
    out[2 * i + 1] = y! + rng.uniform(-1, 1);
  }
  return out;
}

describe("kMeans", () => {
  it("gives the same result for the same seed, and reports each restart", () => {
    const data = threeGroups(50);
    const a = kMeans(data, 150, 2, { k: 3, nInit: 4, seed: 9 });
    const b = kMeans(data, 150, 2, { k: 3, nInit: 4, seed: 9 });
    assert.deepEqual(a.assignments, b.assignments);
    assert.deepEqual(a.centroids, b.centroids);
    assert.equal(a.restarts.length, 4);
    assert.equal(a.metric, "euclidean");
    for (let i = 0; i < 150; i++) assert.equal(a.assignments[i], a.assignments[i % 3]);
  });

  it("clusters sparse rows as it clusters the same rows dense", () => {
    const dense = threeGroups(20);
    const n = 60;
    const rowStart = new Int32Array(n + 1);
    const columns: number[] = [];
    const values: number[] = [];
    for (let i = 0; i < n; i++) {
      for (let d = 0; d < 2; d++) {
        columns.push(d);
        values.push(dense[2 * i + d]!);
      }
      rowStart[i + 1] = columns.length;
    }
    const sparse: SparseRows = {
      rowStart,
      columns: Int32Array.from(columns),
      values: Float32Array.from(values),
    };
    const a = kMeans(dense, n, 2, { k: 3, nInit: 3, seed: 2 });
    const b = kMeans(sparse, n, 2, { k: 3, nInit: 3, seed: 2 });
    assert.equal(adjustedRandIndex(a.assignments, b.assignments), 1);
    assert.ok(Math.abs(a.inertia - b.inertia) <= 1e-6 * a.inertia);
  });

  it("with the cosine metric groups rows by direction, whatever their length", () => {
    // Two directions, lengths from 1 to 100.
    const rows: number[] = [];
    for (let i = 0; i < 20; i++) {
      const len = 1 + i * 5;
      rows.push(len, len * 0.1, 0);
      rows.push(0, len * 0.1, len);
    }
    const r = kMeans(Float32Array.from(rows), 40, 3, { k: 2, metric: "cosine", nInit: 3 });
    for (let i = 0; i < 40; i++) assert.equal(r.assignments[i], r.assignments[i % 2]);
    assert.notEqual(r.assignments[0], r.assignments[1]);
    // Centroids have unit length; every row points exactly along one, so the sum of 1 - cosine is 0.
    for (let c = 0; c < 2; c++) {
      const norm = Math.hypot(...r.centroids.subarray(c * 3, c * 3 + 3));
      assert.ok(Math.abs(norm - 1) < 1e-6);
    }
    assert.ok(Math.abs(r.inertia) < 1e-6, String(r.inertia));
  });

  it("keeps every cluster in use when rows repeat (empty clusters take far rows)", () => {
    // 4 distinct points, 3 of them repeated: k = 4 must still use all four.
    const rows = [0, 0, 0, 0, 0, 0, 5, 5, 5, 5, 9, 0, 0, 9];
    const r = kMeans(Float32Array.from(rows), 7, 2, { k: 4, nInit: 5, seed: 3 });
    assert.equal(new Set(r.assignments).size, 4);
    assert.ok(r.inertia < 1e-9, String(r.inertia));
  });

  it("stops at maxIterations without claiming convergence", () => {
    const data = threeGroups(100, 4);
    const r = kMeans(data, 300, 2, { k: 7, maxIterations: 1, tol: 0 });
    assert.equal(r.iterations, 1);
    assert.equal(r.converged, false);
  });

  it("reports its progress as runs and inertia, with no learning rate", () => {
    const data = threeGroups(30);
    const seen: TrainProgress[] = [];
    kMeans(data, 90, 2, { k: 3, nInit: 2 }, { onProgress: (p) => seen.push(p) });
    assert.ok(seen.length > 0);
    for (const p of seen) {
      assert.equal(p.stage, "run");
      assert.equal(p.lossName, "inertia");
      assert.equal(p.learningRate, undefined);
    }
  });

  it("reports progress per iteration and asks whether to stop", () => {
    const data = threeGroups(30);
    const seen: number[] = [];
    const ends: number[] = [];
    const r = kMeans(
      data,
      90,
      2,
      { k: 3, nInit: 5 },
      {
        onProgress: (p) => seen.push(p.epoch),
        onEpochEnd: (s) => ends.push(s.epoch),
        shouldStop: () => ends.length >= 2,
      },
    );
    assert.deepEqual(ends, [1, 2]);
    assert.equal(r.restarts.length, 2);
    assert.ok(seen.length >= 2 && seen.every((e) => e === 1 || e === 2));
  });

  it("refuses bad options and data", () => {
    const data = threeGroups(5);
    assert.equal(
      code(() => kMeans(data, 15, 2, { k: 0 })),
      "OPTION_INVALID",
    );
    assert.equal(
      code(() => kMeans(data, 15, 2, { k: 16 })),
      "OPTION_INVALID",
    );
    assert.equal(
      code(() => kMeans(data, 15, 2, { k: 2, nInit: 0 })),
      "OPTION_INVALID",
    );
    assert.equal(
      code(() => kMeans(data, 15, 2, { k: 2, tol: -1 })),
      "OPTION_INVALID",
    );
    const withNaN = data.slice();
    withNaN[7] = Number.NaN;
    assert.equal(
      code(() => kMeans(withNaN, 15, 2, { k: 2 })),
      "INPUT_INVALID",
    );
    assert.equal(
      code(() => kMeans(data, 16, 2, { k: 2 })),
      "INPUT_INVALID",
    );
    const badSparse: SparseRows = {
      rowStart: Int32Array.from([0, 1, 2]),
      columns: Int32Array.from([0, 5]),
      values: Float32Array.from([1, 1]),
    };
    assert.equal(
      code(() => kMeans(badSparse, 2, 3, { k: 1 })),
      "INPUT_INVALID",
    );
  });
});

describe("kMeansPredict and distancesToCentroids", () => {
  it("assign new rows to the nearest centroid with the Euclidean distance", () => {
    const centroids = Float32Array.from([0, 0, 10, 0]);
    const p = kMeansPredict(Float32Array.from([1, 0, 9, 1, 4.9, 0]), 3, 2, centroids, 2);
    assert.deepEqual(Array.from(p.assignments), [0, 1, 0]);
    assert.ok(Math.abs(p.distances[0]! - 1) < 1e-12);
    assert.ok(Math.abs(p.distances[1]! - Math.SQRT2) < 1e-12);
    const d = distancesToCentroids(
      Float32Array.from([1, 0, 9, 1]),
      2,
      2,
      centroids,
      2,
      Int32Array.from([1, 1]),
    );
    assert.ok(Math.abs(d[0]! - 9) < 1e-12);
    assert.ok(Math.abs(d[1]! - Math.SQRT2) < 1e-12);
  });

  it("use 1 - cosine similarity for the cosine metric", () => {
    const centroids = Float32Array.from([1, 0, 0, 2]);
    const p = kMeansPredict(Float32Array.from([3, 3, 0, 5, 0, 0]), 3, 2, centroids, 2, { metric: "cosine" });
    assert.deepEqual(Array.from(p.assignments), [0, 1, 0]);
    assert.ok(Math.abs(p.distances[0]! - (1 - Math.SQRT1_2)) < 1e-7);
    assert.ok(Math.abs(p.distances[1]!) < 1e-12);
    // A row of zeros is at distance 1 from every direction.
    assert.equal(p.distances[2], 1);
  });

  it("refuse centroids that do not match k and dim", () => {
    assert.equal(
      code(() => kMeansPredict(Float32Array.from([1, 2]), 1, 2, Float32Array.from([1, 2, 3]), 2)),
      "INPUT_INVALID",
    );
  });
});

describe("silhouette", () => {
  it("is close to 1 for far-apart tight groups and 0 for a row alone in its cluster", () => {
    const data = threeGroups(20);
    const r = kMeans(data, 60, 2, { k: 3, nInit: 3 });
    assert.ok(silhouette(data, 60, 2, r.assignments, 3) > 0.8);
    // Rows 0,1 together, row 2 alone: s(2) = 0, so the mean is (s0 + s1) / 3.
    const line = Float32Array.from([0, 0, 1, 0, 10, 0]);
    const s = silhouette(line, 3, 2, Int32Array.from([0, 0, 1]), 2);
    const s0 = (10 - 1) / 10;
    const s1 = (9 - 1) / 9;
    assert.ok(Math.abs(s - (s0 + s1) / 3) < 1e-12, String(s));
  });

  it("on a seeded sample stays near the exact value, and repeats for the same seed", () => {
    const data = threeGroups(400, 11);
    const r = kMeans(data, 1200, 2, { k: 3 });
    const exact = silhouette(data, 1200, 2, r.assignments, 3, { sampleSize: 1200 });
    const a = silhouette(data, 1200, 2, r.assignments, 3, { sampleSize: 300, seed: 5 });
    const b = silhouette(data, 1200, 2, r.assignments, 3, { sampleSize: 300, seed: 5 });
    assert.equal(a, b);
    assert.ok(Math.abs(a - exact) < 0.03, `${a} vs ${exact}`);
  });

  it("needs between 2 and n - 1 clusters among the rows", () => {
    const data = Float32Array.from([0, 1, 2, 3]);
    assert.equal(
      code(() => silhouette(data, 4, 1, Int32Array.from([0, 0, 0, 0]), 2)),
      "INPUT_INVALID",
    );
    assert.equal(
      code(() => silhouette(data, 4, 1, Int32Array.from([0, 1, 2, 3]), 4)),
      "INPUT_INVALID",
    );
    assert.equal(
      code(() => silhouette(data, 4, 1, Int32Array.from([0, 1, 5, 0]), 2)),
      "INPUT_INVALID",
    );
  });
});
