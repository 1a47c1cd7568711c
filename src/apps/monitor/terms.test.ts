import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { TokenIds } from "../../text/index.ts";
import { TermExtractor } from "./terms.ts";

/** Words of every kind: content words in two cases, function words, numbers, punctuation, Chinese. */
const WORDS = [
  "Bank",
  "bank",
  "BANK",
  "app",
  "the",
  "of",
  "42",
  "3rd",
  ";",
  "银行",
  "的",
  "崩溃",
  "x",
  "outage",
  "__proto__",
];

describe("TermExtractor by token ids", () => {
  it("picks what fromTokens picks, across batches and a token table that empties", () => {
    const lists = fc.array(fc.array(fc.constantFrom(...WORDS), { maxLength: 12 }), { maxLength: 6 });
    fc.assert(
      fc.property(
        fc.array(lists, { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 0, max: 6 }),
        (batches, n) => {
          const byTokens = new TermExtractor(n);
          const byIds = new TermExtractor(n);
          // Room for few tokens: the ids are forgotten between batches, and a reader must notice.
          const ids = new TokenIds(4);
          for (const batch of batches) {
            const interned = ids.internAll(batch);
            batch.forEach((tokens, j) => {
              assert.deepEqual(byIds.fromIds(interned, j), byTokens.fromTokens(tokens));
            });
          }
        },
      ),
      { numRuns: 200 },
    );
    const ids = new TokenIds();
    const one = ids.internAll([["Norvale", "Bank", "the", "bank", "app", "outage"]]);
    assert.deepEqual(new TermExtractor(3).fromIds(one, 0), ["norvale", "bank", "app"]);
  });
});
