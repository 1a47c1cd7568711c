import assert from "node:assert/strict";
import fs from "node:fs";
import { describe, it } from "node:test";
import { isTextkitError, type TextkitError } from "../core/index.ts";
import {
  type ClassificationReport,
  classificationReport,
  classificationReportToDict,
  formatClassificationReport,
} from "./classification-report.ts";
import { confusionMatrix } from "./confusion-matrix.ts";
import { topKAccuracy } from "./top-k-accuracy.ts";

// Written by scripts/make-sklearn-fixtures.py with scikit-learn 1.2.1; the expected
// strings and numbers come from sklearn itself, not from this code.
interface SklearnFixture {
  name: string;
  description: string;
  multilabel: boolean;
  y_true: string[] | string[][];
  y_pred: string[] | string[][];
  options: { digits: number; zero_division: 0 | 1; labels?: string[] };
  report: string;
  report_dict: Record<string, Record<string, number> | number>;
  confusion_matrix?: { labels: string[]; matrix: number[][] } | null;
  top_k?: { ranked: string[][]; accuracy: Record<string, number> };
  subset_accuracy?: number;
}

const FIXTURES = new URL("../../test/fixtures/sklearn/", import.meta.url);
const NOT_REPORTS = new Set(["format-float.json", "numpy-sum.json"]);
const fixtures: SklearnFixture[] = fs
  .readdirSync(FIXTURES)
  .filter((name) => name.endsWith(".json") && !NOT_REPORTS.has(name))
  .sort()
  .map((name) => JSON.parse(fs.readFileSync(new URL(name, FIXTURES), "utf8")) as SklearnFixture);

function reportOf(f: SklearnFixture): ClassificationReport {
  return classificationReport(f.y_true, f.y_pred, {
    digits: f.options.digits,
    zeroDivision: f.options.zero_division,
    ...(f.options.labels === undefined ? {} : { labels: f.options.labels }),
  });
}

function assertClose(actual: number, expected: number, where: string): void {
  assert.ok(Math.abs(actual - expected) <= 1e-12, `${where}: ${actual} != ${expected}`);
}

function assertEvalError(fn: () => unknown, code: string, message: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(isTextkitError(err), `expected a TextkitError, got ${String(err)}`);
    const e: TextkitError = err;
    assert.equal(e.code, code);
    assert.match(e.message, message);
    // in-memory arrays have no file or line to point at
    assert.equal(e.file, undefined);
    return true;
  });
}

describe("classificationReport against scikit-learn fixtures", () => {
  it("found the fixtures", () => {
    assert.ok(
      fixtures.length >= 12,
      `only ${fixtures.length} fixtures; run scripts/make-sklearn-fixtures.py`,
    );
  });

  for (const f of fixtures) {
    describe(`${f.name}: ${f.description}`, () => {
      it("prints byte for byte what sklearn prints", () => {
        assert.equal(formatClassificationReport(reportOf(f)), f.report);
      });

      it("has sklearn's output_dict numbers, keys in sklearn's order", () => {
        const dict = classificationReportToDict(reportOf(f));
        assert.deepEqual(Object.keys(dict), Object.keys(f.report_dict));
        for (const [key, expected] of Object.entries(f.report_dict)) {
          const actual = dict[key];
          if (typeof expected === "number") {
            if (typeof actual !== "number") assert.fail(`${key} should be a number`);
            assertClose(actual, expected, key);
            continue;
          }
          if (typeof actual !== "object") assert.fail(`${key} should be a row`);
          const row: Record<string, number> = { ...actual };
          assert.deepEqual(Object.keys(row), Object.keys(expected), key);
          for (const [field, value] of Object.entries(expected)) {
            const got = row[field];
            if (got === undefined) assert.fail(`${key} has no ${field}`);
            assertClose(got, value, `${key}.${field}`);
          }
        }
      });

      if (f.multilabel) {
        it("reports subset accuracy as sklearn's accuracy_score", () => {
          const report = reportOf(f);
          assert.equal(report.multiLabel, true);
          assertClose(report.accuracy!, f.subset_accuracy!, "accuracy");
        });
      }

      if (f.confusion_matrix) {
        const cm = f.confusion_matrix;
        it("has sklearn's confusion matrix", () => {
          const labels = f.options.labels;
          const got = confusionMatrix(f.y_true as string[], f.y_pred as string[], labels);
          assert.deepEqual(got, cm);
        });
      }

      if (f.top_k) {
        const topK = f.top_k;
        it("has sklearn's top-k accuracy", () => {
          for (const [k, expected] of Object.entries(topK.accuracy)) {
            assertClose(topKAccuracy(f.y_true as string[], topK.ranked, Number(k)), expected, `k=${k}`);
          }
        });
      }
    });
  }
});

