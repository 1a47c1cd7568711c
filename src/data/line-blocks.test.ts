import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { isCodedError, scratchFiles } from "../../test/support/data-files.ts";
import { firstInvalidUtf8Byte, readLineBlocks } from "./line-blocks.ts";

const files = scratchFiles("line-blocks");
const file = (content: string | Buffer): string => files.write(".txt", content);

/** Every line of the file with its line number, rebuilt from the blocks. */
async function linesOf(path: string, maxLineBytes?: number): Promise<Array<[number, string]>> {
  const out: Array<[number, string]> = [];
  for await (const block of readLineBlocks(path, maxLineBytes)) {
    const parts = block.bytes.toString("utf8").split("\n");
    if (parts[parts.length - 1] === "") parts.pop();
    parts.forEach((text, i) => {
      out.push([block.firstLine + i, text]);
    });
  }
  return out;
}

const isError = isCodedError;

describe("readLineBlocks", () => {
  it("numbers lines from 1 and drops a leading BOM only", async () => {
    const path = file(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("a\n\uFEFFb\nc")]));
    assert.deepEqual(await linesOf(path), [
      [1, "a"],
      [2, "\uFEFFb"],
      [3, "c"],
    ]);
  });

  it("keeps CR of CRLF for the format to handle, and counts CRLF lines once", async () => {
    assert.deepEqual(await linesOf(file("x\r\ny\r\n")), [
      [1, "x\r"],
      [2, "y\r"],
    ]);
  });

  it("reads an empty file and a file of only a BOM as no lines", async () => {
    assert.deepEqual(await linesOf(file("")), []);
    assert.deepEqual(await linesOf(file(Buffer.from([0xef, 0xbb, 0xbf]))), []);
  });

  it("joins lines that span several reads and keeps their numbers", async () => {
    const long = "é".repeat(100_000); // 200,000 bytes: longer than one read
    const lines = ["short", long, "after", long, "end"];
    const got = await linesOf(file(`${lines.join("\n")}\n`));
    assert.deepEqual(
      got,
      lines.map((text, i) => [i + 1, text]),
    );
  });

  it("names the first line that is not UTF-8, after yielding the lines before it", async () => {
    const good = Array.from({ length: 5000 }, (_, i) => `line ${i + 1} 中文`).join("\n");
    // Latin-1 "é" (0xE9) on line 5001, well past the first 64 KiB read
    const content = Buffer.concat([
      Buffer.from(`${good}\ncaf`),
      Buffer.from([0xe9]),
      Buffer.from("\nlast\n"),
    ]);
    const path = file(content);
    const seen: number[] = [];
    await assert.rejects(
      async () => {
        for await (const block of readLineBlocks(path)) {
          const count = block.bytes.toString("utf8").split("\n").length - 1;
          for (let i = 0; i < count; i++) seen.push(block.firstLine + i);
        }
      },
      isError(
        "DATA_INVALID_UTF8",
        path,
        5001,
        /line 5001 is not valid UTF-8 \(byte 0xE9 at byte 4 of the line\)/,
      ),
    );
    assert.equal(seen.length, 5000);
    assert.equal(seen[4999], 5000);
  });

  it("finds a bad byte on the last line when it has no line break", async () => {
    const path = file(Buffer.concat([Buffer.from("ok\nbad "), Buffer.from([0xc3])]));
    await assert.rejects(linesOf(path), isError("DATA_INVALID_UTF8", path, 2, /byte 0xC3 at byte 5/));
  });

  it("refuses a line longer than the limit with its line number", async () => {
    const path = file(`a\nb\n${"x".repeat(300_000)}\n`);
    await assert.rejects(
      linesOf(path, 100_000),
      isError("DATA_LINE_TOO_LONG", path, 3, /line 3 is longer than 100000 bytes/),
    );
  });

  it("measures every line exactly against the limit, also one inside a read or at the end", async () => {
    // 1,000 bytes is the limit: a line of 1,000 passes and one of 1,001 is named.
    const at = "x".repeat(1000);
    const over = "y".repeat(1001);
    assert.equal((await linesOf(file(`a\n${at}\n${at}`), 1000)).length, 3);
    const inside = file(`a\nb\n${over}\nc\n`);
    await assert.rejects(linesOf(inside, 1000), isError("DATA_LINE_TOO_LONG", inside, 3, /line 3 is longer/));
    const last = file(`a\n${over}`);
    await assert.rejects(linesOf(last, 1000), isError("DATA_LINE_TOO_LONG", last, 2, /line 2 is longer/));
    // A long line that ends just past a read's end: the carried part and the rest add up.
    const spanning = file(`${"z".repeat(65_530)}\n${"w".repeat(200_000)}\nok\n`);
    await assert.rejects(
      linesOf(spanning, 150_000),
      isError("DATA_LINE_TOO_LONG", spanning, 2, /line 2 is longer than 150000 bytes/),
    );
  });

  it("refuses a line over 8 MiB by default, naming the limit", async () => {
    const path = file(`ok\n${"x".repeat(8 * 1024 * 1024 + 1)}\n`);
    await assert.rejects(
      linesOf(path),
      isError("DATA_LINE_TOO_LONG", path, 2, /line 2 is longer than 8 MiB without a line break/),
    );
  });

  it("says when the file is missing or is a directory", async () => {
    const missing = join(files.path, "nope.txt");
    await assert.rejects(
      linesOf(missing),
      isError("DATA_FILE_NOT_FOUND", missing, undefined, /nope\.txt does not exist/),
    );
    const sub = join(files.path, "sub.txt");
    mkdirSync(sub);
    await assert.rejects(linesOf(sub), isError("DATA_FILE_NOT_FOUND", sub, undefined, /is a directory/));
  });
});

describe("firstInvalidUtf8Byte", () => {
  // Cases from RFC 3629 section 3 and the Unicode standard's table 3-7 of well-formed sequences.
  const cases: Array<[string, number[], number]> = [
    ["ASCII", [0x61, 0x62], 2],
    ["two-byte é", [0x61, 0xc3, 0xa9], 3],
    ["four-byte emoji", [0xf0, 0x9f, 0x98, 0x80], 4],
    ["lone continuation byte", [0x61, 0x80], 1],
    ["overlong two-byte (C0 80)", [0xc0, 0x80], 0],
    ["overlong three-byte (E0 80 80)", [0xe0, 0x80, 0x80], 0],
    ["UTF-16 surrogate (ED A0 80)", [0x61, 0xed, 0xa0, 0x80], 1],
    ["above U+10FFFF (F4 90 80 80)", [0xf4, 0x90, 0x80, 0x80], 0],
    ["truncated sequence", [0xe4, 0xb8], 0],
    ["Latin-1 byte", [0x63, 0x61, 0x66, 0xe9], 3],
  ];
  for (const [name, bytes, expected] of cases) {
    it(name, () => {
      assert.equal(firstInvalidUtf8Byte(Uint8Array.from(bytes)), expected);
      // The strict decoder agrees on whether the bytes are valid at all.
      let valid = true;
      try {
        new TextDecoder("utf-8", { fatal: true }).decode(Uint8Array.from(bytes));
      } catch {
        valid = false;
      }
      assert.equal(valid, expected === bytes.length);
    });
  }
});
