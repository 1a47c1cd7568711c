import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { TextkitError } from "../core/index.ts";
import { readVecFile, type WordVectors, writeVecFile } from "./vectors-file.ts";

const dir = mkdtempSync(join(tmpdir(), "textkit-vec-"));
after(() => rmSync(dir, { recursive: true, force: true }));

let fileNo = 0;
function file(content: string | Buffer): string {
  const path = join(dir, `f${fileNo++}.vec`);
  writeFileSync(path, content);
  return path;
}

async function rejects(
  promise: Promise<unknown>,
  code: string,
  path: string | undefined,
  line: number | undefined,
  message: RegExp,
): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof TextkitError, `expected a TextkitError, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.equal(error.file, path);
    assert.equal(error.line, line);
    assert.match(error.message, message);
    return true;
  });
}

describe("readVecFile", () => {
  it("reads a fastText file with a header, trailing spaces and CRLF line ends", async () => {
    const path = file("2 3\r\nhello 0.5 -1 2e-3 \r\nworld 1 2 3 \r\n");
    const wv = await readVecFile(path);
    assert.equal(wv.dim, 3);
    assert.deepEqual(wv.words, ["hello", "world"]);
    assert.deepEqual(wv.vectors, Float32Array.of(0.5, -1, 0.002, 1, 2, 3));
  });

  it("reads a GloVe file without a header and infers the dimension from the first line", async () => {
    const path = file("the 0.1 0.2\n, -0.3 0.4\n\n");
    const wv = await readVecFile(path);
    assert.equal(wv.dim, 2);
    assert.deepEqual(wv.words, ["the", ","]);
    assert.deepEqual(wv.vectors, Float32Array.of(0.1, 0.2, -0.3, 0.4));
  });

  it("takes a first line of two integers as the header, and a word that is a number otherwise", async () => {
    const wv = await readVecFile(file("3 1\n7 1.5\n8 2\n9 3\n"));
    assert.equal(wv.dim, 1);
    assert.deepEqual(wv.words, ["7", "8", "9"]);
  });

  it("keeps the first vector of a word that appears twice", async () => {
    const wv = await readVecFile(file("3 2\na 1 1\nb 2 2\na 3 3\n"));
    assert.deepEqual(wv.words, ["a", "b"]);
    assert.deepEqual(wv.vectors, Float32Array.of(1, 1, 2, 2));
  });

  it("stops after `limit` words and does not check the rest of the file", async () => {
    const path = file("4 2\na 1 1\nb 2 2\nc oops\n");
    const wv = await readVecFile(path, { limit: 2 });
    assert.deepEqual(wv.words, ["a", "b"]);
    assert.deepEqual(wv.vectors, Float32Array.of(1, 1, 2, 2));
    const none = await readVecFile(path, { limit: 0 });
    assert.deepEqual(none, { dim: 2, words: [], vectors: new Float32Array(0) });
  });

  it("refuses a missing file", async () => {
    const path = join(dir, "missing.vec");
    await rejects(readVecFile(path), "DATA_FILE_NOT_FOUND", path, undefined, /no file at .*missing\.vec/);
  });

  it("refuses a line with too few or too many values, giving its line number", async () => {
    const short = file("2 3\na 1 2 3\nb 1 2\n");
    await rejects(readVecFile(short), "DATA_BAD_VECTORS", short, 3, /expected a word and 3 values, found 2/);
    const long = file("a 1 2\nb 1 2\nc 1 2 3\n");
    await rejects(readVecFile(long), "DATA_BAD_VECTORS", long, 3, /expected a word and 2 values, found 3/);
  });

  it("reads through the shared line reader: bad UTF-8 and over-long lines name their line (issue 15)", async () => {
    // readline replaced bad bytes with U+FFFD and held a line of any length.
    const latin1 = file(
      Buffer.concat([Buffer.from("2 2\nok 1 2\ncaf"), Buffer.from([0xe9]), Buffer.from(" 3 4\n")]),
    );
    await rejects(readVecFile(latin1), "DATA_INVALID_UTF8", latin1, 3, /line 3 is not valid UTF-8/);
    const long = file(`1 2\n${"w".repeat(8 * 1024 * 1024 + 1)} 1 2\n`);
    await rejects(readVecFile(long), "DATA_LINE_TOO_LONG", long, 2, /line 2 is longer than 8 MiB/);
    // CRLF, a BOM and blank lines read as before.
    const crlf = file("\ufeff2 2\r\n\r\na 1 2 \r\nb 3 4\r\n");
    const wv = await readVecFile(crlf);
    assert.deepEqual(wv.words, ["a", "b"]);
    assert.deepEqual([...wv.vectors], [1, 2, 3, 4]);
  });

  it("refuses a value that is not a number", async () => {
    const path = file("2 2\na 1 2\nb 1 x2\n");
    await rejects(
      readVecFile(path),
      "DATA_BAD_VECTORS",
      path,
      3,
      /value 2 of 'b' is not a finite number: 'x2'/,
    );
    const nan = file("a NaN 1\n");
    await rejects(readVecFile(nan), "DATA_BAD_VECTORS", nan, 1, /value 1 of 'a' is not a finite number/);
  });

  it("refuses a file with more or fewer words than its header says", async () => {
    const more = file("1 2\na 1 2\nb 3 4\n");
    await rejects(
      readVecFile(more),
      "DATA_BAD_VECTORS",
      more,
      3,
      /header says 1 words, but the file has more/,
    );
    const fewer = file("3 2\na 1 2\nb 3 4\n\n");
    await rejects(
      readVecFile(fewer),
      "DATA_BAD_VECTORS",
      fewer,
      3,
      /header says 3 words, but the file has only 2/,
    );
  });

  it("refuses a header of 0 dimensions, a word without values, and an empty file", async () => {
    const zero = file("2 0\n");
    await rejects(readVecFile(zero), "DATA_BAD_VECTORS", zero, 1, /0 dimensions/);
    const lonely = file("\nword\n");
    await rejects(readVecFile(lonely), "DATA_BAD_VECTORS", lonely, 2, /word 'word' and no values/);
    const empty = file("");
    await rejects(readVecFile(empty), "DATA_EMPTY", empty, undefined, /empty/);
  });
});

describe("writeVecFile", () => {
  it("round-trips random float32 vectors exactly", async () => {
    const words = ["a", "b", "中文", "don't", "x\u00a0y"];
    const dim = 7;
    const vectors = new Float32Array(words.length * dim);
    let seed = 12345;
    for (let i = 0; i < vectors.length; i++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      // spread over many magnitudes and both signs
      vectors[i] = (seed / 2 ** 32 - 0.5) * 10 ** ((i % 9) - 4);
    }
    vectors[3] = 0;
    vectors[4] = 3.4028234663852886e38; // largest float32
    vectors[5] = 1.401298464324817e-45; // smallest subnormal float32
    const path = join(dir, "round.vec");
    await writeVecFile(path, { dim, words, vectors });
    const back = await readVecFile(path);
    assert.equal(back.dim, dim);
    assert.deepEqual(back.words, words);
    assert.deepEqual(back.vectors, vectors);
    assert.equal(readFileSync(path, "utf8").split("\n")[0], `${words.length} ${dim}`);
  });

  it("writes the shortest decimal that reads back as the same float32", async () => {
    const path = join(dir, "short.vec");
    await writeVecFile(path, { dim: 4, words: ["w"], vectors: Float32Array.of(0.1, 0.5, -2, 1e-7) });
    // Float32Array holds 0.1 as 0.100000001490116..., which "0.1" still reads back as.
    assert.equal(readFileSync(path, "utf8"), "1 4\nw 0.1 0.5 -2 1e-7\n");
  });

  it("leaves no temporary file behind and replaces an existing file", async () => {
    const sub = mkdtempSync(join(dir, "atomic-"));
    const path = join(sub, "out.vec");
    writeFileSync(path, "old content");
    await writeVecFile(path, { dim: 1, words: ["a"], vectors: Float32Array.of(1) });
    assert.deepEqual(readdirSync(sub), ["out.vec"]);
    assert.equal(readFileSync(path, "utf8"), "1 1\na 1\n");
  });

  it("refuses vectors it could not read back, and leaves the old file in place", async () => {
    const sub = mkdtempSync(join(dir, "refuse-"));
    const path = join(sub, "out.vec");
    writeFileSync(path, "old content");
    const cases: [WordVectors, RegExp][] = [
      [
        { dim: 2, words: ["a b"], vectors: Float32Array.of(1, 2) },
        /word 1 \("a b"\) is empty or holds a space/,
      ],
      [{ dim: 2, words: ["a", ""], vectors: new Float32Array(4) }, /word 2 \(""\) is empty/],
      [
        { dim: 2, words: ["a"], vectors: new Float32Array(3) },
        /1 words of 2 dimensions need 2 values, got 3/,
      ],
      [{ dim: 0, words: [], vectors: new Float32Array(0) }, /dim must be a whole number >= 1/],
      [{ dim: 1, words: ["a", "b"], vectors: Float32Array.of(1, Number.NaN) }, /the vector of 'b' holds NaN/],
    ];
    for (const [wv, message] of cases) {
      await rejects(writeVecFile(path, wv), "DATA_BAD_VECTORS", undefined, undefined, message);
    }
    assert.deepEqual(readdirSync(sub), ["out.vec"]);
    assert.equal(readFileSync(path, "utf8"), "old content");
  });

  it("refuses a path whose directory does not exist", async () => {
    const path = join(dir, "no-such-dir", "out.vec");
    await rejects(
      writeVecFile(path, { dim: 1, words: ["a"], vectors: Float32Array.of(1) }),
      "DATA_FILE_NOT_FOUND",
      path,
      undefined,
      /directory does not exist/,
    );
  });
});
