import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isCodedError } from "../../test/support/data-files.ts";
import { taggedScratch } from "../../test/support/tagged-files.ts";
import type { TaggedSentence } from "./tagged-example.ts";
import { loadTaggedDataset, taggedDatasetFromSentences } from "./tagged-reader.ts";

const { conll } = taggedScratch();

describe("loadTaggedDataset options", () => {
  it("refuses unknown formats, schemes, languages and tag columns", async () => {
    const path = conll("a O\n");
    const cases: [object, string, RegExp][] = [
      [{ format: "xml" }, "DATA_UNKNOWN_FORMAT", /unknown tagged-data format "xml"/],
      [{ scheme: "bilou" }, "OPTION_INVALID", /unknown tag scheme "bilou"; use one of iob1, bio, bioes/],
      [{ language: "fr" }, "OPTION_INVALID", /unknown language "fr"/],
      [{ tagColumn: 0 }, "OPTION_INVALID", /tagColumn must be a whole number >= 1/],
      [{ tagColumn: 1.5 }, "OPTION_INVALID", /tagColumn must be a whole number >= 1/],
    ];
    for (const [options, code, message] of cases) {
      await assert.rejects(
        loadTaggedDataset(path, options),
        isCodedError(code, undefined, undefined, message),
      );
    }
  });
});

describe("taggedDatasetFromSentences", () => {
  it("lists the entity types in code point order and keeps the sentences as given", () => {
    const sentences: TaggedSentence[] = [
      { tokens: ["a", "b"], tags: ["B-ORG", "I-ORG"], line: 1, text: "a b", starts: [0, 2], ends: [1, 3] },
      { tokens: ["c", "d"], tags: ["B-LOC", "O"], line: 4, text: "c d", starts: [0, 2], ends: [1, 3] },
      { tokens: ["e"], tags: ["B-😀"], line: 6, text: "e", starts: [0], ends: [1] },
      { tokens: ["f"], tags: ["B-\uff01"], line: 7, text: "f", starts: [0], ends: [1] },
    ];
    const data = taggedDatasetFromSentences("inline", "conll", "bio", "en", sentences);
    assert.deepEqual(data.types, ["LOC", "ORG", "\uff01", "😀"]);
    assert.equal(data.sentences, sentences);
    assert.deepEqual(
      [data.source, data.format, data.scheme, data.language],
      ["inline", "conll", "bio", "en"],
    );
  });
});
