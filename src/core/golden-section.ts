/**
 * The minimum of a function of one variable that is unimodal on an interval, by
 * golden-section search: each step keeps the better two thirds, with one new evaluation.
 */

const RATIO = (Math.sqrt(5) - 1) / 2;

/**
 * The x in [lo, hi] where `f` is lowest, to within `tolerance` (at most `maxSteps` steps).
 *
 * @example
 * minimizeGoldenSection((x) => (x - 2) ** 2, 0, 5, 1e-6); // 2.0000...
 */
export function minimizeGoldenSection(
  f: (x: number) => number,
  lo: number,
  hi: number,
  tolerance: number,
  maxSteps = 200,
): number {
  let a = hi - RATIO * (hi - lo);
  let b = lo + RATIO * (hi - lo);
  let fa = f(a);
  let fb = f(b);
  for (let step = 0; step < maxSteps && hi - lo > tolerance; step++) {
    if (fa < fb) {
      hi = b;
      b = a;
      fb = fa;
      a = hi - RATIO * (hi - lo);
      fa = f(a);
    } else {
      lo = a;
      a = b;
      fa = fb;
      b = lo + RATIO * (hi - lo);
      fb = f(b);
    }
  }
  return (lo + hi) / 2;
}
