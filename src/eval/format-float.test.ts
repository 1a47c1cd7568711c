import assert from "node:assert/strict";
import fs from "node:fs";
import { describe, it } from "node:test";
import { formatFixed, formatPythonFloat } from "./format-float.ts";

// Python's own outputs, written by scripts/make-sklearn-fixtures.py
const fixture = JSON.parse(
  fs.readFileSync(new URL("../../test/fixtures/sklearn/format-float.json", import.meta.url), "utf8"),
) as { cases: [number, number, string][] };

describe("formatFixed", () => {
  it("matches Python's format(x, '.{d}f') on every fixture case", () => {
    assert.ok(fixture.cases.length > 1000);
    const wrong = fixture.cases.filter(([x, d, expected]) => formatFixed(x, d) !== expected);
    assert.deepEqual(wrong, []);
  });

  it("rounds exact binary ties to even where toFixed rounds up", () => {
    // expected strings are Python's, from the fixture
    const python = new Map(fixture.cases.map(([x, d, s]) => [`${x}/${d}`, s]));
    for (const [x, d] of [
      [0.125, 2],
      [0.625, 2],
      [0.0625, 3],
      [2.5, 0],
    ] as const) {
      assert.equal(formatFixed(x, d), python.get(`${x}/${d}`));
      assert.notEqual(x.toFixed(d), python.get(`${x}/${d}`), `toFixed no longer differs on ${x}`);
    }
  });

  it("rounds 0.375 up to even, and non-ties by their exact value", () => {
    assert.equal(formatFixed(0.375, 2), "0.38");
    // 2.675 is stored as 2.67499999999999982236431605997495353221893310546875
    assert.equal(formatFixed(2.675, 2), "2.67");
  });

  it("handles values toFixed cannot: beyond 1e21 and more than 100 digits of expansion", () => {
    assert.equal(formatFixed(1e22, 1), "10000000000000000000000.0");
    assert.equal(formatFixed(5e-324, 3), "0.000");
    assert.equal(formatFixed(2 ** -1074, 0), "0");
  });

  it("keeps the sign of negative values and negative zero as Python does", () => {
    assert.equal(formatFixed(-0.125, 2), "-0.12");
    assert.equal(formatFixed(-0, 2), "-0.00");
    assert.equal(formatFixed(-0.001, 2), "-0.00");
  });

  it("writes nan and inf as Python does", () => {
    assert.equal(formatFixed(Number.NaN, 2), "nan");
    assert.equal(formatFixed(Number.POSITIVE_INFINITY, 2), "inf");
    assert.equal(formatFixed(Number.NEGATIVE_INFINITY, 2), "-inf");
  });
});

describe("formatPythonFloat", () => {
  it("writes integral floats as Python's str() does", () => {
    assert.equal(formatPythonFloat(3), "3.0");
    assert.equal(formatPythonFloat(0), "0.0");
    assert.equal(formatPythonFloat(100000), "100000.0");
  });
});
