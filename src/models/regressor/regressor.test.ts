/**
 * The regressor against scikit-learn 1.2.1 (test/fixtures/regression, made by
 * make_fixtures.py there): coefficients, intercepts, standard errors, R² and metrics must
 * agree to 1e-8 relative (they agree to about 1e-13). SGD is checked against OLS on a
 * well-conditioned synthetic set, to 1e-2 of the largest coefficient, a tolerance stated
 * by what a constant learning rate of 0.01 leaves as noise.
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { isCodedError, scratchFiles } from "../../../test/support/data-files.ts";
import type { TrainProgress } from "../../core/index.ts";
import { Random, TextkitError } from "../../core/index.ts";
import { loadTable, type Table } from "../../data/index.ts";
import { fileSource, type LinearRegressor, loadRegressor, trainRegressor } from "./index.ts";

const FIXTURES = fileURLToPath(new URL("../../../test/fixtures/regression/", import.meta.url));
const REFERENCE = JSON.parse(readFileSync(join(FIXTURES, "regression.json"), "utf8"));
const EXACT = 1e-8;
const scratch = scratchFiles("regressor");

function assertClose(actual: number, expected: number, tolerance: number, what: string): void {
  const scale = Math.max(Math.abs(expected), 1e-12);
  assert.ok(
    Math.abs(actual - expected) <= tolerance * scale,
    `${what}: ${actual} differs from ${expected} by ${Math.abs(actual - expected) / scale} relative`,
  );
}

function assertAllClose(
  actual: readonly number[],
  expected: readonly number[],
  tolerance: number,
  what: string,
): void {
  assert.equal(actual.length, expected.length, `${what}: lengths`);
  for (let i = 0; i < actual.length; i++) assertClose(actual[i]!, expected[i]!, tolerance, `${what}[${i}]`);
}

interface Fit {
  intercept: number;
  coef: number[];
  standard_errors?: number[];
  t_values?: number[];
  r2?: number;
  adjusted_r2?: number;
  residual_std?: number;
  names?: string[];
  train_metrics: { mse: number; rmse: number; mae: number; r2: number };
}

function checkFit(model: LinearRegressor, fit: Fit, what: string): void {
  const s = model.summary;
  assertClose(s.intercept.value, fit.intercept, EXACT, `${what} intercept`);
  assertAllClose(
    s.coefficients.map((c) => c.value),
    fit.coef,
    EXACT,
    `${what} coefficients`,
  );
  if (fit.names !== undefined) {
    assert.deepEqual(
      s.coefficients.map((c) => c.name),
      fit.names,
    );
  }
  if (fit.standard_errors !== undefined) {
    assertAllClose(
      [s.intercept, ...s.coefficients].map((c) => c.standardError!),
      fit.standard_errors,
      EXACT,
      `${what} standard errors`,
    );
    assertAllClose(
      [s.intercept, ...s.coefficients].map((c) => c.t!),
      fit.t_values!,
      EXACT,
      `${what} t values`,
    );
    assertClose(s.adjustedR2!, fit.adjusted_r2!, EXACT, `${what} adjusted R²`);
    assertClose(s.residualStd!, fit.residual_std!, EXACT, `${what} residual std`);
  }
  for (const key of ["mse", "rmse", "mae", "r2"] as const) {
    assertClose(s.train[key], fit.train_metrics[key], EXACT, `${what} train ${key}`);
  }
}

describe("regressor against scikit-learn on diabetes (load_diabetes, scaled=False)", async () => {
  const path = join(FIXTURES, "diabetes.csv");
  const table = await loadTable(path, { target: "target" });
  const cases = REFERENCE.diabetes.cases;

  it("OLS: LinearRegression's coefficients, with standard errors, t values, R² and adjusted R²", async () => {
    assert.equal(table.rows, 442);
    for (const standardize of [true, false]) {
      const model = await trainRegressor({ train: table }, { method: "ols", standardize });
      checkFit(model, cases.ols, `ols standardize=${standardize}`);
    }
  });

  it("ridge: Ridge(alpha=1) and Ridge(alpha=10) on the raw features, and after a StandardScaler", async () => {
    for (const alpha of [1, 10]) {
      const raw = await trainRegressor({ train: table }, { method: "ridge", alpha, standardize: false });
      checkFit(raw, cases[`ridge_${alpha}`], `ridge ${alpha}`);
      const scaled = await trainRegressor({ train: table }, { method: "ridge", alpha, standardize: true });
      checkFit(scaled, cases[`ridge_${alpha}_standardized`], `ridge ${alpha} standardized`);
      // The weights on the standardised design are StandardScaler + Ridge's own coef_.
      assertAllClose(
        Array.from(scaled.weights.subarray(1)),
        cases[`ridge_${alpha}_standardized`].scaled_coef,
        EXACT,
        `ridge ${alpha} design weights`,
      );
    }
  });

  it("gives the same bits whether the table is in memory or streamed from its file", async () => {
    const memory = await trainRegressor({ train: table }, { method: "ols" });
    const streamed = await trainRegressor(
      { train: fileSource(path, { target: "target" }) },
      { method: "ols" },
    );
    assert.deepEqual(Array.from(streamed.weights), Array.from(memory.weights));
    assert.equal(streamed.runRecord!.data.train.fingerprint, memory.runRecord!.data.train.fingerprint);
  });
});

describe("regressor against scikit-learn with a categorical column (houses)", () => {
  it("OLS drops the first level; ridge keeps every level, with standardised numeric columns", async () => {
    const table = await loadTable(join(FIXTURES, "houses.csv"), { target: "price" });
    const cases = REFERENCE.houses.complete;
    checkFit(await trainRegressor({ train: table }, { method: "ols" }), cases.ols, "houses ols");
    checkFit(
      await trainRegressor({ train: table }, { method: "ridge", alpha: 1 }),
      cases.ridge_1_standardized,
      "houses ridge",
    );
  });

  it("fills gaps as SimpleImputer(mean|median) and most_frequent do, before scaling", async () => {
    for (const impute of ["mean", "median"] as const) {
      const table = await loadTable(join(FIXTURES, "houses-missing.csv"), { target: "price", impute });
      const cases = REFERENCE.houses.missing[impute];
      checkFit(
        await trainRegressor({ train: table }, { method: "ols", impute }),
        cases.ols,
        `ols impute ${impute}`,
      );
      checkFit(
        await trainRegressor({ train: table }, { method: "ridge", alpha: 1, impute }),
        cases.ridge_1_standardized,
        `ridge impute ${impute}`,
      );
    }
  });

  it("refuses a table with gaps when the model does not impute", async () => {
    const path = join(FIXTURES, "houses-missing.csv");
    const table = await loadTable(path, { target: "price", impute: "mean" });
    await assert.rejects(
      trainRegressor({ train: table }, { method: "ols" }),
      isCodedError("DATA_MISSING_VALUE", path, 5, /column "area" has no value/),
    );
  });
});

/** A well-conditioned make_regression-style set: y = 10 + xβ + small noise. */
function synthetic(rows: number, seed: number): { csv: string; beta: number[] } {
  const rng = new Random(seed);
  const beta = [3, -2, 0.5, 1.5];
  let csv = "x1,x2,x3,x4,y\n";
  for (let i = 0; i < rows; i++) {
    const x = beta.map(() => rng.uniform(-1.7, 1.7));
    const y = 10 + x.reduce((s, v, j) => s + v * beta[j]!, 0) + rng.uniform(-0.05, 0.05);
    csv += `${x.join(",")},${y}\n`;
  }
  return { csv, beta };
}