describe("classificationReport by hand", () => {
  it("computes per-label and averaged metrics from their definitions", () => {
    const report = classificationReport(["cat", "dog", "cat", "bird"], ["cat", "cat", "cat", "dog"]);
    assert.deepEqual(
      report.labels.map((l) => l.label),
      ["bird", "cat", "dog"],
    );
    const cat = report.labels[1];
    assert.ok(cat, "a row for cat");
    // cat: 2 right of 3 predicted, 2 of 2 true
    assert.equal(cat.precision, 2 / 3);
    assert.equal(cat.recall, 1);
    assertClose(cat.f1, 0.8, "cat f1");
    assert.equal(cat.support, 2);
    assert.equal(report.accuracy, 0.5);
    assert.equal(report.micro, undefined);
    assert.equal(report.samples, undefined);
    assertClose(report.macro.precision, 2 / 9, "macro precision");
    // macro F1 averages the labels' F1 (0, 0.8, 0), not F1 of the averaged P and R
    assertClose(report.macro.f1, 0.8 / 3, "macro f1");
    assertClose(report.weighted.f1, (0.8 * 2) / 4, "weighted f1");
    assert.equal(report.support, 4);
    assert.equal(report.supportAsFloat, false);
  });

  it("gives a label that is predicted but never true a row with support 0", () => {
    const report = classificationReport(["a", "a"], ["a", "spam"]);
    const spam = report.labels.find((l) => l.label === "spam");
    assert.deepEqual(spam, { label: "spam", precision: 0, recall: 0, f1: 0, support: 0 });
  });

  it("applies zeroDivision 1 to undefined precision and recall only", () => {
    const report = classificationReport(["a", "b"], ["a", "a"], { zeroDivision: 1 });
    const b = report.labels[1];
    assert.ok(b, "a row for b");
    // b is never predicted: precision 0/0 -> 1; recall 0/1 = 0; F1 of (1, 0) = 0
    assert.deepEqual([b.precision, b.recall, b.f1], [1, 0, 0]);
  });

  it("reports a micro average instead of accuracy when labels leave some out", () => {
    const report = classificationReport(["a", "b", "c"], ["a", "b", "b"], { labels: ["b", "a"] });
    assert.deepEqual(
      report.labels.map((l) => l.label),
      ["b", "a"],
    );
    assert.equal(report.accuracy, undefined);
    // over b and a: 2 right of 3 predicted, 2 of 2 true
    assert.equal(report.micro?.precision, 2 / 3);
    assert.equal(report.micro?.recall, 1);
    assert.match(formatClassificationReport(report), /\n {3}micro avg {7}0\.67 {6}1\.00/);
  });

  it("keeps the accuracy row when labels only reorder the labels seen", () => {
    const report = classificationReport(["a", "b", "c"], ["a", "b", "b"], { labels: ["c", "b", "a"] });
    assert.equal(report.accuracy, 2 / 3);
    assert.equal(report.micro, undefined);
  });

  it("marks supports as floats when nothing is predicted right, as sklearn prints them", () => {
    const report = classificationReport(["a", "b"], ["b", "a"]);
    assert.equal(report.supportAsFloat, true);
    assert.match(formatClassificationReport(report), / {9}a {7}0\.00 {6}0\.00 {6}0\.00 {7}1\.0\n/);
  });

  it("uses the digits given to classificationReport unless the formatter is told otherwise", () => {
    const report = classificationReport(["a", "b"], ["a", "a"], { digits: 4 });
    assert.equal(report.digits, 4);
    assert.match(formatClassificationReport(report), /0\.5000/);
    assert.match(formatClassificationReport(report, 1), /0\.5 /);
    // sklearn: width = max(longest name, len("weighted avg"), digits)
    assert.ok(formatClassificationReport(report, 14).startsWith(`${" ".repeat(15)} precision`));
  });

  it("counts a label repeated within one example's set once", () => {
    const once = classificationReport([["a"], ["b"]], [["a", "b"], []]);
    const twice = classificationReport([["a", "a"], ["b"]], [["a", "b", "b"], []]);
    assert.deepEqual(twice, once);
    assert.equal(once.multiLabel, true);
    assert.equal(once.accuracy, 0);
  });

  it("scores label sets per example for the samples average", () => {
    const report = classificationReport([["a", "b"], []], [["a"], []]);
    // example 1: P 1, R 1/2, F1 2/3; example 2 (nothing true, nothing predicted): 0, 0, 0
    assert.deepEqual(report.samples, { precision: 0.5, recall: 0.25, f1: 1 / 3, support: 2 });
    const ones = classificationReport([["a", "b"], []], [["a"], []], { zeroDivision: 1 });
    assertClose(ones.samples!.f1, (2 / 3 + 1) / 2, "samples f1 with zeroDivision 1");
    assert.equal(report.accuracy, 0.5);
  });

  it("gives a requested label that never occurs in label sets a row of zeros", () => {
    const report = classificationReport([["a"]], [["a"]], { labels: ["a", "zzz"] });
    assert.deepEqual(report.labels[1], { label: "zzz", precision: 0, recall: 0, f1: 0, support: 0 });
    assert.equal(report.micro?.f1, 1);
  });

  it("counts 150 labels over 100k examples correctly", () => {
    const n = 100_000;
    const intent = (j: number): string => `intent_${String(j % 150).padStart(3, "0")}`;
    const yTrue = new Array<string>(n);
    const yPred = new Array<string>(n);
    let right = 0;
    for (let i = 0; i < n; i++) {
      const truth = intent(i * 7);
      const pred = i % 3 === 0 ? intent(i * 11) : truth;
      yTrue[i] = truth;
      yPred[i] = pred;
      if (pred === truth) right++;
    }
    const report = classificationReport(yTrue, yPred);
    assert.equal(report.labels.length, 150);
    assert.equal(report.support, n);
    assert.equal(report.accuracy, right / n);
    assert.equal(
      report.labels.reduce((s, l) => s + l.support, 0),
      n,
    );
  });
});

