import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isTextkitError } from "../core/index.ts";
import { confusionMatrix, formatConfusionMatrix } from "./confusion-matrix.ts";
import { displayWidth } from "./strings.ts";

describe("confusionMatrix", () => {
  it("counts rows by true label and columns by predicted label", () => {
    const cm = confusionMatrix(["b", "a", "a", "c"], ["a", "a", "c", "c"]);
    assert.deepEqual(cm.labels, ["a", "b", "c"]);
    assert.deepEqual(cm.matrix, [
      [1, 0, 1],
      [1, 0, 0],
      [0, 0, 1],
    ]);
  });

  it("follows an explicit label order and leaves out examples with other labels", () => {
    const cm = confusionMatrix(["b", "a", "a", "c"], ["a", "a", "c", "c"], ["c", "a", "z"]);
    // ("b" -> "a") is dropped: its true label is not listed
    assert.deepEqual(cm.matrix, [
      [1, 0, 0],
      [1, 1, 0],
      [0, 0, 0],
    ]);
  });

  it("refuses label sets, bad lengths and repeated labels", () => {
    const code = (fn: () => unknown): string => {
      try {
        fn();
      } catch (err) {
        if (isTextkitError(err)) return `${err.code}: ${err.message}`;
        throw err;
      }
      return "no error";
    };
    const sets: unknown = [["a"]];
    assert.match(
      code(() => confusionMatrix(sets as string[], sets as string[])),
      /^EVAL_BAD_TARGETS: .*not label sets/,
    );
    assert.match(
      code(() => confusionMatrix(["a"], [])),
      /^EVAL_LENGTH_MISMATCH: yTrue has 1 examples but yPred has 0/,
    );
    assert.match(
      code(() => confusionMatrix(["a"], ["a"], ["a", "a"])),
      /^OPTION_INVALID: labels lists "a" twice/,
    );
  });
});

describe("formatConfusionMatrix", () => {
  it("aligns columns in display width, Chinese labels included", () => {
    const text = formatConfusionMatrix(
      confusionMatrix(["正面", "负面", "中性", "正面"], ["正面", "正面", "中性", "负面"]),
    );
    const lines = text.trimEnd().split("\n");
    assert.equal(lines.length, 4);
    const widths = new Set(lines.map(displayWidth));
    assert.equal(widths.size, 1, text);
    assert.match(lines[0] ?? "", /^true \\ pred/);
    // row "正面" (true): predicted 中性 0, 正面 1, 负面 1
    assert.deepEqual(lines[2]?.trim().split(/\s+/), ["正面", "0", "1", "1"]);
  });
});
