/**
 * Reads a file as blocks of whole lines that are known to be valid UTF-8. Every reader in
 * this folder goes through here, so the BOM, the check of the encoding and the line an
 * error names are the same for every format, and no file is ever held in one string.
 */
import { isUtf8 } from "node:buffer";
import { open } from "node:fs/promises";
import { TextDecoder } from "node:util";
import { TextkitError } from "../core/index.ts";
import { checkEncoding } from "./example.ts";

/** A run of whole lines. */
export interface LineBlock {
  /** Valid UTF-8 without the file's BOM; ends with "\n" unless it holds the file's last line. */
  bytes: Buffer;
  /** 1-based line number of the first line in `bytes`. */
  firstLine: number;
}

/**
 * The lines of a block as strings, without their "\n" (a "\r" of CRLF stays, for the format
 * to drop with the rest of the whitespace).
 */
export function blockLines(block: LineBlock): string[] {
  const lines = block.bytes.toString("utf8").split("\n");
  // A block ends with "\n" except at the end of the file, and that "\n" leaves an empty piece.
  if (lines.at(-1) === "") lines.pop();
  return lines;
}

/**
 * Longest line (or CSV record) accepted by default, 8 MiB: longer ones are nearly always a
 * wrong format, a file without line breaks or an unclosed quote, and a reader holds a line
 * whole, so the limit also bounds its memory. Readers take `maxRecordBytes` to raise it.
 */
export const DEFAULT_MAX_RECORD_BYTES = 8 * 1024 * 1024;

// Blocks stay below V8's large-object threshold (about 128 KiB), so that decoding a block
// makes an ordinary heap string: 1 MiB blocks decoded ten times slower in a measurement.
const CHUNK_BYTES = 64 * 1024;
const NEWLINE = 10;

/**
 * Opens `path` for reading, turning the ways a person can get the path wrong into
 * DATA_FILE_NOT_FOUND.
 */
async function openFile(path: string) {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, "r");
  } catch (error) {
    const code = error instanceof Error && "code" in error ? error.code : undefined;
    const reason =
      code === "ENOENT" || code === "ENOTDIR"
        ? "does not exist; the path is resolved from the current directory"
        : code === "EACCES" || code === "EPERM"
          ? "cannot be read (permission denied)"
          : `cannot be opened (${String(code ?? error)})`;
    throw new TextkitError("DATA_FILE_NOT_FOUND", `${path} ${reason}`, { file: path, cause: error });
  }
  // Anything but a directory: pipes such as /dev/stdin stream as well as files do.
  const stats = await handle.stat();
  if (stats.isDirectory()) {
    await handle.close();
    throw new TextkitError("DATA_FILE_NOT_FOUND", `${path} is a directory, not a data file`, { file: path });
  }
  return handle;
}

/**
 * Streams `path` as blocks of whole lines. Throws DATA_INVALID_UTF8 naming the first bad
 * line, after yielding every line before it, so that a reader reports errors in file order.
 * With an `encoding` other than UTF-8 (as TextDecoder names it), each block is decoded from
 * it and handed on as UTF-8; lines are still split at the byte 0x0A, which is a line break
 * and nothing else in Latin-1, the Windows code pages, GBK, Big5 and Shift_JIS.
 *
 * @example
 * for await (const block of readLineBlocks("train.txt")) console.log(block.firstLine, block.bytes.length);
 */
