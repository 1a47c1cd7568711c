import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { EpochSummary, TrainProgress } from "../core/index.ts";
import { EpochLog } from "./epoch-log.ts";

describe("EpochLog", () => {
  it("stops after `patience` epochs without gain and puts the best snapshot back", () => {
    const seen: EpochSummary[] = [];
    const log = new EpochLog<number>({ epochs: 10, patience: 2 }, { onEpochEnd: (s) => seen.push(s) });
    let weights = 0;
    const dev = [0.5, 0.7, 0.6, 0.65, 0.9];
    let epoch = 1;
    for (; epoch <= 10; epoch++) {
      weights = epoch * 10;
      if (log.end({ epoch, trainLoss: 1 / epoch, seconds: 0 }, dev[epoch - 1], () => weights)) break;
    }
    assert.equal(epoch, 4);
    assert.equal(log.stoppedEarly, true);
    assert.equal(log.bestEpoch, 2);
    assert.deepEqual(
      seen.map((s) => s.improved),
      [true, true, false, false],
    );
    log.restoreBest((best) => {
      weights = best;
    });
    assert.equal(weights, 20);
  });

  it("keeps the last weights when the last epoch was the best, and counts epochs without dev data", () => {
    const log = new EpochLog<number>({ epochs: 3, patience: 2 }, {});
    for (let epoch = 1; epoch <= 3; epoch++)
      log.end({ epoch, trainLoss: 0, seconds: 0 }, undefined, () => epoch);
    let restored = false;
    log.restoreBest(() => {
      restored = true;
    });
    assert.equal(restored, false);
    assert.equal(log.bestEpoch, 3);
    assert.equal(log.stoppedEarly, false);
  });

  it("stops when the hooks ask, and reports the end with progress 1", () => {
    const progress: TrainProgress[] = [];
    const log = new EpochLog<number>(
      { epochs: 5, patience: 0 },
      { shouldStop: () => true, onProgress: (p) => progress.push(p) },
    );
    assert.equal(
      log.end({ epoch: 1, trainLoss: 0.25, seconds: 0 }, 0.1, () => 1),
      true,
    );
    assert.equal(log.stoppedEarly, true);
    log.finish(1000, "tokens");
    assert.equal(progress.at(-1)?.progress, 1);
    assert.equal(progress.at(-1)?.loss, 0.25);
  });
});
