import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isCodedError, scratchFiles } from "../../test/support/data-files.ts";
import type { TaggedSentence } from "./tagged-example.ts";
import { loadTaggedDataset, taggedDatasetFromSentences } from "./tagged-reader.ts";

const files = scratchFiles("tagged");
const conll = (content: string | Buffer): string => files.write(".conll", content);
const jsonl = (content: string | Buffer): string => files.write(".jsonl", content);
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** Tokens and tags of each sentence, as "token/TAG" strings: easy to read in a failure. */
const pairs = (sentences: TaggedSentence[]): string[][] =>
  sentences.map((s) => s.tokens.map((token, i) => `${token}/${s.tags[i]}`));

/** Every token is text.slice(start, end). */
function assertOffsets(sentences: TaggedSentence[]): void {
  for (const s of sentences) {
    assert.equal(s.starts.length, s.tokens.length);
    assert.equal(s.ends.length, s.tokens.length);
    assert.equal(s.tags.length, s.tokens.length);
    for (let i = 0; i < s.tokens.length; i++) assert.equal(s.text.slice(s.starts[i], s.ends[i]), s.tokens[i]);
  }
}

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

describe("loadTaggedDataset, CoNLL errors", () => {
  it("DATA_BAD_ROW: a token line with another number of columns than the first", async () => {
    const path = conll("-DOCSTART- O\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\n\nGerman B-MISC\n");
    await assert.rejects(
      loadTaggedDataset(path),
      isCodedError(
        "DATA_BAD_ROW",
        path,
        6,
        /^line 6 has 2 columns; the file's first token line \(line 3\) has 4$/,
      ),
    );
  });

  it("DATA_BAD_ROW: a file whose token lines have one column", async () => {
    const path = conll("\nEU\nrejects\n");
    await assert.rejects(
      loadTaggedDataset(path),
      isCodedError("DATA_BAD_ROW", path, 2, /line 2 has 1 column/),
    );
  });

  it("OPTION_INVALID: tagColumn beyond the columns of the file", async () => {
    const path = conll("EU NNP B-ORG\n");
    await assert.rejects(
      loadTaggedDataset(path, { tagColumn: 3 }),
      isCodedError(
        "OPTION_INVALID",
        path,
        1,
        /--tag-column \(tagColumn\) is 3, but line 1, the first token line, has 3 columns/,
      ),
    );
  });

  it("DATA_BAD_TAG: a tag that is not a tag, naming its line", async () => {
    const path = conll("EU B-ORG\nrejects O\n\nGerman NNP\n");
    await assert.rejects(
      loadTaggedDataset(path),
      isCodedError("DATA_BAD_TAG", path, 4, /^line 4: 'NNP' is not a tag; .*name another with --tag-column/),
    );
  });

  it("DATA_BAD_TAG: a tag that breaks the scheme given", async () => {
    const path = conll("EU B-ORG\n\nthe O\nUnion I-ORG\n");
    await assert.rejects(
      loadTaggedDataset(path, { scheme: "bio" }),
      isCodedError("DATA_BAD_TAG", path, 4, /^line 4: I-ORG follows O; in BIO an entity starts with B-ORG$/),
    );
  });

  it("DATA_BAD_TAG: a BIO file with one stray I- is still read as BIO, and the stray tag is named", async () => {
    const path = conll("EU B-ORG\nrejects O\n\nthe O\nUnion I-ORG\n\nBonn B-LOC\n");
    await assert.rejects(
      loadTaggedDataset(path),
      isCodedError(
        "DATA_BAD_TAG",
        path,
        5,
        /^line 5: I-ORG follows O; in BIO an entity starts with B-ORG \(the scheme was detected as BIO because most entities start with B-; pass the scheme if the file is IOB1\)$/,
      ),
    );
  });

  it("DATA_BAD_TAG: an IOB1 file with a stray B- after O names the detected scheme's evidence", async () => {
    const path = conll("EU I-ORG\nrejects O\n\nthe O\nUnion B-ORG\n\nBonn I-LOC\n");
    await assert.rejects(
      loadTaggedDataset(path),
      isCodedError(
        "DATA_BAD_TAG",
        path,
        5,
        /^line 5: B-ORG follows O; in IOB1, .* \(the scheme was detected as IOB1 because line 1 starts an entity with I-ORG; if the file is BIO, that line is the mistake\)$/,
      ),
    );
  });

  it("DATA_BAD_TAG: a BIOES entity left open at the end of a sentence", async () => {
    const path = conll("Bob S-PER\n\nNew B-LOC\nYork I-LOC\n\nx O\n");
    await assert.rejects(
      loadTaggedDataset(path),
      isCodedError("DATA_BAD_TAG", path, 4, /^line 4: I-LOC ends the sentence; .*because line 1 has S-PER/),
    );
  });

  it("DATA_EMPTY: an empty file, or one with only blank and -DOCSTART- lines", async () => {
    for (const content of ["", "\n\n", "-DOCSTART- -X- -X- O\n\n"]) {
      const path = conll(content);
      await assert.rejects(
        loadTaggedDataset(path),
        isCodedError("DATA_EMPTY", path, undefined, /has no sentences/),
      );
    }
  });

  it("DATA_INVALID_UTF8 and DATA_FILE_NOT_FOUND from the shared line reader", async () => {
    const path = conll(Buffer.concat([Buffer.from("a O\n"), Buffer.from([0xc3, 0x28, 0x20, 0x4f, 0x0a])]));
    await assert.rejects(loadTaggedDataset(path), isCodedError("DATA_INVALID_UTF8", path, 2, /line 2/));
    const missing = `${files.path}/missing.conll`;
    await assert.rejects(
      loadTaggedDataset(missing),
      isCodedError("DATA_FILE_NOT_FOUND", missing, undefined, /./),
    );
  });
});

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