describe("classificationReport refuses bad input", () => {
  it("refuses unequal lengths", () => {
    assertEvalError(
      () => classificationReport(["a", "b"], ["a"]),
      "EVAL_LENGTH_MISMATCH",
      /^yTrue has 2 examples but yPred has 1$/,
    );
  });

  it("refuses no examples", () => {
    assertEvalError(() => classificationReport([], []), "EVAL_EMPTY", /^yTrue and yPred are empty$/);
  });

  it("refuses single labels on one side and label sets on the other", () => {
    assertEvalError(
      () => classificationReport(["a"], [["a"]]),
      "EVAL_BAD_TARGETS",
      /^yTrue\[0\] is a single label but yPred\[0\] is a label set/,
    );
    const mixed: unknown = ["a", "b", ["c"]];
    assertEvalError(
      () => classificationReport(mixed as string[], ["a", "b", "c"]),
      "EVAL_BAD_TARGETS",
      /^yTrue\[2\] is an array; every label must be a string$/,
    );
    const ragged: unknown = [["a"], "b"];
    assertEvalError(
      () => classificationReport(ragged as string[][], [["a"], ["b"]]),
      "EVAL_BAD_TARGETS",
      /^yTrue\[1\] is the string "b", but yTrue\[0\] is a label set/,
    );
  });

  it("refuses labels that are not strings, saying where", () => {
    const numbers: unknown = [1, 2];
    assertEvalError(
      () => classificationReport(["a", "b"], numbers as string[]),
      "EVAL_BAD_TARGETS",
      /^yPred\[0\] is a number; every label must be a string$/,
    );
    const inSet: unknown = [["a", null]];
    assertEvalError(
      () => classificationReport([["a"]], inSet as string[][]),
      "EVAL_BAD_TARGETS",
      /^yPred\[0\]\[1\] is null; every label must be a string$/,
    );
  });

  it("refuses bad options", () => {
    assertEvalError(
      () => classificationReport(["a"], ["a"], { labels: [] }),
      "OPTION_INVALID",
      /^labels must be a non-empty array of label strings$/,
    );
    assertEvalError(
      () => classificationReport(["a"], ["a"], { labels: ["a", "b", "a"] }),
      "OPTION_INVALID",
      /^labels lists "a" twice$/,
    );
    assertEvalError(
      () => classificationReport(["a"], ["a"], { digits: -1 }),
      "OPTION_INVALID",
      /^digits must be an integer from 0 to 20, got -1$/,
    );
    const two: unknown = 2;
    assertEvalError(
      () => classificationReport(["a"], ["a"], { zeroDivision: two as 0 }),
      "OPTION_INVALID",
      /^zeroDivision must be 0 or 1, got 2$/,
    );
  });
});
