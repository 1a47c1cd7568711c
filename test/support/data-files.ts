/**
 * Shared by the data readers' tests: a scratch directory of small files, reading every
 * example of a file, and the check of a coded error's code, file, line and message.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after } from "node:test";
import { TextkitError } from "../../src/core/errors.ts";
import type { Example, ReadOptions } from "../../src/data/example.ts";
import { readExamples } from "../../src/data/read-examples.ts";

export interface ScratchFiles {
  path: string;
  /** Writes a new file with this extension (".csv") and returns its path. */
  write(extension: string, content: string | Buffer): string;
}

/** A temporary directory, removed after the test file's tests. */
export function scratchFiles(prefix: string): ScratchFiles {
  const path = mkdtempSync(join(tmpdir(), `textkit-${prefix}-`));
  after(() => rmSync(path, { recursive: true, force: true }));
  let count = 0;
  return {
    path,
    write(extension, content) {
      const file = join(path, `f${count++}${extension}`);
      writeFileSync(file, content);
      return file;
    },
  };
}

/** Every example of a file, in order. */
export async function readAll(path: string, options?: ReadOptions): Promise<Example[]> {
  const out: Example[] = [];
  for await (const example of readExamples(path, options)) out.push(example);
  return out;
}

/** For assert.rejects/throws: a TextkitError with this code, file, line (undefined: about the whole file) and message. */
export function isCodedError(
  code: string,
  file: string | undefined,
  line: number | undefined,
  message: RegExp,
) {
  return (error: unknown): boolean => {
    assert.ok(error instanceof TextkitError, `expected a TextkitError, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.equal(error.file, file);
    assert.equal(error.line, line);
    assert.match(error.message, message);
    return true;
  };
}
