import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { generateDemoData } from "./demo-data.ts";
import { InterestMatcher } from "./interests.ts";

describe("InterestMatcher", () => {
  const demo = generateDemoData({ items: 400, users: 5, seed: 2 });
  const subjectOf = new Map(demo.items.map((i) => [i.id, i.category]));
  const matcher = new InterestMatcher(demo.items);

  it("finds items on the subject of typed English or Chinese words", () => {
    for (const [words, subject] of [
      ["telescope and comets", "astronomy"],
      ["足球 联赛", "football"],
      ["dumplings recipe", "cooking"],
      ["园艺", "gardening"],
    ] as const) {
      const found = matcher.match(words, 5);
      assert.equal(found.length, 5, words);
      assert.ok(
        found.every((id) => subjectOf.get(id) === subject),
        `${words}: ${found.map((id) => subjectOf.get(id)).join(" ")}`,
      );
    }
  });

  it("matches a word that no item has whole by its stem, and nothing for unrelated words", () => {
    const found = matcher.match("telescopes", 3);
    assert.ok(found.length > 0 && found.every((id) => subjectOf.get(id) === "astronomy"));
    assert.deepEqual(matcher.match("zzqx", 3), []);
    assert.deepEqual(matcher.match("", 3), []);
  });
});
