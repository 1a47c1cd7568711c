import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { TextkitError } from "../core/index.ts";
import type { TextLine } from "../data/index.ts";
import { readStreamLines } from "./stream-lines.ts";

async function* chunks(...parts: (string | number[])[]): AsyncGenerator<Uint8Array> {
  for (const part of parts)
    yield typeof part === "string" ? Buffer.from(part, "utf8") : Uint8Array.from(part);
}

async function collect(source: AsyncIterable<Uint8Array>, maxLineBytes?: number): Promise<TextLine[]> {
  const out: TextLine[] = [];
  for await (const batch of readStreamLines(source, "<stdin>", maxLineBytes)) out.push(...batch);
  return out;
}

describe("readStreamLines", () => {
  it("trims lines, skips blank ones and keeps the line numbers", async () => {
    const lines = await collect(chunks("  first \r\n\r\n\tsecond\n   \nthird"));
    assert.deepEqual(lines, [
      { text: "first", line: 1 },
      { text: "second", line: 3 },
      { text: "third", line: 5 },
    ]);
  });

  it("joins lines and characters cut between chunks", async () => {
    const euro = [...Buffer.from("€", "utf8")];
    // "a€b\nc" with the euro sign's three bytes in three chunks, then a line cut in two
    const lines = await collect(chunks([0x61, euro[0]!], [euro[1]!], [euro[2]!, 0x62, 0x0a], "c", "d\n"));
    assert.deepEqual(lines, [
      { text: "a€b", line: 1 },
      { text: "cd", line: 2 },
    ]);
  });

  it("drops a byte order mark, even one split over chunks", async () => {
    assert.deepEqual(await collect(chunks([0xef], [0xbb, 0xbf], "x\n")), [{ text: "x", line: 1 }]);
    assert.deepEqual(await collect(chunks([0xef, 0xbb, 0xbf])), []);
    assert.deepEqual(await collect(chunks("")), []);
  });

  it("names the first line that is not UTF-8, after yielding the ones before it", async () => {
    // one chunk, so that the good lines and the bad one are checked together
    const badBlock = [...Buffer.from("ok\nfine\ncaf"), 0xe9, ...Buffer.from("\nlater\n")];
    const seen: TextLine[] = [];
    await assert.rejects(
      (async () => {
        for await (const batch of readStreamLines(chunks(badBlock), "<stdin>")) {
          seen.push(...batch);
        }
      })(),
      (error: unknown) => {
        assert.ok(error instanceof TextkitError);
        assert.equal(error.code, "DATA_INVALID_UTF8");
        assert.equal(error.file, "<stdin>");
        assert.equal(error.line, 3);
        return true;
      },
    );
    assert.deepEqual(
      seen.map((l) => l.text),
      ["ok", "fine"],
    );
  });

  it("refuses a line longer than the limit", async () => {
    await assert.rejects(collect(chunks("short\n", "x".repeat(40), "y".repeat(40)), 64), (error: unknown) => {
      assert.ok(error instanceof TextkitError);
      assert.equal(error.code, "DATA_LINE_TOO_LONG");
      assert.equal(error.line, 2);
      return true;
    });
    // A line that ends inside a chunk is measured too, and only its own bytes count.
    await assert.rejects(collect(chunks("ok\n", `${"z".repeat(65)}\nafter\n`), 64), (error: unknown) => {
      assert.ok(error instanceof TextkitError);
      assert.equal(error.code, "DATA_LINE_TOO_LONG");
      assert.equal(error.line, 2);
      return true;
    });
    assert.equal((await collect(chunks("y".repeat(30), `${"y".repeat(34)}\n`), 64)).length, 1);
  });

  it("copies a long line a bounded number of times, however many chunks it comes in (issue 15)", async () => {
    // The unfinished line used to be joined with every chunk: 2,000 chunks of 512 bytes
    // copied about 1 GB. Buffer.concat's output is what a join copies.
    const piece = Buffer.alloc(512, 0x61);
    async function* longLine(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < 2000; i++) yield piece;
      yield Buffer.from("\nend\n");
    }
    const concat = Buffer.concat;
    let copied = 0;
    Buffer.concat = (list: readonly Uint8Array[], totalLength?: number) => {
      const joined = concat(list, totalLength);
      copied += joined.length;
      return joined;
    };
    let lines: TextLine[];
    try {
      lines = await collect(longLine());
    } finally {
      Buffer.concat = concat;
    }
    assert.deepEqual(
      lines.map((l) => [l.line, l.text.length]),
      [
        [1, 2000 * 512],
        [2, 3],
      ],
    );
    assert.ok(copied <= 4 * 2000 * 512, `copied ${copied} bytes for a line of ${2000 * 512}`);
  });
});