describe("minibatch SGD", () => {
  const { csv } = synthetic(2000, 5);
  const path = scratch.write(".csv", csv);

  it("reaches the OLS solution, in memory and streamed from the file with a small shuffle buffer", async () => {
    const table = await loadTable(path, { target: "y" });
    const ols = await trainRegressor({ train: table }, { method: "ols" });
    const sgdOptions = { method: "sgd" as const, lr: 0.01, batchSize: 32, epochs: 30, seed: 3 };
    const memory = await trainRegressor({ train: table }, sgdOptions);
    const streamed = await trainRegressor(
      { train: fileSource(path, { target: "y" }) },
      { ...sgdOptions, shuffleBuffer: 300 },
    );
    const scale = Math.max(...ols.summary.coefficients.map((c) => Math.abs(c.value)));
    for (const model of [memory, streamed]) {
      const all = [model.summary.intercept, ...model.summary.coefficients];
      const reference = [ols.summary.intercept, ...ols.summary.coefficients];
      all.forEach((c, i) => {
        assert.ok(
          Math.abs(c.value - reference[i]!.value) < 1e-2 * scale,
          `${c.name}: ${c.value} vs ${reference[i]!.value}`,
        );
      });
      assert.ok(model.summary.train.r2 > 0.999);
      assert.equal(model.summary.coefficients[0]!.standardError, null);
    }
    assert.equal(memory.runRecord!.epochs.length, 30);
  });

  it("is deterministic for a seed, reports progress per epoch, and stops early on the dev set", async () => {
    const table = await loadTable(path, { target: "y" });
    const dev = await loadTable(path, { target: "y" });
    const options = { method: "sgd" as const, lr: 0.05, epochs: 200, patience: 2, seed: 9 };
    const seen: TrainProgress[] = [];
    const first = await trainRegressor({ train: table, dev }, options, { onProgress: (p) => seen.push(p) });
    const second = await trainRegressor({ train: table, dev }, options);
    assert.deepEqual(Array.from(first.weights), Array.from(second.weights));
    assert.ok(first.runRecord!.stoppedEarly, "constant-rate SGD plateaus; patience 2 ends it");
    assert.ok(first.runRecord!.epochs.every((e) => e.dev !== undefined && e.dev["rmse"]! > 0));
    assert.equal(seen[seen.length - 1]!.progress, 1);
    assert.equal(seen[seen.length - 1]!.unit, "examples");
  });

  it("says it diverged when the learning rate is too high", async () => {
    const table = await loadTable(path, { target: "y" });
    await assert.rejects(
      trainRegressor({ train: table }, { method: "sgd", lr: 5, epochs: 50 }),
      (error: unknown) =>
        error instanceof TextkitError &&
        error.code === "OPTION_INVALID" &&
        /diverged.*lower lr/.test(error.message),
    );
  });
});

