import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compareConfusion, MAX_CONFUSION_LABELS } from "./run-confusion-compare.ts";
import type { StoredRun } from "./run-schema.ts";

function run(final: Record<string, unknown>): Pick<StoredRun, "final"> {
  return { final };
}

describe("compareConfusion", () => {
  it("aligns matrices whose labels differ in order and in membership", () => {
    const a = run({
      dev: {
        confusion: {
          labels: ["b", "a"],
          matrix: [
            [3, 1],
            [0, 4],
          ],
        },
      },
    });
    const b = run({
      dev: {
        confusion: {
          labels: ["a", "c", "b"],
          matrix: [
            [2, 0, 2],
            [0, 5, 0],
            [1, 0, 3],
          ],
        },
      },
    });
    const c = compareConfusion([a, b, run({})], "dev");
    assert.ok(c !== null);
    assert.deepEqual(c.labels, ["a", "b", "c"]);
    assert.deepEqual(c.counts[0], [
      [4, 0, 0],
      [1, 3, 0],
      [0, 0, 0],
    ]);
    assert.deepEqual(c.counts[1], [
      [2, 2, 0],
      [1, 3, 0],
      [0, 0, 5],
    ]);
    assert.equal(c.counts[2], null);
    assert.deepEqual(c.rowTotals[0], [4, 4, 0]);
    assert.equal(compareConfusion([a, b], "test"), null);
  });

  it("keeps the labels most involved in confusions when there are many, with true row totals", () => {
    const labels = Array.from({ length: 30 }, (_, i) => `l${String(i).padStart(2, "0")}`);
    const matrix = labels.map((_, t) => labels.map((__, p): number => (t === p ? 10 : 0)));
    // l29 is often taken for l28: both must be kept, whatever their place in the order.
    const row = matrix[29];
    assert.ok(row !== undefined);
    row[28] = 6;
    const c = compareConfusion([run({ test: { confusion: { labels, matrix } } })], "test");
    assert.ok(c !== null);
    assert.equal(c.labels.length, MAX_CONFUSION_LABELS);
    assert.equal(c.totalLabels, 30);
    assert.ok(c.labels.includes("l28") && c.labels.includes("l29"));
    const at = c.labels.indexOf("l29");
    assert.equal(c.rowTotals[0]?.[at], 16);
  });
});
