/** Scratch tagged files and readable views of tagged sentences, for the tagged readers' tests. */
import assert from "node:assert/strict";
import type { TaggedSentence } from "../../src/data/index.ts";
import { type ScratchFiles, scratchFiles } from "./data-files.ts";

/** Writers of scratch CoNLL and JSONL files (removed after the test file). */
export function taggedScratch(): {
  files: ScratchFiles;
  conll: (content: string | Buffer) => string;
  jsonl: (content: string | Buffer) => string;
} {
  const files = scratchFiles("tagged");
  return {
    files,
    conll: (content) => files.write(".conll", content),
    jsonl: (content) => files.write(".jsonl", content),
  };
}

export const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** Tokens and tags of each sentence, as "token/TAG" strings: easy to read in a failure. */
export const pairs = (sentences: TaggedSentence[]): string[][] =>
  sentences.map((s) => s.tokens.map((token, i) => `${token}/${s.tags[i]}`));

/** Every token is text.slice(start, end). */
export function assertOffsets(sentences: TaggedSentence[]): void {
  for (const s of sentences) {
    assert.equal(s.starts.length, s.tokens.length);
    assert.equal(s.ends.length, s.tokens.length);
    assert.equal(s.tags.length, s.tokens.length);
    for (let i = 0; i < s.tokens.length; i++) assert.equal(s.text.slice(s.starts[i], s.ends[i]), s.tokens[i]);
  }
}
