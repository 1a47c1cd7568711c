/** The reader options for awkward files: other encodings, several text columns, skipped empty texts. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isCodedError, readAll, scratchFiles } from "../../test/support/data-files.ts";
import { checkEncoding, TEXT_COLUMN_JOINER } from "./example.ts";

const scratch = scratchFiles("read-options");

describe("encoding", () => {
  it("reads a Latin-1 CSV, TSV and JSONL file as the text it holds", async () => {
    const csv = scratch.write(
      ".csv",
      Buffer.from("text,label\ncaf\xe9 cr\xe8me,food\nna\xefve,other\n", "latin1"),
    );
    const examples = await readAll(csv, { encoding: "latin1" });
    assert.deepEqual(
      examples.map((e) => [e.text, e.labels[0], e.line]),
      [
        ["café crème", "food", 2],
        ["naïve", "other", 3],
      ],
    );
    const tsv = scratch.write(".tsv", Buffer.from("text\tlabel\nd\xe9j\xe0 vu\tx\n", "latin1"));
    assert.equal((await readAll(tsv, { encoding: "latin1" }))[0]?.text, "déjà vu");
    const jsonl = scratch.write(".jsonl", Buffer.from('{"text":"\xfcber","label":"de"}\n', "latin1"));
    assert.equal((await readAll(jsonl, { encoding: "iso-8859-1" }))[0]?.text, "über");
  });

  it("reads GBK, whose two-byte characters never hold a line break", async () => {
    const gbk = Buffer.from([
      ...Buffer.from("text,label\n"),
      0xc4,
      0xe3,
      0xba,
      0xc3, // 你好
      ...Buffer.from(",greet\n"),
    ]);
    const file = scratch.write(".csv", gbk);
    assert.equal((await readAll(file, { encoding: "gbk" }))[0]?.text, "你好");
  });

  it("names the first line that is not in the encoding given", async () => {
    // 0x81 0x0A: a GBK lead byte with no trail byte on line 3.
    const file = scratch.write(".csv", Buffer.from([...Buffer.from("text,label\nok,a\n"), 0x81, 0x0a]));
    await assert.rejects(
      readAll(file, { encoding: "gbk" }),
      isCodedError("DATA_BAD_ENCODING", file, 3, /line 3 is not valid gbk/),
    );
  });

  it("refuses an encoding TextDecoder does not know, and UTF-16", () => {
    assert.throws(() => checkEncoding("klingon"), /encoding "klingon" is not one this runtime can decode/);
    assert.throws(() => checkEncoding("utf-16le"), /convert the file to UTF-8/);
    assert.equal(checkEncoding("latin1"), "windows-1252");
  });
});

describe("several text columns", () => {
  it("joins the named CSV columns in the order given, leaving out empty ones", async () => {
    const file = scratch.write(
      ".csv",
      "title,label,description\nBig match,sport,Goals galore\nRain,weather,\n",
    );
    const examples = await readAll(file, { textColumn: "title,description" });
    assert.deepEqual(
      examples.map((e) => e.text),
      [`Big match${TEXT_COLUMN_JOINER}Goals galore`, "Rain"],
    );
    const reversed = await readAll(file, { textColumn: "description, title" });
    assert.equal(reversed[0]?.text, `Goals galore${TEXT_COLUMN_JOINER}Big match`);
  });

  it("joins JSONL fields, and still finds a column whose own name has a comma", async () => {
    const jsonl = scratch.write(".jsonl", '{"title":"A","body":"B","label":"x"}\n');
    assert.equal((await readAll(jsonl, { textColumn: "title,body" }))[0]?.text, `A${TEXT_COLUMN_JOINER}B`);
    const odd = scratch.write(".csv", '"a,b",label\nhello,x\n');
    assert.equal((await readAll(odd, { textColumn: "a,b" }))[0]?.text, "hello");
  });

  it("names the one column of the list that is missing", async () => {
    const file = scratch.write(".csv", "title,label\nA,x\n");
    await assert.rejects(
      readAll(file, { textColumn: "title,body" }),
      isCodedError("DATA_MISSING_COLUMN", file, 1, /no column named "body"/),
    );
  });
});

describe("skipEmptyText", () => {
  it("tells onSkippedText the line of every row it skips", async () => {
    const file = scratch.write(".csv", "text,label\nfine,a\n   ,b\nalso fine,a\n,b\n");
    const skipped: number[] = [];
    const examples = await readAll(file, {
      skipEmptyText: true,
      onSkippedText: (line) => skipped.push(line),
    });
    assert.equal(examples.length, 2);
    assert.deepEqual(skipped, [3, 5]);
  });
});
