import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isCodedError } from "../../test/support/data-files.ts";
import {
  holdOutPerUser,
  latestPerUserMask,
  leaveLastOut,
  splitByTime,
  splitLatestPerUser,
  timeQuantile,
} from "./interaction-splits.ts";
import { type Interactions, InteractionsBuilder, ItemCatalog } from "./interactions.ts";

const catalog = new ItemCatalog(
  ["a", "b", "c", "d"].map((id) => ({
    id,
    title: id,
    description: "",
    tags: [],
    category: "",
    createdAt: null,
  })),
);

/** [user, item, time] triples as view events. */
function events(rows: [string, string, number][]): Interactions {
  const builder = new InteractionsBuilder(catalog);
  for (const [user, item, timestamp] of rows) builder.add({ user, item, type: "view", timestamp });
  return builder.build("rows");
}

function pairs(data: Interactions): string[] {
  return Array.from(data.user, (u, r) => `${data.users[u]}:${data.catalog.at(data.item[r]!).id}`);
}

describe("interaction splits", () => {
  const data = events([
    ["u1", "a", 1],
    ["u1", "b", 5],
    ["u2", "c", 2],
    ["u1", "a", 9],
    ["u1", "c", 7],
    ["u3", "d", 3],
    ["u3", "d", 4],
  ]);

  it("leave-last-out holds out every event on each user's last item, and keeps one-item users whole", () => {
    const { train, test } = leaveLastOut(data);
    assert.deepEqual(pairs(test), ["u1:a", "u1:a"]);
    assert.deepEqual(pairs(train), ["u1:b", "u2:c", "u1:c", "u3:d", "u3:d"]);
    assert.equal(train.users, data.users, "splits share the user list");
  });

  it("a time cut holds out the events from the cutoff on", () => {
    const { train, test, description } = splitByTime(data, 5);
    assert.deepEqual(pairs(test), ["u1:b", "u1:a", "u1:c"]);
    assert.equal(train.length, 4);
    assert.match(description, /^events from 1970-01-01T00:00:05.000Z on$/);
    assert.equal(timeQuantile(data, 0.3), 5);
  });

  it("latest per user holds out the items each user reached last", () => {
    assert.deepEqual(Array.from(latestPerUserMask(data, 0.3)), [0, 0, 0, 0, 1, 0, 0]);
    // u1 reached a, b, c in that order: half of 3 rounds to 2 held out.
    const { test } = splitLatestPerUser(data, 0.5);
    assert.deepEqual(pairs(test), ["u1:b", "u1:c"]);
  });

  it("a random per-user split is seeded and never takes all of a user's items", () => {
    const a = holdOutPerUser(data, { fraction: 0.9, seed: 3 });
    const b = holdOutPerUser(data, { fraction: 0.9, seed: 3 });
    assert.deepEqual(pairs(a.test), pairs(b.test));
    const u1Test = new Set(pairs(a.test).filter((p) => p.startsWith("u1")));
    assert.equal(u1Test.size, 2, "u1 has 3 items: 2 held out, 1 kept");
    assert.ok(pairs(a.train).some((p) => p.startsWith("u1")));
  });

  it("refuses a split that leaves nothing to test on", () => {
    assert.throws(
      () => splitByTime(data, 100),
      isCodedError("DATA_SPLIT_TOO_SMALL", "rows", undefined, /nothing to test/),
    );
  });
});
