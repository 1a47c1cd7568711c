/**
 * Sum of `a[start .. start + n)` in the order numpy's `np.sum` and `np.mean` add
 * float64 values (pairwise, blocks of 128 with eight running sums). sklearn's macro,
 * weighted and samples averages go through numpy, and a different order can move the
 * last bit, which can flip a printed digit; matching the order keeps reports identical.
 *
 * @example
 * pairwiseSum(new Float64Array([0.1, 0.2, 0.3]), 0, 3); // 0.6000000000000001
 */
export function pairwiseSum(a: Float64Array, start: number, n: number): number {
  if (!Number.isInteger(start) || !Number.isInteger(n) || start < 0 || n < 0 || start + n > a.length) {
    throw new RangeError(`pairwiseSum: [${start}, ${start + n}) is outside an array of ${a.length}`);
  }
  return sumChecked(a, start, n);
}

/** `pairwiseSum` once the range is known to lie inside `a`, so no `?? 0` below applies. */
function sumChecked(a: Float64Array, start: number, n: number): number {
  if (n < 8) {
    let sum = 0;
    for (const value of a.subarray(start, start + n)) sum += value;
    return sum;
  }
  if (n <= 128) {
    const r = a.slice(start, start + 8);
    const end = n - (n % 8);
    let i = 8;
    for (; i < end; i += 8) {
      for (let lane = 0; lane < 8; lane++) r[lane] = (r[lane] ?? 0) + (a[start + i + lane] ?? 0);
    }
    const [r0 = 0, r1 = 0, r2 = 0, r3 = 0, r4 = 0, r5 = 0, r6 = 0, r7 = 0] = r;
    let sum = r0 + r1 + (r2 + r3) + (r4 + r5 + (r6 + r7));
    for (const value of a.subarray(start + i, start + n)) sum += value;
    return sum;
  }
  let half = Math.floor(n / 2);
  half -= half % 8;
  return sumChecked(a, start, half) + sumChecked(a, start + half, n - half);
}
