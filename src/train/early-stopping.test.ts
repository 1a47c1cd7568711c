import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { EarlyStopping } from "./early-stopping.ts";

describe("EarlyStopping", () => {
  it("stops after `patience` epochs without improvement and remembers the best epoch", () => {
    const stopper = new EarlyStopping({ patience: 2 });
    assert.equal(stopper.update(0.5), true);
    assert.equal(stopper.update(0.7), true);
    assert.equal(stopper.update(0.69), false);
    assert.equal(stopper.shouldStop, false);
    assert.equal(stopper.update(0.7), false, "an equal metric is not an improvement");
    assert.equal(stopper.shouldStop, true);
    assert.equal(stopper.bestEpoch, 2);
    assert.equal(stopper.bestMetric, 0.7);
  });

  it("never stops with patience 0, and minDelta requires a real gain", () => {
    const stopper = new EarlyStopping({ patience: 0, minDelta: 0.01 });
    stopper.update(0.5);
    assert.equal(stopper.update(0.505), false);
    for (let i = 0; i < 10; i++) stopper.update(0.1);
    assert.equal(stopper.shouldStop, false);
    assert.equal(stopper.bestEpoch, 1);
  });
});
