import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { applyTemperature, chooseThreshold, fitTemperature } from "./calibration.ts";
import { fillSlots, missingSlot, renderAnswer } from "./slots.ts";

describe("temperature", () => {
  it("rescales probabilities and leaves their order alone", () => {
    const q = applyTemperature([0.7, 0.2, 0.1], 2);
    // p^(1/2) normalised: sqrt(0.7), sqrt(0.2), sqrt(0.1) over their sum.
    const s = Math.sqrt(0.7) + Math.sqrt(0.2) + Math.sqrt(0.1);
    assert.ok(Math.abs(q[0]! - Math.sqrt(0.7) / s) < 1e-12);
    assert.ok(q[0]! > q[1]! && q[1]! > q[2]!);
    assert.deepEqual(Array.from(applyTemperature([0.5, 0.5], 3)), [0.5, 0.5]);
  });

  it("fits T > 1 to an overconfident model and T < 1 to an underconfident one", () => {
    // Says 0.99 and is right 60% of the time: too sure.
    const sure = Array.from({ length: 100 }, () => [0.99, 0.01]);
    const gold = Array.from({ length: 100 }, (_, i) => (i < 60 ? 0 : 1));
    const hot = fitTemperature(sure, gold);
    assert.equal(fitTemperature(sure.slice(0, 10), gold.slice(0, 10)), 1, "too few to fit");
    // The best rescaled top probability is 0.6: 0.99^(1/T) / (0.99^(1/T) + 0.01^(1/T)) = 0.6.
    const q = applyTemperature([0.99, 0.01], hot);
    assert.ok(hot > 5 && Math.abs(q[0]! - 0.6) < 0.01, `T ${hot}, p ${q[0]}`);
    // Says 0.6 and is always right: too shy.
    const shy = fitTemperature(
      Array.from({ length: 50 }, () => [0.6, 0.4]),
      Array.from({ length: 50 }, () => 0),
    );
    // It would sharpen further, but a temperature sharpens at most to 0.5.
    assert.ok(Math.abs(shy - 0.5) < 0.01, String(shy));
  });
});

describe("chooseThreshold", () => {
  it("with out-of-scope examples maximises the mean of in-scope accuracy and out-of-scope recall", () => {
    const c = chooseThreshold([
      { confidence: 0.9, inScope: true, correct: true },
      { confidence: 0.8, inScope: true, correct: true },
      { confidence: 0.4, inScope: true, correct: true },
      { confidence: 0.5, inScope: false, correct: false },
      { confidence: 0.3, inScope: false, correct: false },
      { confidence: 0, inScope: false, correct: false },
    ]);
    // At 0.4: in-scope 3/3, out-of-scope 2/3 -> 0.833; at 0.5 both 2/3 -> 0.667; at 0.8: 2/3 and 3/3 -> 0.833
    // again. The first best run is 0.4 alone.
    assert.equal(c.rule, "balanced");
    assert.equal(c.threshold, 0.4);
    assert.equal(c.inScopeAccuracy, 1);
    assert.ok(Math.abs(c.outOfScopeRecall! - 2 / 3) < 1e-12);
  });

  it("takes the middle of a run of equally good thresholds", () => {
    // Candidates 0, 0.1, 0.7, 0.9: only 0.7 rejects the out-of-scope 0.1 and keeps both.
    const narrow = chooseThreshold([
      { confidence: 0.9, inScope: true, correct: true },
      { confidence: 0.7, inScope: true, correct: true },
      { confidence: 0.1, inScope: false, correct: false },
    ]);
    assert.deepEqual([narrow.threshold, narrow.inScopeAccuracy, narrow.outOfScopeRecall], [0.7, 1, 1]);
    // An out-of-scope prediction (confidence 0) is never accepted: 0 and 0.7 are both perfect, so the middle.
    const wide = chooseThreshold([
      { confidence: 0.9, inScope: true, correct: true },
      { confidence: 0.7, inScope: true, correct: true },
      { confidence: 0, inScope: false, correct: false },
    ]);
    assert.equal(wide.threshold, 0.35);
  });

  it("without out-of-scope examples keeps the accepted answers 90% right", () => {
    const decisions = [
      ...Array.from({ length: 9 }, (_, i) => ({ confidence: 0.5 + i / 20, inScope: true, correct: true })),
      { confidence: 0.2, inScope: true, correct: false },
      { confidence: 0.3, inScope: true, correct: false },
    ];
    const c = chooseThreshold(decisions);
    assert.equal(c.rule, "precision");
    assert.equal(c.threshold, 0.3);
    assert.ok(c.acceptedAccuracy >= 0.9);
  });
});

describe("slots", () => {
  const specs = [
    { name: "amount", entity: "MONEY", pattern: null, prompt: "How much?", optional: false, default: null },
    {
      name: "account",
      entity: null,
      pattern: "\\b(savings|checking)\\b",
      prompt: "Which account?",
      optional: false,
      default: null,
    },
    { name: "date", entity: "DATE", pattern: null, prompt: null, optional: true, default: "today" },
  ];

  it("fills slots from entities and patterns, keeps known ones, and names the first missing one", () => {
    const money = { text: "$50", label: "MONEY", start: 5, end: 8 };
    const first = fillSlots(specs, "send $50 please", [money], {});
    assert.deepEqual(first, { amount: "$50" });
    assert.equal(missingSlot(specs, first)?.name, "account");
    const second = fillSlots(specs, "to my Savings", [], first);
    assert.deepEqual(second, { amount: "$50", account: "Savings" });
    assert.equal(missingSlot(specs, second), null);
    assert.equal(
      renderAnswer("Sent {amount} to {account} {date}.", specs, second),
      "Sent $50 to Savings today.",
    );
  });

  it("gives two slots of one entity type the entities in order", () => {
    const cities = [
      { name: "from", entity: "LOC", pattern: null, prompt: "From?", optional: false, default: null },
      { name: "to", entity: "LOC", pattern: null, prompt: "To?", optional: false, default: null },
    ];
    const found = fillSlots(
      cities,
      "Lyon to Oslo",
      [
        { text: "Lyon", label: "LOC", start: 0, end: 4 },
        { text: "Oslo", label: "LOC", start: 8, end: 12 },
      ],
      {},
    );
    assert.deepEqual(found, { from: "Lyon", to: "Oslo" });
  });
});
