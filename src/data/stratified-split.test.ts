import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { TextkitError } from "../core/index.ts";
import { type Dataset, datasetFromExamples } from "./dataset.ts";
import type { Example } from "./example.ts";
import { stratifiedSplit } from "./stratified-split.ts";

/** Examples whose class sizes are given, interleaved so that each class is spread over the file. */
function dataset(sizes: Record<string, number>): Dataset {
  const left = { ...sizes };
  const examples: Example[] = [];
  let line = 1;
  while (Object.values(left).some((n) => n > 0)) {
    for (const [label, n] of Object.entries(left)) {
      if (n === 0) continue;
      left[label] = n - 1;
      examples.push({ text: `${label} ${line}`, labels: [label], line: line++ });
    }
  }
  return datasetFromExamples("data.csv", examples);
}

function countBy(examples: Example[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const e of examples) {
    const label = e.labels[0] ?? "";
    counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  return counts;
}

describe("stratifiedSplit", () => {
  const sizes = { big: 100, mid: 37, small: 12, tiny: 5, three: 3 };
  const data = dataset(sizes);
  const options = { dev: 0.1, test: 0.2, seed: 7 };

  it("holds out each class in proportion, within one example", () => {
    const { train, dev, test } = stratifiedSplit(data, options);
    const devCounts = countBy(dev.examples);
    const testCounts = countBy(test.examples);
    const trainCounts = countBy(train.examples);
    for (const [label, n] of Object.entries(sizes)) {
      const d = devCounts.get(label) ?? 0;
      const t = testCounts.get(label) ?? 0;
      assert.ok(Math.abs(d - n * options.dev) <= 1, `${label}: dev ${d} of ${n}`);
      assert.ok(Math.abs(t - n * options.test) <= 1, `${label}: test ${t} of ${n}`);
      assert.equal(trainCounts.get(label), n - d - t);
    }
    assert.equal(devCounts.get("big"), 10);
    assert.equal(testCounts.get("big"), 20);
  });

  it("keeps every class in train, so train has all the labels", () => {
    const split = stratifiedSplit(dataset({ a: 1, b: 2, c: 40 }), { dev: 0.5, test: 0.4, seed: 1 });
    assert.deepEqual(split.train.labels, ["a", "b", "c"]);
    const counts = countBy(split.train.examples);
    assert.equal(counts.get("a"), 1);
    // b: round(1) + round(0.8) = 2 would leave nothing, so test gives one back
    assert.equal(counts.get("b"), 1);
    assert.equal(countBy(split.dev.examples).get("b"), 1);
    assert.equal(countBy(split.test.examples).get("b") ?? 0, 0);
  });

  it("puts every example in exactly one part, each part in the original order", () => {
    const { train, dev, test } = stratifiedSplit(data, options);
    const all = [...train.examples, ...dev.examples, ...test.examples];
    assert.equal(all.length, data.examples.length);
    assert.equal(new Set(all).size, data.examples.length);
    for (const e of data.examples) assert.ok(all.includes(e));
    for (const part of [train, dev, test]) {
      const lines = part.examples.map((e) => e.line);
      assert.deepEqual(
        lines,
        [...lines].sort((x, y) => x - y),
      );
    }
  });

  it("gives the same split for the same seed and another for another seed", () => {
    const lines = (seed: number) =>
      stratifiedSplit(data, { ...options, seed }).dev.examples.map((e) => e.line);
    assert.deepEqual(lines(7), lines(7));
    assert.notDeepEqual(lines(7), lines(8));
    // shuffled, not simply the first examples of each class
    const firstTen = data.examples.filter((e) => e.labels[0] === "big").slice(0, 10);
    const devBig = stratifiedSplit(data, options).dev.examples.filter((e) => e.labels[0] === "big");
    assert.notDeepEqual(devBig, firstTen);
  });

  it("stratifies multi-label data on the first label and keeps multiLabel on every part", () => {
    const examples: Example[] = [];
    for (let i = 0; i < 40; i++) {
      examples.push({ text: `t${i}`, labels: i % 2 === 0 ? ["x", "y"] : ["y"], line: i + 1 });
    }
    const split = stratifiedSplit(datasetFromExamples("m.jsonl", examples), { dev: 0.25, test: 0, seed: 3 });
    assert.equal(countBy(split.dev.examples).get("x"), 5);
    assert.equal(countBy(split.dev.examples).get("y"), 5);
    assert.equal(split.test.examples.length, 0);
    assert.ok(split.train.multiLabel && split.dev.multiLabel && split.test.multiLabel);
  });

  it("DATA_SPLIT_TOO_SMALL when dev would be empty", () => {
    const small = dataset({ a: 2, b: 3 });
    assert.throws(
      () => stratifiedSplit(small, { dev: 0.1, test: 0, seed: 1 }),
      (error: unknown) => {
        assert.ok(error instanceof TextkitError);
        assert.equal(error.code, "DATA_SPLIT_TOO_SMALL");
        assert.equal(error.file, "data.csv");
        assert.equal(error.line, undefined);
        assert.match(
          error.message,
          /5 examples over 2 labels \(the smallest has 2\).*leave the dev part empty/,
        );
        return true;
      },
    );
  });

  it("DATA_SPLIT_TOO_SMALL for an empty dataset", () => {
    assert.throws(
      () => stratifiedSplit(datasetFromExamples("none", []), { dev: 0.1, test: 0.1, seed: 1 }),
      (error: unknown) =>
        error instanceof TextkitError &&
        error.code === "DATA_SPLIT_TOO_SMALL" &&
        /train part empty/.test(error.message),
    );
  });

  it("OPTION_INVALID for fractions outside [0, 1), summing to 1, or a fractional seed", () => {
    const bad = [
      { dev: -0.1, test: 0.1, seed: 1 },
      { dev: 1, test: 0, seed: 1 },
      { dev: 0.5, test: 0.5, seed: 1 },
      { dev: Number.NaN, test: 0.1, seed: 1 },
      { dev: 0.1, test: 0.1, seed: 1.5 },
    ];
    for (const options of bad) {
      assert.throws(
        () => stratifiedSplit(data, options),
        (error: unknown) => error instanceof TextkitError && error.code === "OPTION_INVALID",
        JSON.stringify(options),
      );
    }
  });
});
