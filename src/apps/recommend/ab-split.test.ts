import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isTextkitError } from "../../core/index.ts";
import { assignVariant, bucketOf, checkSplit } from "./ab-split.ts";

describe("A/B split", () => {
  it("puts a user in the same variant every time, and about `share` of users in the treatment", () => {
    const config = { control: "a", treatment: "b", share: 0.3 };
    let treated = 0;
    for (let u = 0; u < 5000; u++) {
      const first = assignVariant("shop", `u${u}`, config);
      assert.deepEqual(assignVariant("shop", `u${u}`, config), first);
      if (first.variant === "treatment") {
        treated++;
        assert.equal(first.model, "b");
      } else assert.equal(first.model, "a");
    }
    assert.ok(Math.abs(treated / 5000 - 0.3) < 0.025, `${treated}`);
  });

  it("splits users differently in different experiments", () => {
    let same = 0;
    for (let u = 0; u < 2000; u++) if (bucketOf("x", `u${u}`) < 0.5 === bucketOf("y", `u${u}`) < 0.5) same++;
    assert.ok(same > 850 && same < 1150, `${same}`);
  });

  it("shares 0 and 1 put everyone on one side; no treatment means everyone on the control", () => {
    for (let u = 0; u < 200; u++) {
      assert.equal(
        assignVariant("e", `u${u}`, { control: "a", treatment: "b", share: 0 }).variant,
        "control",
      );
      assert.equal(
        assignVariant("e", `u${u}`, { control: "a", treatment: "b", share: 1 }).variant,
        "treatment",
      );
      assert.equal(assignVariant("e", `u${u}`, { control: "a", treatment: null, share: 1 }).model, "a");
    }
  });

  it("refuses a share outside [0, 1] and a treatment equal to the control", () => {
    for (const share of [-0.1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(
        () => checkSplit({ control: "a", treatment: "b", share }),
        (e) => isTextkitError(e) && e.code === "OPTION_INVALID" && /from 0 to 1/.test(e.message),
      );
    }
    assert.throws(
      () => checkSplit({ control: "a", treatment: "a", share: 0.5 }),
      (e) => isTextkitError(e) && e.code === "OPTION_INVALID",
    );
  });
});
