/**
 * Output in the habits of the fastText program: `__label__x p` per line (predict-prob) and
 * the N / P@k / R@k lines of `fasttext test`.
 */

/** fastText's label prefix, put back on output. */
export const LABEL_PREFIX = "__label__";

/**
 * A number as C++'s default stream prints it (6 significant digits, shortest form).
 *
 * @example
 * formatLikeFastText(0.06009664); // "0.0600966"
 */
export function formatLikeFastText(x: number): string {
  const p = Number(x.toPrecision(6));
  if (p !== 0 && Math.abs(p) < 1e-4) {
    const [mantissa, exponent] = p.toExponential().split("e");
    const e = Number(exponent);
    return `${mantissa}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
  }
  return String(p);
}

/** One line of `fasttext predict-prob`: `__label__a 0.9 __label__b 0.1`. */
export function fastTextPredictionLine(labels: readonly string[], scores: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < labels.length; i++)
    parts.push(`${LABEL_PREFIX}${labels[i]}`, formatLikeFastText(scores[i]!));
  return parts.join(" ");
}

export interface PrecisionAtK {
  examples: number;
  precision: number;
  recall: number;
}

/**
 * fastText's test meter: precision is correct labels over labels predicted (top k above
 * the threshold), recall is correct labels over gold labels, pooled over all examples.
 *
 * @example
 * precisionAtK([["a"]], [["a", "b"]]); // { examples: 1, precision: 1, recall: 0.5 }
 */
export function precisionAtK(
  predicted: readonly (readonly string[])[],
  gold: readonly (readonly string[])[],
): PrecisionAtK {
  let truePositives = 0;
  let nPredicted = 0;
  let nGold = 0;
  for (let i = 0; i < gold.length; i++) {
    const want = new Set(gold[i]);
    const got = predicted[i] ?? [];
    for (const label of got) if (want.has(label)) truePositives++;
    nPredicted += got.length;
    nGold += want.size;
  }
  return {
    examples: gold.length,
    precision: nPredicted === 0 ? Number.NaN : truePositives / nPredicted,
    recall: nGold === 0 ? Number.NaN : truePositives / nGold,
  };
}

/** `fasttext test`'s three lines (precision and recall to 3 significant digits, as it prints them). */
export function fastTextTestLines(meter: PrecisionAtK, k: number): string {
  const g3 = (x: number): string => (Number.isNaN(x) ? "-nan" : String(Number(x.toPrecision(3))));
  return `N\t${meter.examples}\nP@${k}\t${g3(meter.precision)}\nR@${k}\t${g3(meter.recall)}\n`;
}
