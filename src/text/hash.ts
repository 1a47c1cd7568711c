/**
 * Feature hashing. FNV-1a over UTF-16 code units: fast in JavaScript (no UTF-8 encoding
 * step), stable across platforms, and good enough to spread n-grams over buckets.
 */

export const FNV_OFFSET = 0x811c9dc5;
export const FNV_PRIME = 0x01000193;

/** 32-bit FNV-1a hash of a string, as an unsigned integer. */
export function fnv1a(text: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < text.length; i++) {
    h = Math.imul(h ^ text.charCodeAt(i), FNV_PRIME);
  }
  return h >>> 0;
}

/** Mixes the hash of the next word into the hash of a word n-gram (order matters). */
export function combineHash(h: number, next: number): number {
  return (Math.imul(h, 116049371) + next) >>> 0;
}

/**
 * Pushes the hash of every character n-gram of `<word>` with length in [minn, maxn]
 * onto `out`. The boundary marks alone ("<", ">") are not n-grams. Works on code points,
 * so a character outside the BMP counts as one character.
 *
 * @example
 * const out: number[] = [];
 * charNgramHashes("ab", 2, 3, out); // hashes of "<a", "<ab", "ab", "ab>", "b>"
 */
export function charNgramHashes(word: string, minn: number, maxn: number, out: number[]): void {
  if (minn <= 0 || maxn < minn) return;
  // code points of "<word>"
  const cps = CODEPOINT_SCRATCH;
  let n = 0;
  cps[n++] = 60; // "<"
  for (let i = 0; i < word.length; i++) {
    const c = word.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < word.length) {
      const d = word.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        if (n >= cps.length - 1) break;
        cps[n++] = ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
        i++;
        continue;
      }
    }
    if (n >= cps.length - 1) break;
    cps[n++] = c;
  }
  cps[n++] = 62; // ">"
  for (let i = 0; i < n; i++) {
    let h = FNV_OFFSET;
    for (let j = i, len = 1; j < n && len <= maxn; j++, len++) {
      h = Math.imul(h ^ cps[j]!, FNV_PRIME);
      if (len >= minn && !(len === 1 && (i === 0 || j === n - 1))) out.push(h >>> 0);
    }
  }
}

// Words longer than this are cut for n-gram purposes; nobody's word is 1,000 characters.
const CODEPOINT_SCRATCH = new Int32Array(1024);
