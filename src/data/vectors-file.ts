/**
 * The `.vec` text format of word vectors, as written by fastText and (without the header)
 * by GloVe: an optional "count dim" line, then one "word v1 ... vdim" line per word.
 */
import { open, rename, stat, unlink } from "node:fs/promises";
import { TextkitError } from "../core/index.ts";
import { blockLines, readLineBlocks } from "./line-blocks.ts";

/** Word vectors as plain data: row `i` of `vectors` (length `dim`) belongs to `words[i]`. */
export interface WordVectors {
  dim: number;
  words: string[];
  /** `words.length * dim` values, row-major. */
  vectors: Float32Array;
}

export interface ReadVecOptions {
  /** Read at most this many words (the first ones in the file, which fastText sorts by frequency). */
  limit?: number;
}

const INTEGER = /^\d+$/;
// ASCII space and tab only: a word may hold any other character, including U+00A0.
const FIELD_SEPARATOR = /[ \t]+/;
// What would split a word in two or end its line early when read back.
const BREAKS_WORD = /[ \t\n\r]/;

/**
 * Reads a `.vec` file (fastText with its "count dim" header, or GloVe without one).
 * A word that appears twice keeps its first vector.
 *
 * @example
 * const wv = await readVecFile("cc.en.300.vec", { limit: 200_000 });
 * wv.vectors.subarray(0, wv.dim); // the vector of wv.words[0]
 */
export async function readVecFile(path: string, options: ReadVecOptions = {}): Promise<WordVectors> {
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  if (!(limit >= 0) || (Number.isFinite(limit) && !Number.isInteger(limit))) {
    throw new TextkitError("OPTION_INVALID", `limit must be a whole number >= 0, got ${limit}`);
  }
  await assertFile(path);

  const words: string[] = [];
  const seen = new Set<string>();
  let vectors: Float32Array = new Float32Array(0);
  let dim = -1;
  let headerCount = -1;
  let wordLines = 0;
  let lastLine = 0;
  let maxRows = limit;
  try {
    // readLineBlocks, as every reader here: the BOM, UTF-8 check, line-length limit and
    // line numbers are those of the other formats, and a line is one slice of a block.
    reading: for await (const block of readLineBlocks(path)) {
      const lines = blockLines(block);
      for (let i = 0; i < lines.length; i++) {
        const lineNo = block.firstLine + i;
        const fields = splitFields(lines[i]!);
        if (fields.length === 0) continue;
        lastLine = lineNo;
        if (dim < 0 && headerCount < 0 && wordLines === 0 && isHeader(fields)) {
          headerCount = Number(fields[0]);
          dim = Number(fields[1]);
          if (dim === 0) throw bad("the header says the vectors have 0 dimensions", path, lineNo);
          maxRows = Math.min(headerCount, limit);
          // a header can lie, so reserve little up front and grow towards what it promised
          vectors = new Float32Array(Math.min(maxRows, 65536) * dim);
          continue;
        }
        if (dim < 0) {
          dim = fields.length - 1;
          if (dim === 0) throw bad(`the line has a word '${fields[0]}' and no values`, path, lineNo);
        }
        if (words.length >= limit) break reading;
        wordLines++;
        if (headerCount >= 0 && wordLines > headerCount) {
          throw bad(`the header says ${headerCount} words, but the file has more`, path, lineNo);
        }
        if (fields.length !== dim + 1) {
          throw bad(`expected a word and ${dim} values, found ${fields.length - 1} values`, path, lineNo);
        }
        const word = fields[0]!;
        if (seen.has(word)) continue;
        seen.add(word);
        const row = words.length;
        if ((row + 1) * dim > vectors.length) vectors = grow(vectors, (row + 1) * dim, maxRows * dim);
        const base = row * dim;
        for (let v = 1; v <= dim; v++) {
          const value = Number(fields[v]);
          if (!Number.isFinite(value)) {
            throw bad(`value ${v} of '${word}' is not a finite number: '${fields[v]}'`, path, lineNo);
          }
          vectors[base + v - 1] = value;
        }
        words.push(word);
      }
    }
  } catch (error) {
    if (error instanceof TextkitError) throw error;
    // Typed arrays too large for memory (a header that promises too much) land here.
    throw new TextkitError("DATA_BAD_VECTORS", `cannot read ${path}: ${(error as Error).message}`, {
      file: path,
      cause: error,
    });
  }

  if (dim < 0) throw new TextkitError("DATA_EMPTY", "the .vec file is empty", { file: path });
  if (headerCount >= 0 && words.length < limit && wordLines < headerCount) {
    throw bad(`the header says ${headerCount} words, but the file has only ${wordLines}`, path, lastLine);
  }
  const size = words.length * dim;
  return { dim, words, vectors: vectors.length === size ? vectors : vectors.slice(0, size) };
}

