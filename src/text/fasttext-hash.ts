/**
 * fastText's own feature hashing, bit for bit, for models imported from fastText: FNV-1a
 * over UTF-8 bytes where each byte is sign-extended first (fastText hashes `int8_t`
 * characters), character n-grams counted in UTF-8 characters, and word n-grams mixed in
 * 64-bit arithmetic from sign-extended 32-bit word hashes (Dictionary::hash,
 * computeSubwords and addWordNgrams in fastText's dictionary.cc). textkit's own hashing
 * (hash.ts) differs on purpose: it skips the UTF-8 step.
 */
import { FNV_OFFSET, FNV_PRIME } from "./hash.ts";

const utf8 = new TextEncoder();

/** fastText's hash of UTF-8 bytes [start, end), as a signed 32-bit integer (as fastText stores it). */
export function fastTextHashBytes(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let h = FNV_OFFSET | 0;
  for (let i = start; i < end; i++) h = Math.imul(h ^ ((bytes[i]! << 24) >> 24), FNV_PRIME);
  return h | 0;
}

/**
 * fastText's hash of a word, as a signed 32-bit integer.
 *
 * @example
 * fastTextHash("</s>") >>> 0; // the unsigned value fastText computes for its end-of-line token
 */
export function fastTextHash(word: string): number {
  return fastTextHashBytes(utf8.encode(word));
}

/**
 * Pushes the bucket of every character n-gram of `<word>` whose length in UTF-8 characters
 * is in [minn, maxn]; single boundary marks are left out, as fastText does.
 */
export function fastTextCharNgrams(
  word: string,
  minn: number,
  maxn: number,
  bucket: number,
  out: number[],
): void {
  if (maxn <= 0 || bucket <= 0) return;
  const bytes = utf8.encode(`<${word}>`);
  const size = bytes.length;
  for (let i = 0; i < size; i++) {
    if ((bytes[i]! & 0xc0) === 0x80) continue;
    let j = i;
    for (let n = 1; j < size && n <= maxn; n++) {
      j++;
      while (j < size && (bytes[j]! & 0xc0) === 0x80) j++;
      if (n >= minn && !(n === 1 && (i === 0 || j === size))) {
        out.push((fastTextHashBytes(bytes, i, j) >>> 0) % bucket);
      }
    }
  }
}

const MASK64 = (1n << 64n) - 1n;
const NGRAM_PRIME = 116049371n;

/**
 * Pushes the bucket of every word n-gram (2..n words) of a line, from its words' signed
 * 32-bit hashes: fastText widens each hash to 64 bits with its sign and mixes in uint64.
 */
export function fastTextWordNgrams(
  hashes: readonly number[],
  n: number,
  bucket: number,
  out: number[],
): void {
  if (n <= 1 || bucket <= 0) return;
  const b = BigInt(bucket);
  for (let i = 0; i < hashes.length; i++) {
    let h = BigInt(hashes[i]!) & MASK64;
    for (let j = i + 1; j < hashes.length && j < i + n; j++) {
      h = (h * NGRAM_PRIME + (BigInt(hashes[j]!) & MASK64)) & MASK64;
      out.push(Number(h % b));
    }
  }
}

/** The characters fastText splits words on (Dictionary::readWord). */
const FASTTEXT_SPACE = /[ \n\r\t\v\f\0]+/;

/**
 * The words fastText reads in one line of text, without its labels (`__label__` words) and
 * without the end-of-line token, which the featurizer adds.
 */
export function fastTextWords(text: string, labelPrefix = "__label__"): string[] {
  const out: string[] = [];
  for (const word of text.split(FASTTEXT_SPACE)) {
    if (word.length > 0 && !word.startsWith(labelPrefix)) out.push(word);
  }
  return out;
}
