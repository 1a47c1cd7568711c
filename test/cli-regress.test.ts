/**
 * End-to-end tests of `textkit regress train | eval | predict` and `textkit forecast` on the
 * regression fixtures (diabetes, houses) and on small broken files: every bad input exits 1
 * with file:line in stderr and writes nothing.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { Random } from "../src/core/random.ts";
import { runCli } from "./support/cli-run.ts";
import { scratchFiles } from "./support/data-files.ts";

const FIXTURES = fileURLToPath(new URL("./fixtures/regression/", import.meta.url));
const DIABETES = join(FIXTURES, "diabetes.csv");
const HOUSES = join(FIXTURES, "houses.csv");
const scratch = scratchFiles("cli-regress");
const DAY = 86_400_000;

/** A daily series with memory and a weekend dip, positive throughout. */
function seriesCsv(points: number, seed = 2): string {
  const rng = new Random(seed);
  let level = 0;
  let csv = "date,price\n";
  for (let i = 0; i < points; i++) {
    level = 0.8 * level + rng.uniform(-1, 1);
    const date = new Date(Date.UTC(2024, 0, 1) + i * DAY);
    const weekend = date.getUTCDay() === 0 || date.getUTCDay() === 6;
    csv += `${date.toISOString().slice(0, 10)},${(100 * 1.002 ** i + level + (weekend ? -4 : 0)).toFixed(2)}\n`;
  }
  return csv;
}

/** A failure as the CLI reports a TextkitError, and no model written. */
function assertRefused(
  r: { code: number; stderr: string; stdout: string },
  where: RegExp,
  code: string,
  out?: string,
): void {
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, where);
  assert.match(r.stderr, new RegExp(`\\[${code}\\]`));
  assert.match(r.stderr, /^hint: /m);
  assert.equal(r.stdout, "");
  if (out !== undefined) assert.ok(!existsSync(out), `${out} was written`);
}

describe("textkit regress on diabetes", () => {
  const model = join(scratch.path, "diabetes-ols");

  it("trains OLS with a split, printing coefficients with standard errors and metrics", async () => {
    const r = await runCli(["regress", "train", "--train", DIABETES, "--target", "target", "--out", model]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^train: 354 rows, 10 features, target "target"/m);
    assert.match(r.stdout, /^coefficient\s+value\s+std error\s+t$/m);
    assert.match(r.stdout, /^\(intercept\)\s+-?\d+\.\d{4}\s+\d+\.\d{4}\s+-?\d+\.\d{4}$/m);
    assert.match(r.stdout, /^bmi\s+/m);
    assert.match(
      r.stdout,
      /^train: 354 rows {2}MSE [\d.]+ {2}RMSE [\d.]+ {2}MAE [\d.]+ {2}R² 0\.\d{4} {2}adjusted R² 0\.\d{4}$/m,
    );
    assert.match(r.stdout, /^test: 44 rows/m);
    const manifest = JSON.parse(readFileSync(join(model, "manifest.json"), "utf8"));
    assert.equal(manifest.family, "regressor");
    assert.equal(manifest.options.method, "ols");
    const run = JSON.parse(readFileSync(join(model, "run.json"), "utf8"));
    assert.equal(run.family, "regressor");
    assert.ok(run.final.test.r2 > 0.3 && run.final.test.examples === 44);
  });

  it("evaluates to the metrics the training recorded, and predicts one JSON line per row", async () => {
    const whole = await runCli(["regress", "eval", "--model", model, "--data", DIABETES, "--json"]);
    assert.equal(whole.code, 0, whole.stderr);
    const metrics = JSON.parse(whole.stdout);
    assert.equal(metrics.examples, 442);
    assert.ok(metrics.r2 > 0.45 && metrics.r2 < 0.6);
    const input = scratch.write(
      ".csv",
      "bmi,bp,age,sex,s1,s2,s3,s4,s5,s6,note\n32.1,101,59,2,157,93.2,38,4,4.8598,87,x\n21.6,87,48,1,183,103.2,70,3,3.8918,69,y\n",
    );
    const p = await runCli(["regress", "predict", "--model", model, "--input", input]);
    assert.equal(p.code, 0, p.stderr);
    const lines = p.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    assert.deepEqual(
      lines.map((l) => l.line),
      [2, 3],
    );
    assert.ok(lines[0].prediction > lines[1].prediction);
    assert.equal(lines[0].input.bmi, 32.1);
    assert.equal(lines[0].input.note, undefined);
  });

  it("trains ridge as JSON, and SGD streaming its file with --dev and --test", async () => {
    const ridge = await runCli([
      "regress",
      "train",
      "--train",
      DIABETES,
      "--target",
      "target",
      "--method",
      "ridge",
      "--alpha",
      "10",
      "--split",
      "0.2",
      "--out",
      join(scratch.path, "ridge"),
      "--json",
      "-q",
    ]);
    assert.equal(ridge.code, 0, ridge.stderr);
    assert.equal(ridge.stderr, "");
    const result = JSON.parse(ridge.stdout);
    assert.equal(result.options.alpha, 10);
    assert.equal(result.coefficients.length, 10);
    assert.equal(result.coefficients[0].standardError, null);
    assert.equal(result.metrics.dev.examples, 88);
    const sgd = await runCli([
      "regress",
      "train",
      "--train",
      DIABETES,
      "--dev",
      DIABETES,
      "--test",
      DIABETES,
      "--target",
      "target",
      "--method",
      "sgd",
      "--epochs",
      "4",
      "--batch-size",
      "16",
      "--out",
      join(scratch.path, "sgd"),
    ]);
    assert.equal(sgd.code, 0, sgd.stderr);
    assert.match(sgd.stderr, /\(streamed\)/);
    assert.match(sgd.stderr, /^epoch 4\/4 loss [\d.]+ dev RMSE [\d.]+ R² 0\.\d{4} .*s$/m);
    assert.match(sgd.stdout, /^test: 442 rows/m);
  });
});

