import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isCodedError, readAll, scratchFiles } from "../../test/support/data-files.ts";

const files = scratchFiles("lines");
const write = files.write;

const read = readAll;

const isError = isCodedError;

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

describe("fastText format", () => {
  it("takes leading __label__ tokens as labels and the rest as text", async () => {
    const path = write(".txt", "__label__pos great film\n__label__a\t__label__b  two labels here \n");
    assert.deepEqual(await read(path), [
      { text: "great film", labels: ["pos"], line: 1 },
      { text: "two labels here", labels: ["a", "b"], line: 2 },
    ]);
  });

  it("leaves a __label__ after the text as text, and drops repeated labels", async () => {
    const path = write(".ft", "__label__x __label__x see __label__y later\n");
    assert.deepEqual(await read(path), [{ text: "see __label__y later", labels: ["x"], line: 1 }]);
  });

  it("strips a BOM, handles CRLF and skips blank lines", async () => {
    const path = write(
      ".txt",
      Buffer.concat([BOM, Buffer.from("__label__a 中文 文本\r\n\r\n   \r\n__label__b last")]),
    );
    assert.deepEqual(await read(path), [
      { text: "中文 文本", labels: ["a"], line: 1 },
      { text: "last", labels: ["b"], line: 4 },
    ]);
  });

  it("reads unlabelled lines when labels are optional", async () => {
    const path = write(".txt", "just text\n__label__a labelled\n");
    assert.deepEqual(
      (await read(path, { requireLabels: false })).map((e) => e.labels),
      [[], ["a"]],
    );
  });

  it("DATA_NO_LABEL for a line without labels", async () => {
    const path = write(".txt", "__label__a fine\nno label here\n");
    await assert.rejects(
      read(path),
      isError("DATA_NO_LABEL", path, 2, /line 2 has no label: a fastText line starts with __label__/),
    );
    const emptyName = write(".txt", "__label__ nameless\n");
    await assert.rejects(read(emptyName), isError("DATA_NO_LABEL", emptyName, 1, /line 1 has no label/));
  });

  it("DATA_EMPTY_TEXT for labels without text, unless skipEmptyText", async () => {
    const path = write(".txt", "__label__a fine\n__label__b   \n__label__a ok\n");
    await assert.rejects(read(path), isError("DATA_EMPTY_TEXT", path, 2, /line 2 has labels but no text/));
    assert.deepEqual(
      (await read(path, { skipEmptyText: true })).map((e) => e.line),
      [1, 3],
    );
  });

  it("DATA_INVALID_UTF8 with the line", async () => {
    const path = write(
      ".txt",
      Buffer.concat([Buffer.from("__label__a ok\n__label__b caf"), Buffer.from([0xe9, 0x0a])]),
    );
    await assert.rejects(read(path), isError("DATA_INVALID_UTF8", path, 2, /line 2 is not valid UTF-8/));
  });
});

