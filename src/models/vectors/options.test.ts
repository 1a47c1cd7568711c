import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { TextkitError } from "../../core/index.ts";
import { DEFAULT_VECTORS_OPTIONS, resolveVectorsOptions, usesSubwords } from "./options.ts";

function refuses(options: Record<string, unknown>, message: RegExp): void {
  assert.throws(
    () => resolveVectorsOptions(options),
    (error: unknown) =>
      error instanceof TextkitError && error.code === "OPTION_INVALID" && message.test(error.message),
  );
}

describe("resolveVectorsOptions", () => {
  it("fills in fastText's skipgram defaults and keeps what was given", () => {
    assert.deepEqual(resolveVectorsOptions(), DEFAULT_VECTORS_OPTIONS);
    assert.equal(DEFAULT_VECTORS_OPTIONS.dim, 100);
    assert.equal(DEFAULT_VECTORS_OPTIONS.buckets, 2_000_000);
    const options = resolveVectorsOptions({ dim: 8, sample: 0, lowercase: false, minn: 0, maxn: 0 });
    assert.equal(options.dim, 8);
    assert.equal(options.sample, 0);
    assert.equal(options.lowercase, false);
    assert.equal(options.epochs, 5);
    assert.equal(usesSubwords(options), false);
    assert.equal(usesSubwords(resolveVectorsOptions({ buckets: 0 })), false);
    assert.equal(usesSubwords(resolveVectorsOptions()), true);
  });

  it("refuses unknown names and out-of-range values, naming the option", () => {
    refuses({ dims: 10 }, /unknown vectors option 'dims'/);
    refuses({ dim: 0 }, /dim must be a whole number >= 1, got 0/);
    refuses({ epochs: 1.5 }, /epochs must be a whole number >= 1, got 1.5/);
    refuses({ window: "5" }, /window must be a whole number >= 1, got "5"/);
    refuses({ negatives: 0 }, /negatives must be a whole number >= 1/);
    refuses({ minCount: 0 }, /minCount must be a whole number >= 1/);
    refuses({ buckets: -1 }, /buckets must be a whole number >= 0/);
    refuses({ lr: 0 }, /lr must be a number > 0, got 0/);
    refuses({ lr: Number.POSITIVE_INFINITY }, /lr must be a number > 0/);
    refuses({ sample: -1e-4 }, /sample must be a number >= 0/);
    refuses({ seed: 0.5 }, /seed must be a whole number/);
    refuses({ lowercase: 1 }, /lowercase must be true or false/);
    refuses({ minn: 7, maxn: 6 }, /minn must be between 1 and maxn \(6\), got 7/);
    refuses({ minn: 0, maxn: 3 }, /minn must be between 1 and maxn/);
  });
});
