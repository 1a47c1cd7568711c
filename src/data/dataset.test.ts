import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import { isCodedError, scratchFiles } from "../../test/support/data-files.ts";
import { TextkitError } from "../core/index.ts";
import { datasetFromExamples, fingerprint, loadDataset } from "./dataset.ts";

const files = scratchFiles("dataset");
const write = files.write;

/** These errors are about the whole file, not one line of it. */
const isError = (code: string, file: string, message: RegExp) => isCodedError(code, file, undefined, message);

describe("loadDataset", () => {
  it("reads every example and lists the labels in code point order", async () => {
    const path = write(".csv", "text,label\none,b\ntwo,a\nthree,中\nfour,B\nfive,a\n");
    const data = await loadDataset(path);
    assert.equal(data.source, path);
    assert.equal(data.examples.length, 5);
    assert.deepEqual(data.labels, ["B", "a", "b", "中"]);
    assert.equal(data.multiLabel, false);
  });

  it("marks a dataset multi-label when any example has several labels, in every format", async () => {
    const files = [
      write(".csv", "text,label\nx,a|b\ny,a\n"),
      write(".tsv", "text\tlabel\nx\ta|b\ny\ta\n"),
      write(".jsonl", '{"text":"x","label":["a","b"]}\n{"text":"y","label":"a"}\n'),
      write(".txt", "__label__a __label__b x\n__label__a y\n"),
    ];
    for (const path of files) {
      const data = await loadDataset(path);
      assert.equal(data.multiLabel, true, path);
      assert.deepEqual(data.labels, ["a", "b"], path);
      assert.deepEqual(
        data.examples.map((e) => e.labels),
        [["a", "b"], ["a"]],
        path,
      );
    }
  });

  it("DATA_EMPTY for a file without examples", async () => {
    const headerOnly = write(".csv", "text,label\n\n");
    await assert.rejects(loadDataset(headerOnly), isError("DATA_EMPTY", headerOnly, /has no examples/));
    const blank = write(".txt", "\n  \n");
    await assert.rejects(loadDataset(blank), isError("DATA_EMPTY", blank, /has no examples/));
  });

  it("DATA_SINGLE_CLASS names the one label", async () => {
    const path = write(".jsonl", '{"text":"a","label":"spam"}\n{"text":"b","label":"spam"}\n');
    await assert.rejects(
      loadDataset(path),
      isError("DATA_SINGLE_CLASS", path, /every example has the label "spam", and at least 2 are needed/),
    );
  });

  it("DATA_SINGLE_CLASS lists the labels when fewer than minClasses", async () => {
    const path = write(".txt", "__label__x a\n__label__y b\n");
    await assert.rejects(
      loadDataset(path, { minClasses: 3 }),
      isError("DATA_SINGLE_CLASS", path, /2 distinct labels \("x", "y"\), and at least 3 are needed/),
    );
    assert.equal((await loadDataset(path, { minClasses: 1 })).labels.length, 2);
  });

  it("accepts unlabelled input when labels are optional", async () => {
    const path = write(".txt", "just one document\n");
    const data = await loadDataset(path, { requireLabels: false });
    assert.deepEqual(data.labels, []);
    assert.deepEqual(data.examples, [{ text: "just one document", labels: [], line: 1 }]);
  });

  it("passes read errors through with their line", async () => {
    const path = write(".csv", "text,label\nok,a\nbad\n");
    await assert.rejects(loadDataset(path), (error: unknown) => {
      assert.ok(error instanceof TextkitError);
      assert.equal(error.code, "DATA_BAD_ROW");
      assert.equal(error.line, 3);
      return true;
    });
  });
});

describe("datasetFromExamples", () => {
  it("derives labels and multiLabel, and allows no examples", () => {
    const data = datasetFromExamples("mem", [
      { text: "a", labels: ["z"], line: 1 },
      { text: "b", labels: ["y", "z"], line: 2 },
    ]);
    assert.deepEqual(data.labels, ["y", "z"]);
    assert.equal(data.multiLabel, true);
    const empty = datasetFromExamples("none", []);
    assert.deepEqual(empty, { source: "none", examples: [], labels: [], multiLabel: false });
  });
});

describe("fingerprint", () => {
  const first = { text: "first text", labels: ["a"], line: 2 };
  const second = { text: 'has "quotes", commas\nand a break', labels: ["b", "c"], line: 3 };
  const examples = [first, second];

  it("is the documented SHA-256 of the texts and labels", () => {
    // The format: a version line, then one JSON array [text, labels] per example, each
    // followed by a line break.
    const expected = createHash("sha256")
      .update("textkit-dataset-fingerprint-v1\n")
      .update('["first text",["a"]]\n')
      .update('["has \\"quotes\\", commas\\nand a break",["b","c"]]\n')
      .digest("hex");
    assert.equal(fingerprint(datasetFromExamples("x", examples)), expected);
  });

  it("ignores the source and line numbers but not order, text or labels", () => {
    const base = fingerprint(datasetFromExamples("x", examples));
    const moved = examples.map((e) => ({ ...e, line: e.line + 10 }));
    assert.equal(fingerprint(datasetFromExamples("elsewhere", moved)), base);
    assert.notEqual(fingerprint(datasetFromExamples("x", [...examples].reverse())), base);
    assert.notEqual(fingerprint(datasetFromExamples("x", [{ ...first, text: "first text!" }, second])), base);
    assert.notEqual(fingerprint(datasetFromExamples("x", [{ ...first, labels: ["b"] }, second])), base);
    // A text that looks like a boundary cannot collide with two examples.
    const joined = [{ text: 'first text",["a"]]\n["x', labels: ["a"], line: 1 }];
    assert.notEqual(fingerprint(datasetFromExamples("x", joined)), base);
  });

  it("is the same for the same data in every format, and for large data hashed in slices", async () => {
    const rows = Array.from({ length: 30_000 }, (_, i) => [
      `text ${i} ${"x".repeat(1 + (i % 50))}`,
      `l${i % 4}`,
    ]);
    const csv = write(".csv", `text,label\n${rows.map(([t, l]) => `${t},${l}`).join("\n")}\n`);
    const jsonl = write(
      ".jsonl",
      `${rows.map(([text, label]) => JSON.stringify({ text, label })).join("\n")}\n`,
    );
    const fast = write(".txt", `${rows.map(([t, l]) => `__label__${l} ${t}`).join("\n")}\n`);
    const prints = await Promise.all(
      [csv, jsonl, fast].map(async (path) => fingerprint(await loadDataset(path))),
    );
    assert.equal(prints[1], prints[0]);
    assert.equal(prints[2], prints[0]);
    const hash = createHash("sha256").update("textkit-dataset-fingerprint-v1\n");
    for (const [text, label] of rows) hash.update(`${JSON.stringify([text, [label]])}\n`);
    assert.equal(prints[0], hash.digest("hex"));
  });
});
