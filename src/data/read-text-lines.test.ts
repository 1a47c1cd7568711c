import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { TextkitError } from "../core/index.ts";
import { readTextLines, type TextLine } from "./read-text-lines.ts";

const dir = mkdtempSync(join(tmpdir(), "textkit-text-lines-"));
after(() => rmSync(dir, { recursive: true, force: true }));

async function read(path: string): Promise<TextLine[]> {
  const out: TextLine[] = [];
  for await (const line of readTextLines(path)) out.push(line);
  return out;
}

describe("readTextLines", () => {
  it("yields trimmed non-blank lines with their numbers, without BOM or CR", async () => {
    const path = join(dir, "a.txt");
    writeFileSync(
      path,
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("first\r\n\r\n  second  \r\n\t\n第三行")]),
    );
    assert.deepEqual(await read(path), [
      { text: "first", line: 1 },
      { text: "second", line: 3 },
      { text: "第三行", line: 5 },
    ]);
  });

  it("does not treat __label__ specially", async () => {
    const path = join(dir, "b.txt");
    writeFileSync(path, "__label__x text\n");
    assert.deepEqual(await read(path), [{ text: "__label__x text", line: 1 }]);
  });

  it("throws DATA_INVALID_UTF8 with the line", async () => {
    const path = join(dir, "c.txt");
    writeFileSync(path, Buffer.concat([Buffer.from("ok\n\nbad "), Buffer.from([0xa3]), Buffer.from("\n")]));
    await assert.rejects(read(path), (error: unknown) => {
      assert.ok(error instanceof TextkitError);
      assert.equal(error.code, "DATA_INVALID_UTF8");
      assert.equal(error.file, path);
      assert.equal(error.line, 3);
      assert.match(error.message, /line 3 is not valid UTF-8 \(byte 0xA3 at byte 5/);
      return true;
    });
  });

  it("throws DATA_FILE_NOT_FOUND", async () => {
    const path = join(dir, "none.txt");
    await assert.rejects(read(path), (error: unknown) => {
      assert.ok(error instanceof TextkitError);
      assert.equal(error.code, "DATA_FILE_NOT_FOUND");
      assert.equal(error.file, path);
      return true;
    });
  });
});