describe("JSON Lines", () => {
  it("reads text with a string, number or array label", async () => {
    const path = write(
      ".jsonl",
      [
        '{"text": "good", "label": "pos"}',
        '{"text": "five stars", "label": 5}',
        '{"text": "both", "label": ["a", " b ", 3, "a"]}',
      ].join("\n"),
    );
    assert.deepEqual(await read(path), [
      { text: "good", labels: ["pos"], line: 1 },
      { text: "five stars", labels: ["5"], line: 2 },
      { text: "both", labels: ["a", "b", "3"], line: 3 },
    ]);
  });

  it('falls back to a "labels" field, and uses named fields', async () => {
    const plural = write(".jsonl", '{"text": "t", "labels": ["x", "y"]}\n');
    assert.deepEqual((await read(plural))[0]?.labels, ["x", "y"]);
    const named = write(".ndjson", '{"body": "t", "intent": "greet"}\n');
    assert.deepEqual(await read(named, { textColumn: "body", labelColumn: "intent" }), [
      { text: "t", labels: ["greet"], line: 1 },
    ]);
  });

  it("strips a BOM, handles CRLF and skips blank lines", async () => {
    const path = write(
      ".jsonl",
      Buffer.concat([BOM, Buffer.from('{"text":"a","label":"x"}\r\n\r\n  \r\n{"text":"b","label":"y"}\r\n')]),
    );
    assert.deepEqual(
      (await read(path)).map((e) => [e.line, e.text]),
      [
        [1, "a"],
        [4, "b"],
      ],
    );
  });

  it("skips blank lines without parsing them (issue 15: 2,000,000 blank lines took 57 s)", async () => {
    // Each blank line used to go through JSON.parse and its thrown SyntaxError; counting the
    // parses measures that work without timing anything.
    const path = write(".jsonl", `${"\n".repeat(5000)}  \t\r\n\u00a0\n{"text": "hi", "label": "a"}\n\n`);
    const parse = JSON.parse;
    let calls = 0;
    JSON.parse = (text: string, reviver?: Parameters<typeof parse>[1]) => {
      calls++;
      return parse(text, reviver);
    };
    try {
      assert.deepEqual(await read(path), [{ text: "hi", labels: ["a"], line: 5003 }]);
    } finally {
      JSON.parse = parse;
    }
    assert.equal(calls, 1);
  });

  it("DATA_BAD_JSON for a record nested more than 64 levels deep, the record itself counted", async () => {
    const nest = (n: number) => `${"[".repeat(n)}${"]".repeat(n)}`;
    const ok = write(".jsonl", `{"text": "hi", "label": "a", "x": ${nest(63)}}\n`);
    assert.equal((await read(ok)).length, 1);
    const deep = write(
      ".jsonl",
      `{"text": "hi", "label": "a"}\n{"text": "hi", "label": "a", "x": ${nest(64)}}\n`,
    );
    await assert.rejects(
      read(deep),
      isError("DATA_BAD_JSON", deep, 2, /^line 2 nests arrays and objects more than 64 deep/),
    );
  });

  it("reads missing, null or empty labels as [] when labels are optional", async () => {
    const path = write(".jsonl", '{"text":"a"}\n{"text":"b","label":null}\n{"text":"c","label":[]}\n');
    assert.deepEqual(
      (await read(path, { requireLabels: false })).map((e) => e.labels),
      [[], [], []],
    );
  });

  it("DATA_BAD_JSON for bad syntax and for a value that is not an object", async () => {
    const syntax = write(".jsonl", '{"text":"a","label":"x"}\n{"text": "b", label: "y"}\n');
    await assert.rejects(read(syntax), isError("DATA_BAD_JSON", syntax, 2, /line 2 is not valid JSON \(/));
    const array = write(".jsonl", '{"text":"a","label":"x"}\n\n["b", "y"]\n');
    await assert.rejects(
      read(array),
      isError("DATA_BAD_JSON", array, 3, /line 3 is an array, not a JSON object/),
    );
  });

  it("DATA_MISSING_COLUMN names the text field and lists the line's fields", async () => {
    const path = write(".jsonl", '{"text":"a","label":"x"}\n{"sentence":"b","label":"y"}\n');
    await assert.rejects(
      read(path),
      isError("DATA_MISSING_COLUMN", path, 2, /line 2 has no field "text" \(it has "sentence", "label"\)/),
    );
  });

  it("looks only at a record's own fields", async () => {
    const path = write(".jsonl", '{"text":"a","label":"x"}\n');
    await assert.rejects(
      read(path, { textColumn: "constructor" }),
      isError("DATA_MISSING_COLUMN", path, 1, /line 1 has no field "constructor" \(it has "text", "label"\)/),
    );
  });

  it("DATA_BAD_ROW for a text or label of the wrong type", async () => {
    const text = write(".jsonl", '{"text": 42, "label": "x"}\n');
    await assert.rejects(
      read(text),
      isError("DATA_BAD_ROW", text, 1, /field "text" must be a string, got a number/),
    );
    const label = write(".jsonl", '{"text": "a", "label": {"name": "x"}}\n');
    await assert.rejects(
      read(label),
      isError("DATA_BAD_ROW", label, 1, /"label" must be a string, a number or an array/),
    );
    const item = write(".jsonl", '{"text": "a", "label": ["x", true]}\n');
    await assert.rejects(
      read(item),
      isError("DATA_BAD_ROW", item, 1, /must hold strings or numbers, but it holds a boolean/),
    );
  });

  it("DATA_EMPTY_TEXT and DATA_NO_LABEL with their lines", async () => {
    const empty = write(".jsonl", '{"text":"a","label":"x"}\n{"text":" ","label":"y"}\n');
    await assert.rejects(read(empty), isError("DATA_EMPTY_TEXT", empty, 2, /line 2: field "text" is empty/));
    const missing = write(".jsonl", '{"text":"a","label":"x"}\n{"text":"b"}\n');
    await assert.rejects(
      read(missing),
      isError("DATA_NO_LABEL", missing, 2, /line 2 has no field "label" \(it has "text"\)/),
    );
    const blank = write(".jsonl", '{"text":"a","label":" "}\n');
    await assert.rejects(read(blank), isError("DATA_NO_LABEL", blank, 1, /line 1 has an empty "label"/));
  });

  it("DATA_INVALID_UTF8 with the line", async () => {
    const path = write(
      ".jsonl",
      Buffer.concat([
        Buffer.from('{"text":"a","label":"x"}\n{"text":"'),
        Buffer.from([0xc0, 0xaf]),
        Buffer.from('"}\n'),
      ]),
    );
    await assert.rejects(
      read(path),
      isError("DATA_INVALID_UTF8", path, 2, /line 2 is not valid UTF-8 \(byte 0xC0/),
    );
  });
});
