import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { minimizeGoldenSection } from "./golden-section.ts";

describe("minimizeGoldenSection", () => {
  it("finds the minimum of a unimodal function, inside or at the edge of the interval", () => {
    assert.ok(Math.abs(minimizeGoldenSection((x) => (x - 2) ** 2, 0, 5, 1e-9) - 2) < 1e-6);
    assert.ok(Math.abs(minimizeGoldenSection((x) => Math.abs(x + 1), -3, 3, 1e-9) + 1) < 1e-6);
    assert.ok(minimizeGoldenSection((x) => x, 1, 4, 1e-6) - 1 < 1e-5, "at the lower edge");
    // Stops after maxSteps even if the tolerance is not reached.
    const x = minimizeGoldenSection((v) => v * v, -1, 1, 0, 3);
    assert.ok(Math.abs(x) < 1);
  });
});
