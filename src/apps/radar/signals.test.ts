/**
 * The signals against the worked examples of docs/radar.md, computed by hand there.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DEFAULT_RINGS } from "./dictionary.ts";
import { nextRing, type RingOverride, ringHistory } from "./rings.ts";
import {
  growthSignal,
  learningEffect,
  marketSignal,
  recencyWeights,
  riskSignal,
  smoothedShare,
  weightedSlope,
} from "./signals.ts";

const close = (actual: number, expected: number, digits = 4) =>
  assert.ok(Math.abs(actual - expected) < 10 ** -digits, `${actual} is not ${expected}`);

describe("radar signals (docs/radar.md's worked examples)", () => {
  it("g: a share that doubles every period has slope ln 2 and g = 1/(1 + e^(−ln2/0.15)) = 0.99025", () => {
    // 1 mention a period among 11, 5 and 2 documents: shares 1.5/12, 1.5/6, 1.5/3 = 0.125, 0.25, 0.5
    assert.equal(smoothedShare(1, 11), 0.125);
    const s = growthSignal([1, 1, 1], [11, 5, 2], { halfLife: 4, growthScale: 0.15 });
    close(s.slope, Math.LN2);
    close(s.weightedSlope, Math.LN2);
    close(s.growthRate, 1);
    close(s.doublingTime!, 1);
    close(s.g, 0.99025);
  });

  it("g: the recency-weighted slope of 0, 0, 1 with half-life 1 is 8/13", () => {
    const w = recencyWeights(3, 1);
    assert.deepEqual([...w], [0.25, 0.5, 1]);
    close(weightedSlope([0, 0, 1], w), 8 / 13);
    // A flat share gives g = 0.5 exactly.
    close(growthSignal([3, 3, 3, 3], [30, 30, 30, 30], { halfLife: 4, growthScale: 0.15 }).g, 0.5);
  });

  it("m: share (10 + 5·0.2)/(20 + 5) = 0.44, presence ln 21/ln 441 = 0.5, m = √0.22", () => {
    const settings = { marketPrior: 5, marketDraws: 100, seed: 1 };
    const full = marketSignal([5, 5], [10, 10], 0.2, 20, settings);
    close(full.share, 0.44);
    close(full.presence, 1);
    close(full.m, 0.66332);
    const half = marketSignal([5, 5], [10, 10], 0.2, 440, settings);
    close(half.presence, 0.5);
    close(half.m, 0.46904);
    // Both periods are alike, so every bootstrap draw gives the same m.
    close(half.p10, half.m);
    close(half.p90, half.m);
    const uneven = marketSignal([0, 8], [10, 10], 0.2, 20, settings);
    assert.ok(uneven.p10 < uneven.m && uneven.m < uneven.p90, JSON.stringify(uneven));
  });

  it("r: security L = 3/12, I = 1 − e^−1; privacy L = 1.5/12, I = 1 − e^−0.5; r = 1 − (1 − r_s)(1 − r_p)", () => {
    const r = riskSignal(
      [
        { weight: 3, documents: 3, sources: 2 },
        { weight: 1.5, documents: 2, sources: 1 },
      ],
      10,
      2,
    );
    const security = r.cells.find((c) => c.category === "security")!;
    close(security.likelihood, 0.25);
    close(security.impact, 0.63212);
    close(security.score, 0.15803);
    assert.equal(security.likelihoodLevel, 2);
    assert.equal(security.impactLevel, 4);
    close(r.cells.find((c) => c.category === "privacy")!.score, 0.04918);
    close(r.r, 0.19944);
    assert.equal(r.worst, "security");
    assert.equal(riskSignal([], 10, 2).r, 0);
  });

  it("l: a newcomer at 5 h a week on a 60 h technology reaches 80% in 12 weeks; related skills halve it", () => {
    const alone = learningEffect({
      effortHours: 60,
      ownLevel: 0,
      hoursPerWeek: 5,
      related: 0,
      horizonWeeks: 12,
    });
    close(alone.l, 0.8);
    close(alone.weeks, 12);
    assert.equal(alone.speed, 1);
    const helped = learningEffect({
      effortHours: 60,
      ownLevel: 0,
      hoursPerWeek: 5,
      related: 0.5,
      horizonWeeks: 12,
    });
    assert.equal(helped.speed, 2);
    close(helped.weeks, 6);
    close(helped.l, 0.96);
    const halfway = learningEffect({
      effortHours: 60,
      ownLevel: 2.5,
      hoursPerWeek: 5,
      related: 0,
      horizonWeeks: 12,
    });
    close(halfway.l, 0.4);
    close(halfway.weeks, 6);
  });
});

describe("radar rings", () => {
  const settings = { hysteresis: 0.02, minPeriodsInRing: 2 };
  it("moves in only past the threshold plus the hysteresis, out only below it minus the hysteresis", () => {
    assert.equal(nextRing(0.21, 1, 5, DEFAULT_RINGS, settings), 1); // adopt needs 0.22
    assert.equal(nextRing(0.23, 1, 5, DEFAULT_RINGS, settings), 0);
    assert.equal(nextRing(0.11, 1, 5, DEFAULT_RINGS, settings), 1); // trial is left below 0.10
    assert.equal(nextRing(0.09, 1, 5, DEFAULT_RINGS, settings), 2);
    assert.equal(nextRing(0.01, 0, 5, DEFAULT_RINGS, settings), 3);
    assert.equal(nextRing(0.01, 0, 1, DEFAULT_RINGS, settings), 0); // too soon to move
    assert.equal(nextRing(0.13, null, 0, DEFAULT_RINGS, settings), 1);
  });

  it("keeps the history: new, in, out, gone, and an override that records who and why", () => {
    const ends = [1, 2, 3, 4, 5, 6, 7];
    const scores = [0.13, 0.25, 0.25, 0.25, null, 0.05, 0.05];
    const plain = ringHistory(scores, ends, [], DEFAULT_RINGS, settings);
    assert.deepEqual(
      plain.map((s) => [s.ring, s.movement]),
      [
        [1, "new"],
        [1, "none"],
        [0, "in"],
        [0, "none"],
        [null, "gone"],
        [3, "new"],
        [3, "none"],
      ],
    );
    const override: RingOverride = {
      id: "o1",
      technology: "X",
      ring: "hold",
      by: "ana",
      why: "licence change",
      at: 2.5,
      createdAt: 0,
    };
    const held = ringHistory(scores, ends, [override], DEFAULT_RINGS, settings);
    assert.deepEqual(
      held.map((s) => s.ring),
      [1, 1, 3, 3, 3, 3, 3],
    );
    assert.equal(held[3]!.override?.by, "ana");
    const cleared = ringHistory(
      scores,
      ends,
      [override, { ...override, id: "o2", ring: null, at: 5.5 }],
      DEFAULT_RINGS,
      settings,
    );
    assert.deepEqual(
      cleared.map((s) => s.ring),
      [1, 1, 3, 3, 3, 3, 3],
    );
    assert.equal(cleared[6]!.override, null);
  });
});