export async function* readLineBlocks(
  path: string,
  maxLineBytes: number = DEFAULT_MAX_RECORD_BYTES,
  encoding?: string,
): AsyncGenerator<LineBlock> {
  const decoder = encoding === undefined ? null : otherDecoder(encoding);
  const check = (bytes: Buffer, firstLine: number): Checked =>
    decoder === null ? checkUtf8(bytes, firstLine, path) : decodeLines(bytes, firstLine, path, decoder);
  const handle = await openFile(path);
  const stream = handle.createReadStream({ highWaterMark: CHUNK_BYTES });
  // The unfinished last line of what was read so far, in pieces, so that a long line costs
  // one concatenation when it ends rather than one per chunk.
  let carry: Buffer[] = [];
  let carryBytes = 0;
  let line = 1;
  let atStart = true;
  try {
    for await (const chunk of stream) {
      let buffer: Buffer = chunk;
      if (atStart) {
        if (carryBytes + buffer.length < 3) {
          carry.push(buffer);
          carryBytes += buffer.length;
          continue;
        }
        if (carryBytes > 0) buffer = Buffer.concat([...carry, buffer]);
        carry = [];
        carryBytes = 0;
        buffer = stripBom(buffer);
        atStart = false;
      }
      const lastNewline = buffer.lastIndexOf(NEWLINE);
      if (lastNewline === -1) {
        carry.push(buffer);
        carryBytes += buffer.length;
        if (carryBytes > maxLineBytes) throw lineTooLong(path, line, maxLineBytes);
        continue;
      }
      // The carried line ends in this read: its length is known before anything is joined.
      if (carryBytes > 0 && carryBytes + buffer.indexOf(NEWLINE) > maxLineBytes) {
        throw lineTooLong(path, line, maxLineBytes);
      }
      // Lines inside one read are shorter than a read, so only a small limit needs a look at them.
      if (maxLineBytes < CHUNK_BYTES) {
        const from = carryBytes === 0 ? 0 : buffer.indexOf(NEWLINE) + 1;
        const long = longLineIn(buffer, from, lastNewline, maxLineBytes);
        if (long !== -1)
          throw lineTooLong(path, line + countNewlines(buffer.subarray(0, long)), maxLineBytes);
      }
      const end = lastNewline + 1;
      const head =
        carryBytes === 0 ? buffer.subarray(0, end) : Buffer.concat([...carry, buffer.subarray(0, end)]);
      carry = end < buffer.length ? [buffer.subarray(end)] : [];
      carryBytes = buffer.length - end;
      const checked = check(head, line);
      if (checked.valid !== null) yield checked.valid;
      if (checked.error !== null) throw checked.error;
      line = checked.nextLine;
      if (carryBytes > maxLineBytes) throw lineTooLong(path, line, maxLineBytes);
    }
    if (carryBytes > 0) {
      let tail: Buffer = Buffer.concat(carry);
      if (atStart) tail = stripBom(tail);
      if (tail.length > 0) {
        const checked = check(tail, line);
        if (checked.valid !== null) yield checked.valid;
        if (checked.error !== null) throw checked.error;
      }
    }
  } finally {
    // Also runs when a consumer stops early, so the file descriptor never leaks.
    stream.destroy();
  }
}

/** A decoder for `encoding`, or null for UTF-8 (read as it is, with its own checks). */
function otherDecoder(encoding: string): TextDecoder | null {
  const decoder = new TextDecoder(checkEncoding(encoding), { fatal: true });
  return decoder.encoding === "utf-8" ? null : decoder;
}

/** Whole lines in another encoding, as UTF-8; DATA_BAD_ENCODING names the first line that is not valid in it. */
function decodeLines(bytes: Buffer, firstLine: number, path: string, decoder: TextDecoder): Checked {
  const nextLine = firstLine + countNewlines(bytes);
  try {
    return { valid: { bytes: Buffer.from(decoder.decode(bytes), "utf8"), firstLine }, error: null, nextLine };
  } catch {
    // Only to word the error: find the first line that does not decode.
    let start = 0;
    let line = firstLine;
    for (;;) {
      const newline = bytes.indexOf(NEWLINE, start);
      const end = newline === -1 ? bytes.length : newline + 1;
      try {
        decoder.decode(bytes.subarray(start, end));
      } catch (cause) {
        const error = new TextkitError(
          "DATA_BAD_ENCODING",
          `line ${line} is not valid ${decoder.encoding}; check the file's encoding (--encoding)`,
          { file: path, line, cause },
        );
        const valid =
          start > 0
            ? { bytes: Buffer.from(decoder.decode(bytes.subarray(0, start)), "utf8"), firstLine }
            : null;
        return { valid, error, nextLine: line };
      }
      start = end;
      line++;
    }
  }
}

