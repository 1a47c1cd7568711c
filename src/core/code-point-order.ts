/**
 * Orders strings by Unicode code point, as Python's `sorted` does: the order label lists
 * are kept in, and the row order of scikit-learn's reports. JavaScript's
 * default sort compares UTF-16 code units, which puts characters beyond U+FFFF (emoji, rare
 * Han) before U+E000..U+FFFF; code point order is the same in every language and in UTF-8
 * byte order, so label indices agree with other tools.
 *
 * @example
 * ["b", "😀", "\uff01", "a"].sort(compareCodePoints); // ["a", "b", "\uff01", "😀"]
 */
export function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

/** Moves surrogates (0xD800..0xDFFF) above 0xE000..0xFFFF, keeping the order within each range. */
function codePointRank(unit: number): number {
  if (unit < 0xd800) return unit;
  return unit >= 0xe000 ? unit - 0x800 : unit + 0x2000;
}