describe("singular designs", () => {
  const table = async (csv: string): Promise<Table> => loadTable(scratch.write(".csv", csv), { target: "y" });

  it("names a column that is a linear combination of earlier ones, and which", async () => {
    const t = await table("a,b,c,y\n1,2,5,1\n2,1,4,2\n3,7,17,2\n4,3,10,5\n5,2,9,3\n6,6,18,4\n");
    await assert.rejects(trainRegressor({ train: t }, { method: "ols" }), (error: unknown) => {
      assert.ok(error instanceof TextkitError && error.code === "MODEL_SINGULAR");
      assert.match(error.message, /"c" is a linear combination of "a" and "b"/);
      assert.deepEqual(error.details?.["collinear"], [{ column: "c", combination: ["a", "b"] }]);
      return true;
    });
    // Ridge tolerates it.
    const ridge = await trainRegressor({ train: t }, { method: "ridge" });
    assert.ok(Number.isFinite(ridge.summary.coefficients[2]!.value));
  });

  it("names a constant column and a duplicated one", async () => {
    const constant = await table("a,k,y\n1,5,1\n2,5,2\n3,5,2\n4,5,5\n");
    await assert.rejects(
      trainRegressor({ train: constant }, { method: "ols" }),
      /"k" has the same value in every row, which the intercept already models/,
    );
    await assert.rejects(
      trainRegressor({ train: constant }, { method: "ols", standardize: false }),
      /"k" has the same value in every row, which the intercept already models/,
    );
    const twice = await table("a,b,y\n1,2,1\n2,4,2\n3,6,2\n4,8,5\n");
    await assert.rejects(
      trainRegressor({ train: twice }, { method: "ols" }),
      /"b" is a linear combination of "a"$/,
    );
  });

  it("says when there are fewer rows than columns", async () => {
    const wide = await table("a,b,c,y\n1,2,4,1\n2,1,5,2\n3,7,1,3\n");
    await assert.rejects(
      trainRegressor({ train: wide }, { method: "ols" }),
      /with 3 rows, at most 3 columns can be independent/,
    );
  });
});

