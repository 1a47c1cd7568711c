import assert from "node:assert/strict";
import { closeSync, openSync, statSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { isCodedError, scratchFiles } from "../../test/support/data-files.ts";
import { detectFormat } from "./detect-format.ts";
import { DATA_FORMATS, type Example } from "./example.ts";
import { readExampleBatches, readExamples } from "./read-examples.ts";

const scratch = scratchFiles("read");

const isError = (code: string, file: string | undefined, message: RegExp) =>
  isCodedError(code, file, undefined, message);

describe("detectFormat", () => {
  it("maps each documented extension, whatever its case", () => {
    const expected: Array<[string, string]> = [
      ["a.csv", "csv"],
      ["dir.v2/a.TSV", "tsv"],
      ["a.jsonl", "jsonl"],
      ["a.ndjson", "jsonl"],
      ["a.txt", "fasttext"],
      ["a.ft", "fasttext"],
      ["a.fasttext", "fasttext"],
    ];
    for (const [path, format] of expected) assert.equal(detectFormat(path), format);
    assert.deepEqual([...new Set(expected.map(([, f]) => f))].sort(), [...DATA_FORMATS].sort());
  });

  it("DATA_UNKNOWN_FORMAT names the file and what to do", () => {
    assert.throws(
      () => detectFormat("data/train.json"),
      isError("DATA_UNKNOWN_FORMAT", "data/train.json", /\.json file is not JSON Lines/),
    );
    assert.throws(
      () => detectFormat("train.csv.gz"),
      isError("DATA_UNKNOWN_FORMAT", "train.csv.gz", /decompress it first/),
    );
    assert.throws(
      () => detectFormat("README"),
      isError("DATA_UNKNOWN_FORMAT", "README", /it has no extension/),
    );
    assert.throws(
      () => detectFormat("a.xlsx"),
      isError("DATA_UNKNOWN_FORMAT", "a.xlsx", /"\.xlsx" is not one of \.csv, \.tsv/),
    );
  });
});

describe("readExamples", () => {
  it("lets the format option override the extension", async () => {
    const path = join(scratch.path, "data.dat");
    writeFileSync(path, "__label__a text\n");
    const got: Example[] = [];
    for await (const example of readExamples(path, { format: "fasttext" })) got.push(example);
    assert.deepEqual(got, [{ text: "text", labels: ["a"], line: 1 }]);
  });

  it("throws DATA_UNKNOWN_FORMAT for an unknown extension or format name", async () => {
    const path = join(scratch.path, "data.dat");
    writeFileSync(path, "x\n");
    await assert.rejects(
      readExamples(path).next(),
      isError("DATA_UNKNOWN_FORMAT", path, /cannot tell the format/),
    );
    const format = JSON.parse('"xml"');
    await assert.rejects(
      readExamples(path, { format }).next(),
      isError("DATA_UNKNOWN_FORMAT", undefined, /unknown format "xml"/),
    );
  });

  it("throws DATA_FILE_NOT_FOUND with the path", async () => {
    const path = join(scratch.path, "missing.csv");
    await assert.rejects(
      readExamples(path).next(),
      isError("DATA_FILE_NOT_FOUND", path, /missing\.csv does not exist/),
    );
  });

  it("throws OPTION_INVALID for an empty separator or delimiter", async () => {
    const path = join(scratch.path, "x.csv");
    writeFileSync(path, "text,label\na,b\n");
    await assert.rejects(
      readExamples(path, { labelSeparator: "" }).next(),
      isError("OPTION_INVALID", undefined, /labelSeparator/),
    );
    await assert.rejects(
      readExamples(path, { delimiter: "" }).next(),
      isError("OPTION_INVALID", undefined, /delimiter/),
    );
  });

  it("gives the same examples one by one as in batches, for every format", async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => ({ text: `text number ${i}`, label: `l${i % 3}` }));
    const files: Record<string, string> = {
      "s.csv": `text,label\n${rows.map((r) => `${r.text},${r.label}`).join("\n")}\n`,
      "s.tsv": `text\tlabel\n${rows.map((r) => `${r.text}\t${r.label}`).join("\n")}\n`,
      "s.jsonl": `${rows.map((r) => JSON.stringify(r)).join("\n")}\n`,
      "s.txt": `${rows.map((r) => `__label__${r.label} ${r.text}`).join("\n")}\n`,
    };
    for (const [name, content] of Object.entries(files)) {
      const path = join(scratch.path, name);
      writeFileSync(path, content);
      const single: Example[] = [];
      for await (const example of readExamples(path)) single.push(example);
      const batched: Example[] = [];
      for await (const batch of readExampleBatches(path)) batched.push(...batch);
      assert.deepEqual(single, batched, name);
      assert.deepEqual(
        single.map((e) => [e.text, e.labels[0]]),
        rows.map((r) => [r.text, r.label]),
        name,
      );
    }
  });

  it("can be stopped early", async () => {
    const path = join(scratch.path, "early.txt");
    writeFileSync(path, "__label__a one\n__label__b two\n__label__c three\n");
    const seen: string[] = [];
    for await (const example of readExamples(path)) {
      seen.push(example.text);
      if (seen.length === 2) break;
    }
    assert.deepEqual(seen, ["one", "two"]);
  });

  it("streams a large file without holding it in memory", async () => {
    const path = join(scratch.path, "large.txt");
    const lines: string[] = [];
    // Lines of about 1 KB, a review's length; node:test tracks every promise, so fewer and
    // longer records keep this test fast.
    const words = "with words enough to make a line of about one kilobyte, 中文也有 ".repeat(14);
    for (let i = 0; i < 1000; i++) lines.push(`__label__c${i % 5} document ${i} ${words}`);
    const chunk = Buffer.from(`${lines.join("\n")}\n`);
    const repeats = Math.ceil(64e6 / chunk.length);
    const fd = openSync(path, "w");
    for (let r = 0; r < repeats; r++) writeSync(fd, chunk);
    closeSync(fd);
    const size = statSync(path).size;

    // What the reader keeps alive, not how much garbage the collector has yet to reclaim (that
    // depends on its policy and on the machine's load: a CI run once saw 35 MB of it): the heap
    // is measured after a full collection at each sample.
    const collect = fullCollector();
    collect();
    const base = process.memoryUsage().heapUsed;
    let peak = 0;
    let count = 0;
    let last: Example | undefined;
    for await (const example of readExamples(path)) {
      count++;
      last = example;
      if (count % 4096 === 0) {
        collect();
        peak = Math.max(peak, process.memoryUsage().heapUsed - base);
      }
    }
    assert.equal(count, repeats * 1000);
    assert.equal(last?.line, repeats * 1000);
    assert.equal(last?.text, lines[999]?.slice("__label__c4 ".length).trim());
    // Holding the file as one string, or its examples, would keep at least its size alive.
    assert.ok(
      peak < size / 8,
      `the heap kept ${(peak / 1e6).toFixed(1)} MB alive while reading ${(size / 1e6).toFixed(1)} MB`,
    );
  });
});

/** A full garbage collection, without starting Node with --expose-gc. */
function fullCollector(): () => void {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  return () => gc();
}