describe("textkit regress with categories and gaps", () => {
  it("one-hot encodes a text column, dropping its first level for OLS", async () => {
    const r = await runCli([
      "regress",
      "train",
      "--train",
      HOUSES,
      "--target",
      "price",
      "--split",
      "0",
      "--out",
      join(scratch.path, "houses"),
      "--json",
      "-q",
    ]);
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout);
    assert.deepEqual(
      result.coefficients.map((c: { name: string }) => c.name),
      ["area", "rooms", "city=Lyon", "city=Nantes", "city=Paris"],
    );
  });

  it("refuses an empty cell naming file, line and column; --impute fills it", async () => {
    const path = join(FIXTURES, "houses-missing.csv");
    const out = join(scratch.path, "gaps");
    const refused = await runCli(["regress", "train", "--train", path, "--target", "price", "--out", out]);
    assertRefused(refused, /houses-missing\.csv:5: column "area" has no value/, "DATA_MISSING_VALUE", out);
    const filled = await runCli([
      "regress",
      "train",
      "--train",
      path,
      "--target",
      "price",
      "--impute",
      "median",
      "--out",
      out,
      "-q",
    ]);
    assert.equal(filled.code, 0, filled.stderr);
    assert.ok(existsSync(join(out, "manifest.json")));
  });

  it("refuses a non-numeric cell in a numeric column with file:line", async () => {
    const path = scratch.write(".csv", "x,c,y\n1,a,2\n2,b,3\n3 kg,a,4\n4,b,5\n");
    const out = join(scratch.path, "not-numeric");
    const r = await runCli(["regress", "train", "--train", path, "--target", "y", "--out", out]);
    assertRefused(r, /\.csv:4: column "x" holds "3 kg", which is not a number/, "DATA_NOT_NUMERIC", out);
  });

  it("refuses a singular design naming the collinear columns, and writes nothing", async () => {
    let csv = "a,b,c,y\n";
    const rng = new Random(1);
    for (let i = 0; i < 30; i++) {
      const a = rng.uniform(0, 10);
      const b = rng.uniform(0, 10);
      csv += `${a},${b},${a - b},${a + rng.uniform(-1, 1)}\n`;
    }
    const out = join(scratch.path, "singular");
    const r = await runCli([
      "regress",
      "train",
      "--train",
      scratch.write(".csv", csv),
      "--target",
      "y",
      "--out",
      out,
    ]);
    assertRefused(
      r,
      /the design matrix is singular: "c" is a linear combination of "a" and "b"/,
      "MODEL_SINGULAR",
      out,
    );
    assert.match(r.stderr, /--method ridge/);
  });

  it("refuses at prediction a category the model never saw, with file:line", async () => {
    const model = join(scratch.path, "houses-strict");
    const t = await runCli([
      "regress",
      "train",
      "--train",
      HOUSES,
      "--target",
      "price",
      "--out",
      model,
      "-q",
    ]);
    assert.equal(t.code, 0, t.stderr);
    const input = scratch.write(".csv", "area,rooms,city\n50,2,Lyon\n60,3,Brest\n");
    const r = await runCli(["regress", "predict", "--model", model, "--input", input]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /\.csv:3: column "city" holds "Brest", a category the model never saw/);
    assert.match(r.stderr, /\[DATA_UNKNOWN_CATEGORY\]/);
  });

  it("refuses bad settings before reading any data", async () => {
    const out = join(scratch.path, "bad-settings");
    const r = await runCli([
      "regress",
      "train",
      "--train",
      "missing.csv",
      "--target",
      "y",
      "--method",
      "ridge",
      "--alpha",
      "0",
      "--out",
      out,
    ]);
    assertRefused(r, /ridge needs alpha > 0/, "OPTION_INVALID", out);
    const usage = await runCli([
      "regress",
      "train",
      "--train",
      HOUSES,
      "--target",
      "price",
      "--method",
      "lasso",
      "--out",
      out,
    ]);
    assert.notEqual(usage.code, 0);
    assert.match(usage.stderr, /--method must be one of ols, ridge, sgd/);
  });
});

