import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isCodedError } from "../../test/support/data-files.ts";
import { assertOffsets, BOM, pairs, taggedScratch } from "../../test/support/tagged-files.ts";
import { loadTaggedDataset } from "./tagged-reader.ts";

const { files, conll } = taggedScratch();

describe("loadTaggedDataset, CoNLL", () => {
  it("reads CoNLL-2003 columns, skipping -DOCSTART- lines, with lines, text and offsets", async () => {
    const path = conll(
      [
        "-DOCSTART- -X- -X- O",
        "",
        "EU NNP B-NP B-ORG",
        "rejects VBZ B-VP O",
        "German JJ B-NP B-MISC",
        "call NN I-NP O",
        "",
        "Peter NNP B-NP B-PER",
        "Blackburn NNP I-NP I-PER",
        "-DOCSTART- -X- -X- O",
        "BRUSSELS NNP B-NP B-LOC",
        "",
      ].join("\n"),
    );
    const data = await loadTaggedDataset(path);
    assert.equal(data.source, path);
    assert.equal(data.format, "conll");
    assert.equal(data.scheme, "bio");
    assert.equal(data.language, "en");
    assert.deepEqual(data.types, ["LOC", "MISC", "ORG", "PER"]);
    assert.deepEqual(pairs(data.sentences), [
      ["EU/B-ORG", "rejects/O", "German/B-MISC", "call/O"],
      ["Peter/B-PER", "Blackburn/I-PER"],
      ["BRUSSELS/B-LOC"],
    ]);
    assert.deepEqual(
      data.sentences.map((s) => s.line),
      [3, 8, 11],
    );
    assert.deepEqual(data.sentences[0], {
      tokens: ["EU", "rejects", "German", "call"],
      tags: ["B-ORG", "O", "B-MISC", "O"],
      line: 3,
      text: "EU rejects German call",
      starts: [0, 3, 11, 18],
      ends: [2, 10, 17, 22],
    });
    assertOffsets(data.sentences);
  });

  it("detects IOB1 and converts it to BIO", async () => {
    const path = conll("John I-PER\nSmith I-PER\nJane B-PER\nin O\nParis I-LOC\n\nU.N. I-ORG\n");
    const data = await loadTaggedDataset(path);
    assert.equal(data.scheme, "iob1");
    assert.deepEqual(pairs(data.sentences), [
      ["John/B-PER", "Smith/I-PER", "Jane/B-PER", "in/O", "Paris/B-LOC"],
      ["U.N./B-ORG"],
    ]);
  });

  it("detects BIOES (with L-/U- too) and converts it to BIO", async () => {
    const path = conll(
      "New B-LOC\nYork E-LOC\nand O\nBob S-PER\n\nLos B-LOC\nSanta I-LOC\nAna L-LOC\nAl U-PER\n",
    );
    const data = await loadTaggedDataset(path);
    assert.equal(data.scheme, "bioes");
    assert.deepEqual(pairs(data.sentences), [
      ["New/B-LOC", "York/I-LOC", "and/O", "Bob/B-PER"],
      ["Los/B-LOC", "Santa/I-LOC", "Ana/I-LOC", "Al/B-PER"],
    ]);
  });

  it("reads tab-separated columns, and any run of spaces and tabs as one separator", async () => {
    const path = conll("Paris\tNNP\tB-LOC\nis\tVBZ\tO\n\nRome  \t NNP   B-LOC  \n");
    const data = await loadTaggedDataset(path);
    assert.deepEqual(pairs(data.sentences), [["Paris/B-LOC", "is/O"], ["Rome/B-LOC"]]);
  });

  it("reads the tag from tagColumn", async () => {
    const path = conll("Paris B-LOC NNP\nis O VBZ\n");
    const data = await loadTaggedDataset(path, { tagColumn: 1 });
    assert.deepEqual(pairs(data.sentences), [["Paris/B-LOC", "is/O"]]);
  });

  it("reads Chinese with one character per line: language zh, text without spaces but between Latin words", async () => {
    const path = conll(
      "我 O\n爱 O\n北 B-LOC\n京 I-LOC\n\n张 B-PER\n三 I-PER\n用 O\niPhone B-PRODUCT\n15 I-PRODUCT\n。 O\n",
    );
    const data = await loadTaggedDataset(path);
    assert.equal(data.language, "zh");
    assert.deepEqual(
      data.sentences.map((s) => s.text),
      ["我爱北京", "张三用iPhone 15。"],
    );
    assert.deepEqual(data.sentences[1]?.starts, [0, 1, 2, 3, 10, 12]);
    assert.deepEqual(data.sentences[1]?.ends, [1, 2, 3, 9, 12, 13]);
    assert.deepEqual(data.types, ["LOC", "PER", "PRODUCT"]);
    assertOffsets(data.sentences);
  });

  it("uses the language and scheme given instead of detecting them", async () => {
    const path = conll("北 I-LOC\n京 I-LOC\n");
    const data = await loadTaggedDataset(path, { language: "en", scheme: "iob1" });
    assert.deepEqual(pairs(data.sentences), [["北/B-LOC", "京/I-LOC"]]);
    assert.equal(data.language, "en");
    assert.equal(data.scheme, "iob1");
    assert.equal(data.sentences[0]?.text, "北 京");
    // In IOB1, B-LOC at the start of a sentence breaks the scheme; a scheme given is not explained.
    const paris = conll("Paris B-LOC\n");
    await assert.rejects(
      loadTaggedDataset(paris, { scheme: "iob1" }),
      isCodedError(
        "DATA_BAD_TAG",
        paris,
        1,
        /^line 1: B-LOC follows the start of the sentence; .*LOC entities$/,
      ),
    );
  });

  it("strips a BOM and accepts CRLF line ends and a last line without a line break", async () => {
    const path = conll(
      Buffer.concat([BOM, Buffer.from("EU B-ORG\r\nrejects O\r\n\r\nPeter B-PER\r\nBlackburn I-PER")]),
    );
    const data = await loadTaggedDataset(path);
    assert.deepEqual(pairs(data.sentences), [
      ["EU/B-ORG", "rejects/O"],
      ["Peter/B-PER", "Blackburn/I-PER"],
    ]);
    assert.deepEqual(
      data.sentences.map((s) => s.line),
      [1, 4],
    );
  });

  it("treats several blank lines, or lines of only spaces, as one sentence break", async () => {
    const path = conll("\n\na O\n \t \n\n\nb O\n\n\n");
    const data = await loadTaggedDataset(path);
    assert.deepEqual(
      data.sentences.map((s) => [s.line, s.text]),
      [
        [3, "a"],
        [7, "b"],
      ],
    );
    assert.deepEqual(data.types, []);
  });

  it("reads any extension but .jsonl/.json as CoNLL", async () => {
    const path = files.write(".txt", "a O\n");
    assert.equal((await loadTaggedDataset(path)).format, "conll");
  });
});
