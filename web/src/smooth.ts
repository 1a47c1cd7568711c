/** Smoothing of training curves, apart from the page so that it is tested without a browser. */

/**
 * Exponential moving average with the start-up bias removed (as TensorBoard smooths). Each
 * value is a weighted mean of the values so far, so it never leaves their range: a smoothed
 * curve never overshoots its data.
 *
 * @example
 * smooth([1, 0, 1], 0.5); // [1, 0.333..., 0.714...]
 */
export function smooth(values: readonly number[], weight: number): number[] {
  let mean = 0;
  let total = 0;
  return values.map((v) => {
    mean = weight * mean + (1 - weight) * v;
    total = weight * total + (1 - weight);
    return total === 0 ? v : mean / total;
  });
}