describe("a trained regressor", () => {
  it("saves and loads with identical predictions, and refuses a damaged artifact", async () => {
    const train = await loadTable(join(FIXTURES, "houses.csv"), { target: "price" });
    const model = await trainRegressor({ train }, { method: "ols" });
    const dir = join(scratch.path, "houses-model");
    await model.save(dir);
    const loaded = await loadRegressor(dir);
    assert.deepEqual(Array.from(loaded.predict(train)), Array.from(model.predict(train)));
    assert.deepEqual(loaded.summary, model.summary);
    assert.deepEqual(loaded.features, ["area", "rooms", "city"]);
    const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
    assert.equal(manifest.family, "regressor");
    assert.equal(manifest.options.target, "price");
    writeFileSync(join(dir, "weights.f64"), Buffer.alloc(8));
    await assert.rejects(
      loadRegressor(dir),
      (error: unknown) => error instanceof TextkitError && error.code === "ARTIFACT_CORRUPT",
    );
  });

  it("predicts rows of named values, refusing an unknown category unless told to ignore it", async () => {
    const train = await loadTable(join(FIXTURES, "houses.csv"), { target: "price" });
    const strict = await trainRegressor({ train }, { method: "ols" });
    const [lyon] = strict.predictRows([{ area: 70, rooms: 3, city: "Lyon" }]);
    const s = strict.summary;
    const expected =
      s.intercept.value +
      70 * s.coefficients[0]!.value +
      3 * s.coefficients[1]!.value +
      s.coefficients[2]!.value;
    assertClose(lyon!.prediction, expected, 1e-12, "prediction");
    assert.throws(
      () =>
        strict.predictRows([
          { area: 70, rooms: 3, city: "Lyon" },
          { area: 70, rooms: 3, city: "Brest" },
        ]),
      (error: unknown) =>
        error instanceof TextkitError &&
        error.code === "DATA_UNKNOWN_CATEGORY" &&
        error.details?.["field"] === "/inputs/1/city" &&
        /\/inputs\/1\/city holds "Brest", a category the model never saw/.test(error.message),
    );
    assert.throws(
      () => strict.predictRows([{ area: 70, rooms: 3 }]),
      (error: unknown) => error instanceof TextkitError && error.code === "DATA_MISSING_VALUE",
    );
    const lenient = await trainRegressor({ train }, { method: "ols", unknownCategory: "ignore" });
    const [brest, lille] = lenient.predictRows([
      { area: 70, rooms: 3, city: "Brest" },
      { area: 70, rooms: 3, city: "Lille" },
    ]);
    assert.equal(
      brest!.prediction,
      lille!.prediction,
      "an unknown level encodes as the reference level (Lille)",
    );
  });

  it("evaluates a table and a streamed file to the same metrics", async () => {
    const path = join(FIXTURES, "diabetes.csv");
    const table = await loadTable(path, { target: "target" });
    const model = await trainRegressor({ train: table }, { method: "ridge" });
    const inMemory = model.evaluate(table).metrics;
    const streamed = await model.evaluateSource(fileSource(path, model.tableOptions()));
    assert.deepEqual(streamed, inMemory);
    assert.deepEqual(inMemory, model.summary.train);
  });

  it("refuses options that cannot train", async () => {
    const train = await loadTable(join(FIXTURES, "houses.csv"), { target: "price" });
    await assert.rejects(trainRegressor({ train }, { method: "ols", alpha: 1 }), /ols has none/);
    await assert.rejects(trainRegressor({ train }, { method: "ridge", alpha: 0 }), /ridge needs alpha > 0/);
    await assert.rejects(
      trainRegressor(
        { train: fileSource(join(FIXTURES, "houses.csv"), { target: "price" }) },
        { impute: "median" },
      ),
      /needs every training value in memory/,
    );
  });
});
