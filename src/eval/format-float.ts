/**
 * Python's `format(x, ".{digits}f")`, digit for digit. Python rounds the exact binary
 * value of a double half to even, while `Number.prototype.toFixed` rounds exact ties
 * up (0.125 gives "0.13" in JS, "0.12" in Python), so reports would differ from
 * scikit-learn's on values such as 1/8 or 5/8. Exact BigInt arithmetic avoids both
 * the tie rule and toFixed's 100-digit and 1e21 limits.
 *
 * @example
 * formatFixed(0.125, 2); // "0.12"
 * formatFixed(0.375, 2); // "0.38"
 */
export function formatFixed(x: number, digits: number): string {
  if (Number.isNaN(x)) return "nan";
  if (x === Number.POSITIVE_INFINITY) return "inf";
  if (x === Number.NEGATIVE_INFINITY) return "-inf";
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const negative = bits >> 63n === 1n;
  const biasedExponent = Number((bits >> 52n) & 0x7ffn);
  let mantissa = bits & 0xfffffffffffffn;
  // x = mantissa * 2^exponent exactly; subnormals have no implicit leading bit
  let exponent = -1074;
  if (biasedExponent !== 0) {
    mantissa |= 1n << 52n;
    exponent = biasedExponent - 1075;
  }
  const scale = 10n ** BigInt(digits);
  let units: bigint;
  if (exponent >= 0) {
    units = (mantissa << BigInt(exponent)) * scale;
  } else {
    const shift = BigInt(-exponent);
    const scaled = mantissa * scale;
    units = scaled >> shift;
    const remainder = scaled - (units << shift);
    const half = 1n << (shift - 1n);
    if (remainder > half || (remainder === half && (units & 1n) === 1n)) units += 1n;
  }
  let text = units.toString();
  if (digits > 0) {
    text = text.padStart(digits + 1, "0");
    text = `${text.slice(0, text.length - digits)}.${text.slice(text.length - digits)}`;
  }
  return negative ? `-${text}` : text;
}

/**
 * Python's `str()` of a float for the integral counts sklearn prints as supports when
 * its counts turn float ("3.0"); beyond 1e16 Python switches to exponent notation.
 */
export function formatPythonFloat(x: number): string {
  if (Number.isInteger(x) && Math.abs(x) < 1e16) return `${x}.0`;
  return String(x);
}
