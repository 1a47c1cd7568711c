import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { assertOffsets, BOM, pairs, taggedScratch } from "../../test/support/tagged-files.ts";
import { loadTaggedDataset } from "./tagged-reader.ts";

const { files, jsonl } = taggedScratch();

describe("loadTaggedDataset, JSONL", () => {
  it("tokenizes the text and tags the spans in BIO, keeping the text as given", async () => {
    const line1 = {
      text: " Apple's Tim Cook visited New York.",
      entities: [
        [1, 6, "ORG"],
        [9, 17, "PER"],
        [26, 34, "LOC"],
      ],
    };
    const line3 = { text: "Nothing here." };
    const path = jsonl(`${JSON.stringify(line1)}\n\n${JSON.stringify(line3)}\n`);
    const data = await loadTaggedDataset(path);
    assert.equal(data.format, "jsonl");
    assert.equal(data.scheme, "bio");
    assert.equal(data.language, "en");
    assert.deepEqual(data.types, ["LOC", "ORG", "PER"]);
    assert.deepEqual(pairs(data.sentences), [
      ["Apple/B-ORG", "'s/O", "Tim/B-PER", "Cook/I-PER", "visited/O", "New/B-LOC", "York/I-LOC", "./O"],
      ["Nothing/O", "here/O", "./O"],
    ]);
    assert.deepEqual(
      data.sentences.map((s) => s.line),
      [1, 3],
    );
    assert.equal(data.sentences[0]?.text, line1.text);
    assert.deepEqual(data.sentences[0]?.starts, [1, 6, 9, 13, 18, 26, 30, 34]);
    assertOffsets(data.sentences);
  });

  it("reads Chinese text with Latin words: one token per Han character, language zh", async () => {
    const text = "张三在北京用iPhone 15拍照。";
    const path = jsonl(
      `${JSON.stringify({
        text,
        entities: [
          [0, 2, "PER"],
          [3, 5, "LOC"],
          [6, 15, "PRODUCT"],
        ],
      })}\n`,
    );
    const data = await loadTaggedDataset(path);
    assert.equal(data.language, "zh");
    assert.deepEqual(pairs(data.sentences), [
      [
        "张/B-PER",
        "三/I-PER",
        "在/O",
        "北/B-LOC",
        "京/I-LOC",
        "用/O",
        "iPhone/B-PRODUCT",
        "15/I-PRODUCT",
        "拍/O",
        "照/O",
        "。/O",
      ],
    ]);
    assertOffsets(data.sentences);
  });

  it("splits a token where an entity edge falls inside it", async () => {
    const text = "ACMEcorp's CEO, co-founder of Foo-Bar";
    // "ACME" inside "ACMEcorp", "Bar" inside "Foo-Bar".
    const path = jsonl(
      `${JSON.stringify({
        text,
        entities: [
          [0, 4, "ORG"],
          [34, 37, "ORG"],
        ],
      })}\n`,
    );
    const data = await loadTaggedDataset(path);
    assert.deepEqual(pairs(data.sentences), [
      ["ACME/B-ORG", "corp/O", "'s/O", "CEO/O", ",/O", "co-founder/O", "of/O", "Foo-/O", "Bar/B-ORG"],
    ]);
    assertOffsets(data.sentences);
  });

  it("splits a Latin word inside Chinese text too, and keeps adjacent entities apart", async () => {
    const text = "小米SU7发布";
    const path = jsonl(
      `${JSON.stringify({
        text,
        entities: [
          [0, 2, "ORG"],
          [2, 5, "PRODUCT"],
        ],
      })}\n`,
    );
    const data = await loadTaggedDataset(path, { language: "zh" });
    assert.deepEqual(pairs(data.sentences), [["小/B-ORG", "米/I-ORG", "SU7/B-PRODUCT", "发/O", "布/O"]]);
    const same = jsonl(
      `${JSON.stringify({
        text: "Bob Al",
        entities: [
          [0, 3, "PER"],
          [4, 6, "PER"],
        ],
      })}\n`,
    );
    assert.deepEqual(pairs((await loadTaggedDataset(same)).sentences), [["Bob/B-PER", "Al/B-PER"]]);
  });

  it('accepts {"start","end","label"} entities, entities in any order, and none', async () => {
    const path = jsonl(
      [
        JSON.stringify({
          text: "Rome and Paris",
          entities: [{ start: 9, end: 14, label: "LOC" }, [0, 4, "LOC"]],
        }),
        JSON.stringify({ text: "Nobody", entities: [] }),
        JSON.stringify({ text: "Nobody", entities: null }),
      ].join("\n"),
    );
    const data = await loadTaggedDataset(path);
    assert.deepEqual(pairs(data.sentences), [
      ["Rome/B-LOC", "and/O", "Paris/B-LOC"],
      ["Nobody/O"],
      ["Nobody/O"],
    ]);
  });

  it("counts offsets in UTF-16 code units: a character outside the BMP counts 2", async () => {
    const text = "😀 Paris";
    const path = jsonl(`${JSON.stringify({ text, entities: [[3, 8, "LOC"]] })}\n`);
    const data = await loadTaggedDataset(path);
    assert.deepEqual(pairs(data.sentences), [["😀/O", "Paris/B-LOC"]]);
  });

  it("strips a BOM and accepts CRLF", async () => {
    const path = jsonl(
      Buffer.concat([
        BOM,
        Buffer.from('{"text": "Paris", "entities": [[0, 5, "LOC"]]}\r\n\r\n{"text": "Rome"}\r\n'),
      ]),
    );
    const data = await loadTaggedDataset(path);
    assert.deepEqual(pairs(data.sentences), [["Paris/B-LOC"], ["Rome/O"]]);
    assert.deepEqual(
      data.sentences.map((s) => s.line),
      [1, 3],
    );
  });

  it("detects the language from the letters: a few Han characters in English text stay en", async () => {
    const path = jsonl(
      `${JSON.stringify({ text: "Beijing (北京) is the capital of China.", entities: [[0, 7, "LOC"]] })}\n`,
    );
    assert.equal((await loadTaggedDataset(path)).language, "en");
  });

  it("reads .json as JSONL, and a format given overrides the extension", async () => {
    const path = files.write(".json", '{"text": "Paris", "entities": [[0, 5, "LOC"]]}\n');
    assert.equal((await loadTaggedDataset(path)).format, "jsonl");
    const other = files.write(".txt", '{"text": "Paris", "entities": [[0, 5, "LOC"]]}\n');
    assert.equal((await loadTaggedDataset(other, { format: "jsonl" })).format, "jsonl");
  });

  it("handles more records than the language sample", async () => {
    const lines = Array.from({ length: 1500 }, (_, i) =>
      JSON.stringify({ text: `北京 ${i}`, entities: [[0, 2, "LOC"]] }),
    );
    const data = await loadTaggedDataset(jsonl(`${lines.join("\n")}\n`));
    assert.equal(data.language, "zh");
    assert.equal(data.sentences.length, 1500);
    assert.deepEqual([data.sentences[0]?.line, data.sentences[1499]?.line], [1, 1500]);
    assert.deepEqual(pairs(data.sentences.slice(1234, 1235)), [["北/B-LOC", "京/I-LOC", "1234/O"]]);
  });
});