describe("textkit forecast", () => {
  const series = scratch.write(".csv", seriesCsv(200));

  it("prints the walk-forward table against the naive forecast, the forecast, the growth fit and bands", async () => {
    const r = await runCli([
      "forecast",
      "--input",
      series,
      "--time-column",
      "date",
      "--value-column",
      "price",
      "--horizon",
      "14",
      "--lags",
      "1,7",
      "--paths",
      "500",
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^series: 200 points, 2024-01-01 \.\. 2024-07-18, step day/m);
    assert.match(
      r.stdout,
      /^horizon\s+forecasts\s+MAE\s+naive MAE\s+MAE\/naive\s+RMSE\s+naive RMSE\s+MASE$/m,
    );
    assert.match(r.stdout, /^1\s+40\s+/m);
    assert.match(r.stdout, /^all\s+\d+\s+/m);
    assert.match(r.stdout, /^forecast, 90% prediction intervals$/m);
    assert.match(r.stdout, /^14\s+2024-08-01\s+/m);
    assert.match(r.stdout, /^growth \(log-linear fit\): \+0\.\d+% per step \(day\)/m);
    assert.match(r.stdout, /^step\s+time\s+p5\s+p50\s+p95\s+mean$/m);
  });

  it("gives every horizon and step as JSON, the same for the same seed", async () => {
    const args = [
      "forecast",
      "--input",
      series,
      "--time-column",
      "date",
      "--value-column",
      "price",
      "--horizon",
      "5",
      "--json",
    ];
    const a = await runCli(args);
    const b = await runCli(args);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(a.stdout, b.stdout);
    const result = JSON.parse(a.stdout);
    assert.equal(result.forecast.length, 5);
    assert.equal(result.walkForward.horizons.length, 5);
    assert.equal(result.simulation.steps.length, 5);
    assert.ok(result.simulation.steps[4].p5 < result.simulation.steps[4].p95);
    assert.ok(result.growth.growthRate > 0);
  });

  it("refuses a series too short for the lags, saying how many points it needs", async () => {
    const short = scratch.write(".csv", seriesCsv(20));
    const r = await runCli([
      "forecast",
      "--input",
      short,
      "--time-column",
      "date",
      "--value-column",
      "price",
      "--lags",
      "1,14",
    ]);
    assertRefused(r, /has 20 points, too few: .* so at least 28 points are needed/, "DATA_SERIES_TOO_SHORT");
  });

  it("refuses out-of-order times with file:line", async () => {
    const unsorted = scratch.write(
      ".csv",
      "date,price\n2024-01-01,1\n2024-01-02,2\n2024-01-04,3\n2024-01-03,4\n",
    );
    const r = await runCli([
      "forecast",
      "--input",
      unsorted,
      "--time-column",
      "date",
      "--value-column",
      "price",
    ]);
    assertRefused(r, /\.csv:5: time 2024-01-03 comes before 2024-01-04 on line 4/, "DATA_BAD_TIME");
  });

  it("skips the growth fit for a series with zeros, keeping the forecast", async () => {
    let csv = "day,mentions\n";
    for (let i = 0; i < 60; i++) csv += `${i},${i % 9 === 0 ? 0 : 5 + (i % 4)}\n`;
    const r = await runCli([
      "forecast",
      "--input",
      scratch.write(".csv", csv),
      "--time-column",
      "day",
      "--value-column",
      "mentions",
      "--horizon",
      "3",
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^growth fit skipped: line 2 is 0; exponential growth is fitted on logarithms/m);
  });
});
