import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { FastifyRateLimitStore } from "@fastify/rate-limit";
import { tokenBucketStore } from "./rate-limit.ts";

function take(store: FastifyRateLimitStore, key: string): { current: number; ttl: number } {
  let result: { current: number; ttl: number } | undefined;
  store.incr(
    key,
    (_error, r) => {
      result = r;
    },
    60_000,
    0,
  );
  assert.ok(result !== undefined, "the store answers synchronously");
  return result;
}

describe("tokenBucketStore", () => {
  it("lets a burst through, then one request per refill interval", () => {
    let now = 0;
    const Store = tokenBucketStore(60, 3, () => now);
    const store = new Store({});
    const burst = 3;
    const exceeded = (r: { current: number }) => r.current > burst;
    assert.deepEqual(
      [1, 2, 3].map(() => exceeded(take(store, "a"))),
      [false, false, false],
    );
    const refused = take(store, "a");
    assert.ok(exceeded(refused));
    assert.equal(refused.ttl, 1000, "60 a minute: the next token comes in one second");
    now = 999;
    assert.ok(exceeded(take(store, "a")), "not yet");
    now = 1000;
    assert.ok(!exceeded(take(store, "a")), "one token refilled");
    assert.ok(exceeded(take(store, "a")));
  });

  it("reports remaining tokens as max - current and keeps clients apart", () => {
    const Store = tokenBucketStore(600, 5, () => 0);
    const store = new Store({});
    assert.equal(5 - take(store, "a").current, 4);
    assert.equal(5 - take(store, "a").current, 3);
    assert.equal(5 - take(store, "b").current, 4, "b has its own bucket");
  });

  it("never holds more than the burst, however long a client was idle", () => {
    let now = 0;
    const Store = tokenBucketStore(60, 2, () => now);
    const store = new Store({});
    take(store, "a");
    now = 3_600_000;
    const results = [take(store, "a"), take(store, "a"), take(store, "a")];
    assert.deepEqual(
      results.map((r) => r.current > 2),
      [false, false, true],
    );
  });
});
