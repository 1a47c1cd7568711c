import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Random } from "../../core/index.ts";
import { CgScratch, cgSolveRow, gram, trainAls } from "./als.ts";
import { trainBpr } from "./bpr.ts";
import { StageProgress } from "./engine.ts";
import { csrFromEntries } from "./matrix.ts";
import { resolveRecommenderOptions } from "./options.ts";

/** Gaussian elimination with partial pivoting, for checking the solver on a small system. */
function solveDense(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    [m[c], m[p]] = [m[p]!, m[c]!];
    for (let r = c + 1; r < n; r++) {
      const f = m[r]![c]! / m[c]![c]!;
      for (let k = c; k <= n; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r]![n]!;
    for (let k = r + 1; k < n; k++) s -= m[r]![k]! * x[k]!;
    x[r] = s / m[r]![r]!;
  }
  return x;
}

describe("implicit ALS", () => {
  it("conjugate gradient reaches the solution of the weighted least squares of one row", () => {
    const f = 4;
    const items = 6;
    const rng = new Random(3);
    const y = Float32Array.from({ length: items * f }, () => rng.uniform(-1, 1));
    const cols = Int32Array.of(1, 3, 4);
    const w = Float32Array.of(2, 1, 5);
    const alpha = 0.7;
    const reg = 0.3;
    // A = YᵀY + Σ c_i y_i y_iᵀ + reg I, b = Σ (1 + c_i) y_i
    const a = Array.from({ length: f }, () => new Array<number>(f).fill(0));
    const b = new Array<number>(f).fill(0);
    for (let i = 0; i < items; i++) {
      const k = Array.from(cols).indexOf(i);
      const c = k >= 0 ? alpha * w[k]! : 0;
      for (let d = 0; d < f; d++) {
        if (k >= 0) b[d]! += (1 + c) * y[i * f + d]!;
        for (let e = 0; e < f; e++) a[d]![e]! += (1 + c) * y[i * f + d]! * y[i * f + e]!;
      }
    }
    for (let d = 0; d < f; d++) a[d]![d]! += reg;
    const expected = solveDense(a, b);
    const x = Float32Array.of(0.1, -0.2, 0.3, 0);
    cgSolveRow(x, 0, y, gram(y, items, f), cols, w, 0, 3, f, alpha, reg, f, new CgScratch(f));
    for (let d = 0; d < f; d++) assert.ok(Math.abs(x[d]! - expected[d]!) < 1e-4, `${x[d]} vs ${expected[d]}`);
  });

  it("lowers its loss pass after pass, and the same seed gives the same factors", () => {
    const rng = new Random(5);
    const n = 400;
    const m = csrFromEntries(
      30,
      20,
      Int32Array.from({ length: n }, () => rng.int(30)),
      Int32Array.from({ length: n }, () => rng.int(20)),
      Float32Array.from({ length: n }, () => 1 + rng.int(3)),
    );
    const options = resolveRecommenderOptions({
      model: "als",
      factors: 5,
      iterations: 6,
      reg: 0.1,
      alpha: 2,
    });
    const run = () => {
      const losses: number[] = [];
      const state = trainAls(m, options, {
        progress: new StageProgress({}, 1),
        endEpoch: (summary) => {
          losses.push(summary.trainLoss);
          return false;
        },
      });
      return { state, losses };
    };
    const first = run();
    for (let i = 1; i < first.losses.length; i++)
      assert.ok(first.losses[i]! <= first.losses[i - 1]! + 1e-6, String(first.losses));
    const second = run();
    assert.deepEqual(second.state.itemFactors, first.state.itemFactors);
  });
});

describe("BPR", () => {
  it("lowers its ranking loss and is deterministic", () => {
    const m = csrFromEntries(
      4,
      6,
      Int32Array.of(0, 0, 1, 1, 2, 2, 3, 3),
      Int32Array.of(0, 1, 0, 1, 4, 5, 4, 5),
      new Float32Array(8).fill(1),
    );
    const options = resolveRecommenderOptions({
      model: "bpr",
      factors: 4,
      iterations: 200,
      learningRate: 0.1,
    });
    const run = () => {
      const losses: number[] = [];
      const state = trainBpr(m, options, {
        progress: new StageProgress({}, 1),
        endEpoch: (s) => {
          losses.push(s.trainLoss);
          return false;
        },
      });
      return { state, losses };
    };
    const a = run();
    assert.ok(a.losses.at(-1)! < a.losses[0]! / 2, String([a.losses[0], a.losses.at(-1)]));
    assert.deepEqual(run().state.userFactors, a.state.userFactors);
  });
});
