import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { TokenIds, type TokenSink } from "./token-ids.ts";

/** The token lists back from their ids. */
function tokensOf(ids: TokenIds, lists: ReturnType<TokenIds["internAll"]>): string[][] {
  const out: string[][] = [];
  for (let j = 0; j + 1 < lists.starts.length; j++) {
    const list: string[] = [];
    for (let i = lists.starts[j] ?? 0; i < (lists.starts[j + 1] ?? 0); i++)
      list.push(ids.token(lists.ids[i] ?? -1));
    out.push(list);
  }
  return out;
}

describe("TokenIds", () => {
  it("gives equal tokens one id, dense from 0, across calls", () => {
    const ids = new TokenIds();
    const first = ids.internAll([["fast", "text", "fast"], [], ["text", "__proto__"]]);
    assert.deepEqual([...first.ids], [0, 1, 0, 1, 2]);
    assert.deepEqual([...first.starts], [0, 3, 3, 5]);
    assert.equal(first.source, ids);
    const second = ids.internAll([["__proto__", "new"]]);
    assert.deepEqual([...second.ids], [2, 3]);
    assert.equal(ids.size, 4);
    assert.equal(ids.generation, 0);
    assert.deepEqual(tokensOf(ids, first), [["fast", "text", "fast"], [], ["text", "__proto__"]]);
    assert.throws(() => ids.token(4), RangeError);
    // Every table hashes from its own random start; the ids follow first appearance alone.
    const other = new TokenIds();
    other.internAll([["fast", "text", "fast"], [], ["text", "__proto__"]]);
    assert.deepEqual(other.internAll([["__proto__", "new"]]).ids, second.ids);
  });

  it("forgets its ids before a call once full, never during one, and says so by its generation", () => {
    const ids = new TokenIds(3);
    const big = [
      ["a", "b"],
      ["c", "d", "e"],
    ];
    const lists = ids.internAll(big);
    // Five distinct tokens in one call: kept whole, over the capacity.
    assert.deepEqual(tokensOf(ids, lists), big);
    assert.equal(ids.generation, 0);
    const next = ids.internAll([["e", "f"]]);
    assert.equal(ids.generation, 1);
    assert.deepEqual([...next.ids], [0, 1]);
    assert.deepEqual(tokensOf(ids, next), [["e", "f"]]);
    assert.equal(ids.size, 2);
  });

  it("finds a token given as a range of a text by its characters, past every table's first size", () => {
    const ids = new TokenIds();
    const words = Array.from({ length: 5_000 }, (_, i) => `w${(i * 7919) % 5_000}`);
    const text = words.join(" ");
    // Each word as the range it covers in the text, then the last word of all as a string.
    const split = (t: string, sink: TokenSink) => {
      let start = 0;
      for (const word of t.split(" ")) {
        sink.range(t, start, start + word.length);
        start += word.length + 1;
      }
      sink.token(words.at(-1) ?? "");
    };
    const lists = ids.internTexts([text, "w1 w0"], split);
    assert.equal(ids.size, 5_000);
    assert.deepEqual(
      [...lists.ids.subarray(0, 5_001)].map((id) => ids.token(id)),
      [...words, words.at(-1)],
    );
    assert.equal(lists.ids[5_000], lists.ids[4_999]);
    // The same ids by strings, and for the second text's ranges.
    assert.deepEqual(ids.internAll([words]).ids, lists.ids.subarray(0, 5_000));
    assert.deepEqual([...lists.ids.subarray(5_001)], [words.indexOf("w1"), words.indexOf("w0"), 4_999]);
    assert.equal(ids.size, 5_000);
  });
});