function stripBom(buffer: Buffer): Buffer {
  return buffer.length >= 3 && buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf
    ? buffer.subarray(3)
    : buffer;
}

/** Where the first line of `bytes[from..lastNewline]` longer than `maxLineBytes` starts; -1 when none is. */
function longLineIn(bytes: Buffer, from: number, lastNewline: number, maxLineBytes: number): number {
  let start = from;
  while (start <= lastNewline) {
    const newline = bytes.indexOf(NEWLINE, start);
    if (newline - start > maxLineBytes) return start;
    start = newline + 1;
  }
  return -1;
}

/** The byte count as a person reads it: "8 MiB", "1000 bytes". */
function describeBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

function lineTooLong(path: string, line: number, maxLineBytes: number): TextkitError {
  return new TextkitError(
    "DATA_LINE_TOO_LONG",
    `line ${line} is longer than ${describeBytes(maxLineBytes)} without a line break, the most one line may hold; is this a text data file in the format you chose?`,
    { file: path, line, details: { maxLineBytes } },
  );
}

interface Checked {
  valid: LineBlock | null;
  error: TextkitError | null;
  nextLine: number;
}

function countNewlines(bytes: Buffer): number {
  let count = 0;
  let at = bytes.indexOf(NEWLINE);
  while (at !== -1) {
    count++;
    at = bytes.indexOf(NEWLINE, at + 1);
  }
  return count;
}

/**
 * Validates whole lines in one native call; only when that fails does it look line by line
 * for the first bad one. A "\n" byte is never part of a multi-byte sequence, so lines can
 * be checked separately.
 */
function checkUtf8(bytes: Buffer, firstLine: number, path: string): Checked {
  if (isUtf8(bytes)) {
    return { valid: { bytes, firstLine }, error: null, nextLine: firstLine + countNewlines(bytes) };
  }
  let start = 0;
  let line = firstLine;
  for (;;) {
    const newline = bytes.indexOf(NEWLINE, start);
    const end = newline === -1 ? bytes.length : newline + 1;
    const lineBytes = bytes.subarray(start, end);
    if (!isUtf8(lineBytes)) {
      const column = firstInvalidUtf8Byte(lineBytes);
      const byte = (lineBytes[column] ?? 0).toString(16).toUpperCase().padStart(2, "0");
      const error = new TextkitError(
        "DATA_INVALID_UTF8",
        `line ${line} is not valid UTF-8 (byte 0x${byte} at byte ${column + 1} of the line); the file is probably in another encoding such as GBK or Latin-1: convert it to UTF-8, or name its encoding (--encoding latin1)`,
        { file: path, line, details: { byteInLine: column + 1 } },
      );
      return {
        valid: start > 0 ? { bytes: bytes.subarray(0, start), firstLine } : null,
        error,
        nextLine: line,
      };
    }
    start = end;
    line++;
  }
}

/**
 * Index of the first byte that breaks UTF-8 (RFC 3629: no overlongs, no surrogates, nothing
 * above U+10FFFF). Only used to word an error, so clarity beats speed.
 */
export function firstInvalidUtf8Byte(bytes: Uint8Array): number {
  let i = 0;
  for (let b = bytes[i]; b !== undefined; b = bytes[i]) {
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b < 0x80) {
      i++;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0;
      if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f;
    } else {
      return i;
    }
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined) return i;
      if (k === 1 ? c < lo || c > hi : c < 0x80 || c > 0xbf) return i;
    }
    i += need + 1;
  }
  return bytes.length;
}
