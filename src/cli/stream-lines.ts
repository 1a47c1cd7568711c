/**
 * Lines of a byte stream such as standard input, with the rules of src/data's file readers:
 * a UTF-8 BOM is dropped, every line must be valid UTF-8 (the first bad one is named),
 * surrounding whitespace (a CRLF's "\r" too) is trimmed and blank lines are skipped. Files
 * go through src/data; this exists because standard input is not always a path that can be
 * opened (a socket, when a parent process hands over a pipe, cannot).
 */
import { isUtf8 } from "node:buffer";
import { TextkitError } from "../core/index.ts";
import type { TextLine } from "../data/index.ts";

const NEWLINE = 10;
/** The default of src/data's readers (8 MiB): a longer line is nearly always not text. */
const DEFAULT_MAX_LINE_BYTES = 8 * 1024 * 1024;

function stripBom(bytes: Buffer): Buffer {
  return bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf
    ? bytes.subarray(3)
    : bytes;
}

function lineTooLong(name: string, line: number, maxLineBytes: number): TextkitError {
  return new TextkitError(
    "DATA_LINE_TOO_LONG",
    `line ${line} is longer than ${maxLineBytes} bytes without a line break; is this text, one document per line?`,
    { file: name, line, details: { maxLineBytes } },
  );
}

interface Lines {
  lines: TextLine[];
  /** Number of the line after the last one read. */
  next: number;
  /** The first line that is not UTF-8 or is too long; `lines` holds those before it. */
  error: TextkitError | null;
}

/** The non-blank lines of `bytes` (whole lines), numbered from `firstLine`. */
function linesOf(bytes: Buffer, firstLine: number, name: string, maxLineBytes: number): Lines {
  const out: TextLine[] = [];
  let line = firstLine;
  const valid = isUtf8(bytes);
  let start = 0;
  while (start < bytes.length) {
    const newline = bytes.indexOf(NEWLINE, start);
    const end = newline === -1 ? bytes.length : newline;
    if (end - start > maxLineBytes)
      return { lines: out, next: line, error: lineTooLong(name, line, maxLineBytes) };
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
 * Lines are yielded in arrays, one per chunk read. A line longer than `maxLineBytes` is
 * DATA_LINE_TOO_LONG naming it.
 *
 * @example
 * for await (const batch of readStreamLines(process.stdin, "<stdin>")) console.log(batch.length);
 */
export async function* readStreamLines(
  source: AsyncIterable<Uint8Array | string>,
  name: string,
  maxLineBytes = DEFAULT_MAX_LINE_BYTES,
): AsyncGenerator<TextLine[]> {
  // The unfinished last line, in pieces: joining it at every chunk copied a long line once
  // per chunk (issue 15), where joining it when it ends copies it once.
  let carry: Buffer[] = [];
  let carryBytes = 0;
  let atStart = true;
  let line = 1;
  for await (const chunk of source) {
    let bytes: Buffer = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : Buffer.from(chunk);
    if (atStart) {
      if (carryBytes + bytes.length < 3) {
        carry.push(bytes);
        carryBytes += bytes.length;
        continue;
      }
      bytes = stripBom(carryBytes === 0 ? bytes : Buffer.concat([...carry, bytes]));
      carry = [];
      carryBytes = 0;
      atStart = false;
    }
    const last = bytes.lastIndexOf(NEWLINE);
    if (last === -1) {
      carry.push(bytes);
      carryBytes += bytes.length;
      if (carryBytes > maxLineBytes) throw lineTooLong(name, line, maxLineBytes);
      continue;
    }
    if (carryBytes > 0 && carryBytes + bytes.indexOf(NEWLINE) > maxLineBytes) {
      throw lineTooLong(name, line, maxLineBytes);
    }
    const head = bytes.subarray(0, last + 1);
    const whole = carryBytes === 0 ? head : Buffer.concat([...carry, head]);
    carry = last + 1 < bytes.length ? [bytes.subarray(last + 1)] : [];
    carryBytes = bytes.length - last - 1;
    const read = linesOf(whole, line, name, maxLineBytes);
    if (read.lines.length > 0) yield read.lines;
    if (read.error !== null) throw read.error;
    line = read.next;
    if (carryBytes > maxLineBytes) throw lineTooLong(name, line, maxLineBytes);
  }
  let tail = carry.length === 1 ? carry[0]! : Buffer.concat(carry);
  if (atStart) tail = stripBom(tail);
  if (tail.length > 0) {
    const read = linesOf(tail, line, name, maxLineBytes);
    if (read.lines.length > 0) yield read.lines;
    if (read.error !== null) throw read.error;
  }
}