describe("loadTaggedDataset, JSONL errors", () => {
  const bad = async (record: string, code: string, message: RegExp) => {
    const path = jsonl(`{"text": "fine"}\n\n${record}\n`);
    await assert.rejects(loadTaggedDataset(path), isCodedError(code, path, 3, message));
  };
  const span = (text: string, entities: unknown) => JSON.stringify({ text, entities });

  it("DATA_BAD_JSON: a line that is not JSON, or not an object", async () => {
    await bad('{"text": "a"', "DATA_BAD_JSON", /^line 3 is not valid JSON/);
    await bad('["a"]', "DATA_BAD_JSON", /^line 3 is an array, not a JSON object/);
  });

  it("DATA_EMPTY_TEXT: a missing, empty or blank text", async () => {
    await bad('{"entities": []}', "DATA_EMPTY_TEXT", /^line 3 has no "text"$/);
    await bad('{"text": ""}', "DATA_EMPTY_TEXT", /^line 3 has an empty "text"$/);
    await bad('{"text": " \\t\\n "}', "DATA_EMPTY_TEXT", /^line 3: "text" has no tokens/);
  });

  it("DATA_BAD_ROW: a text that is not a string", async () => {
    await bad('{"text": 12}', "DATA_BAD_ROW", /"text" must be a string, got a number/);
  });

  it("DATA_BAD_SPAN: entities that are not a list of spans", async () => {
    await bad(span("Paris", { start: 0 }), "DATA_BAD_SPAN", /"entities" must be a list/);
    await bad(span("Paris", [[0, 5]]), "DATA_BAD_SPAN", /entity 1 is \[0,5\]; write an entity as/);
    await bad(span("Paris", ["LOC"]), "DATA_BAD_SPAN", /entity 1 is "LOC"/);
  });

  it("DATA_BAD_JSON, not a stack overflow, for entities nested 100,000 deep (issue 15)", async () => {
    // JSON.parse takes any depth; showing the entity in the message recursed as deep.
    const deep = (n: number) => `${"[".repeat(n)}${"]".repeat(n)}`;
    await bad(
      `{"text": "Paris", "entities": [${deep(100_000)}]}`,
      "DATA_BAD_JSON",
      /nests arrays and objects more than 64 deep/,
    );
    // Below the limit, a bad entity is shown cut short.
    await bad(
      `{"text": "Paris", "entities": [${deep(60)}]}`,
      "DATA_BAD_SPAN",
      /entity 1 is \[\[\[.*\.\.\.; write/,
    );
    await bad(
      `{"text": "Paris", "entities": [[0, ${deep(60)}, "LOC"]]}`,
      "DATA_BAD_SPAN",
      /end \[\[\[.*\.\.\.;/,
    );
    await bad(
      `{"text": "Paris", "entities": [[0, 5, ${deep(60)}]]}`,
      "DATA_BAD_SPAN",
      /label \[\[\[.*\.\.\.;/,
    );
  });

  it("DATA_BAD_SPAN: offsets that are not whole numbers", async () => {
    await bad(
      span("Paris", [[0.5, 5, "LOC"]]),
      "DATA_BAD_SPAN",
      /start 0.5 and end 5; both must be whole numbers/,
    );
    await bad(span("Paris", [["0", 5, "LOC"]]), "DATA_BAD_SPAN", /start "0" and end 5/);
    await bad(span("Paris", [{ start: 0, label: "LOC" }]), "DATA_BAD_SPAN", /start 0 and end undefined/);
  });

  it("DATA_BAD_SPAN: an empty or reversed span", async () => {
    await bad(span("Paris", [[2, 2, "LOC"]]), "DATA_BAD_SPAN", /the span \[2, 2\) is empty/);
    await bad(span("Paris", [[5, 0, "LOC"]]), "DATA_BAD_SPAN", /the span \[5, 0\) is empty/);
  });

  it("DATA_BAD_SPAN: a span outside the text", async () => {
    await bad(
      span("Paris", [[0, 6, "LOC"]]),
      "DATA_BAD_SPAN",
      /\[0, 6\) is outside the text, which has 5 UTF-16 code units/,
    );
    await bad(span("Paris", [[-1, 3, "LOC"]]), "DATA_BAD_SPAN", /\[-1, 3\) is outside the text/);
  });

  it("DATA_BAD_SPAN: overlapping or repeated spans", async () => {
    await bad(
      span("New York City", [
        [4, 13, "LOC"],
        [0, 8, "LOC"],
      ]),
      "DATA_BAD_SPAN",
      /the spans \[0, 8\) 'New York' and \[4, 13\) 'York City' overlap/,
    );
    await bad(
      span("Paris", [
        [0, 5, "LOC"],
        [0, 5, "LOC"],
      ]),
      "DATA_BAD_SPAN",
      /overlap/,
    );
  });

  it("DATA_BAD_SPAN: a label that is not a non-empty string without whitespace", async () => {
    await bad(
      span("Paris", [[0, 5, ""]]),
      "DATA_BAD_SPAN",
      /has the label ""; a label is a non-empty string/,
    );
    await bad(span("Paris", [[0, 5, "NEW LOC"]]), "DATA_BAD_SPAN", /has the label "NEW LOC"/);
    await bad(span("Paris", [[0, 5, 7]]), "DATA_BAD_SPAN", /has the label 7/);
  });

  it("DATA_BAD_SPAN: a span that starts or ends with whitespace", async () => {
    await bad(
      span("in Paris now", [[3, 9, "LOC"]]),
      "DATA_BAD_SPAN",
      /^line 3: the span \[3, 9\) 'Paris ' ends with a space$/,
    );
    await bad(
      span("in Paris", [[2, 8, "LOC"]]),
      "DATA_BAD_SPAN",
      /the span \[2, 8\) ' Paris' starts with a space/,
    );
    await bad(span("Paris\tnow", [[0, 6, "LOC"]]), "DATA_BAD_SPAN", /ends with a tab/);
    await bad(span("巴黎\u3000", [[0, 3, "LOC"]]), "DATA_BAD_SPAN", /ends with whitespace \(U\+3000\)/);
  });

  it("DATA_BAD_SPAN: a span that cuts a character outside the BMP in two", async () => {
    await bad(span("😀 Paris", [[1, 8, "LOC"]]), "DATA_BAD_SPAN", /cuts a character outside the BMP in two/);
  });

  it("DATA_BAD_SPAN: a span over no token at all", async () => {
    await bad(span("a \u200B b", [[2, 3, "X"]]), "DATA_BAD_SPAN", /covers no token/);
  });

  it("DATA_EMPTY: a file without records", async () => {
    const path = jsonl("\n \n");
    await assert.rejects(
      loadTaggedDataset(path),
      isCodedError("DATA_EMPTY", path, undefined, /has no sentences/),
    );
  });
});

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