/**
 * Writes word vectors as a `.vec` file with a "count dim" header. Each value is the shortest
 * decimal that reads back as the same float32. The file appears whole or not at all: it is
 * written under a temporary name, flushed to disk, then renamed.
 *
 * @example
 * await writeVecFile("out.vec", { dim: 2, words: ["a", "b"], vectors: Float32Array.of(1, 0, 0, 1) });
 */
export async function writeVecFile(path: string, wv: WordVectors): Promise<void> {
  checkWritable(wv);
  const tmp = `${path}.tmp-${process.pid}`;
  const handle = await open(tmp, "w").catch((error: NodeJS.ErrnoException) => {
    if (error.code !== "ENOENT") throw error;
    throw new TextkitError("DATA_FILE_NOT_FOUND", `cannot write ${path}: its directory does not exist`, {
      file: path,
      cause: error,
    });
  });
  try {
    const { dim, words, vectors } = wv;
    let chunk = `${words.length} ${dim}\n`;
    for (let w = 0; w < words.length; w++) {
      let line = words[w]!;
      for (let i = w * dim, end = i + dim; i < end; i++) line += ` ${formatFloat32(vectors[i]!)}`;
      chunk += `${line}\n`;
      if (chunk.length >= 1 << 20) {
        await handle.write(chunk);
        chunk = "";
      }
    }
    await handle.write(chunk);
    await handle.sync();
    await handle.close();
    await rename(tmp, path);
  } catch (error) {
    await handle.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    throw error;
  }
}

/**
 * The shortest decimal string that parses back to the same float32 (at most 9 significant
 * digits are ever needed).
 */
function formatFloat32(x: number): string {
  const f = Math.fround(x);
  // Precisions below 6 are covered: toPrecision(6) of a value whose shortest form is shorter
  // only pads zeros, which Number() then drops.
  for (let p = 6; p < 9; p++) {
    const n = Number(f.toPrecision(p));
    if (Math.fround(n) === f) return String(n);
  }
  return String(Number(f.toPrecision(9)));
}

function splitFields(line: string): string[] {
  // A CRLF file leaves "\r" at the end of each line.
  const text = line.charCodeAt(line.length - 1) === 13 ? line.slice(0, -1) : line;
  const fields = text.split(FIELD_SEPARATOR);
  // a leading or trailing separator (fastText ends each line with a space) leaves "" at the ends
  if (fields.length > 0 && fields[fields.length - 1] === "") fields.pop();
  if (fields.length > 0 && fields[0] === "") fields.shift();
  return fields;
}

function isHeader(fields: string[]): boolean {
  return fields.length === 2 && INTEGER.test(fields[0]!) && INTEGER.test(fields[1]!);
}

function grow(vectors: Float32Array, needed: number, cap: number): Float32Array {
  const next = new Float32Array(Math.min(Math.max(needed, vectors.length * 2, 1024), Math.max(cap, needed)));
  next.set(vectors);
  return next;
}

function bad(message: string, file: string, line: number): TextkitError {
  return new TextkitError("DATA_BAD_VECTORS", message, { file, line });
}

async function assertFile(path: string): Promise<void> {
  try {
    const info = await stat(path);
    if (info.isFile()) return;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
      throw new TextkitError("DATA_FILE_NOT_FOUND", `cannot open ${path}: ${(error as Error).message}`, {
        file: path,
        cause: error,
      });
    }
  }
  throw new TextkitError("DATA_FILE_NOT_FOUND", `no file at ${path}`, { file: path });
}

function checkWritable(wv: WordVectors): void {
  const { dim, words, vectors } = wv;
  if (!Number.isInteger(dim) || dim < 1) {
    throw new TextkitError("DATA_BAD_VECTORS", `dim must be a whole number >= 1, got ${dim}`);
  }
  if (vectors.length !== words.length * dim) {
    throw new TextkitError(
      "DATA_BAD_VECTORS",
      `${words.length} words of ${dim} dimensions need ${words.length * dim} values, got ${vectors.length}`,
    );
  }
  for (let w = 0; w < words.length; w++) {
    const word = words[w]!;
    if (word.length === 0 || BREAKS_WORD.test(word)) {
      throw new TextkitError(
        "DATA_BAD_VECTORS",
        `word ${w + 1} (${JSON.stringify(word)}) is empty or holds a space, tab or line break, which a .vec line cannot hold`,
      );
    }
  }
  for (let i = 0; i < vectors.length; i++) {
    if (!Number.isFinite(vectors[i]!)) {
      const w = Math.floor(i / dim);
      throw new TextkitError("DATA_BAD_VECTORS", `the vector of '${words[w]}' holds ${vectors[i]}`);
    }
  }
}
