/**
 * Lines of a byte stream such as standard input, with the rules of src/data's file readers:
 * a UTF-8 BOM is dropped, every line must be valid UTF-8 (the first bad one is named),
 * surrounding whitespace (a CRLF's "\r" too) is trimmed and blank lines are skipped. Files
 * go through src/data; this exists because standard input is not always a path that can be
 * opened (a socket, when a parent process hands over a pipe, cannot).
 */
import { isUtf8 } from "node:buffer";
import { TextkitError } from "../core/errors.ts";
import type { TextLine } from "../data/index.ts";

const NEWLINE = 10;
const DEFAULT_MAX_LINE_BYTES = 64 * 1024 * 1024;

function stripBom(bytes: Buffer): Buffer {
  return bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf
    ? bytes.subarray(3)
    : bytes;
}

interface Lines {
  lines: TextLine[];
  /** Number of the line after the last one read. */
  next: number;
  /** The first line that is not UTF-8; `lines` holds those before it. */
  error: TextkitError | null;
}

/** The non-blank lines of `bytes` (whole lines), numbered from `firstLine`. */
function linesOf(bytes: Buffer, firstLine: number, name: string): Lines {
  const out: TextLine[] = [];
  let line = firstLine;
  const valid = isUtf8(bytes);
  let start = 0;
  while (start < bytes.length) {
    const newline = bytes.indexOf(NEWLINE, start);
    const end = newline === -1 ? bytes.length : newline;
    const piece = bytes.subarray(start, end);
    if (!valid && !isUtf8(piece)) {
      const error = new TextkitError(
        "DATA_INVALID_UTF8",
        `line ${line} is not valid UTF-8; the input is probably in another encoding such as GBK or Latin-1: convert it to UTF-8`,
        { file: name, line },
      );
      return { lines: out, next: line, error };
    }
    const text = piece.toString("utf8").trim();
    if (text.length > 0) out.push({ text, line });
    line++;
    start = end + 1;
  }
  return { lines: out, next: line, error: null };
}

/**
 * Streams the non-blank lines of a byte stream, trimmed, each with its 1-based line number.
 * Lines are yielded in arrays, one per chunk read.
 *
 * @example
 * for await (const batch of readStreamLines(process.stdin, "<stdin>")) console.log(batch.length);
 */
export async function* readStreamLines(
  source: AsyncIterable<Uint8Array | string>,
  name: string,
  maxLineBytes = DEFAULT_MAX_LINE_BYTES,
): AsyncGenerator<TextLine[]> {
  let carry: Buffer = Buffer.alloc(0);
  let atStart = true;
  let line = 1;
  for await (const chunk of source) {
    const bytes = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : Buffer.from(chunk);
    let buffer: Buffer = carry.length === 0 ? bytes : Buffer.concat([carry, bytes]);
    if (atStart) {
      if (buffer.length < 3) {
        carry = buffer;
        continue;
      }
      buffer = stripBom(buffer);
      atStart = false;
    }
    const last = buffer.lastIndexOf(NEWLINE);
    if (last === -1) {
      carry = buffer;
    } else {
      carry = buffer.subarray(last + 1);
      const read = linesOf(buffer.subarray(0, last + 1), line, name);
      if (read.lines.length > 0) yield read.lines;
      if (read.error !== null) throw read.error;
      line = read.next;
    }
    if (carry.length > maxLineBytes) {
      throw new TextkitError(
        "DATA_BAD_ROW",
        `line ${line} is longer than ${maxLineBytes} bytes without a line break; is this text, one document per line?`,
        { file: name, line },
      );
    }
  }
  if (atStart) carry = stripBom(carry);
  if (carry.length > 0) {
    const read = linesOf(carry, line, name);
    if (read.lines.length > 0) yield read.lines;
    if (read.error !== null) throw read.error;
  }
}
