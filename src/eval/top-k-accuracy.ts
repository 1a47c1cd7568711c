import { TextkitError } from "../core/index.ts";
import { checkPairedLengths, describeValue } from "./targets.ts";

/**
 * Share of examples whose true label is among the first `k` of its ranked predictions,
 * as scikit-learn's `top_k_accuracy_score` computes from scores. A ranking shorter than
 * `k` counts with what it has.
 *
 * @example
 * topKAccuracy(["cat", "dog"], [["dog", "cat"], ["cat", "bird"]], 2); // 0.5
 */
export function topKAccuracy(
  yTrue: readonly string[],
  ranked: readonly (readonly string[])[],
  k: number,
): number {
  if (typeof k !== "number" || !Number.isInteger(k) || k < 1) {
    throw new TextkitError("OPTION_INVALID", `k must be a positive integer, got ${String(k)}`);
  }
  const n = checkPairedLengths(yTrue, ranked, "yTrue", "ranked");
  let hits = 0;
  for (let i = 0; i < n; i++) {
    const truth: unknown = yTrue[i];
    const row: unknown = ranked[i];
    if (typeof truth !== "string") {
      throw new TextkitError(
        "EVAL_BAD_TARGETS",
        `yTrue[${i}] is ${describeValue(truth)}; every label must be a string`,
        {
          details: { index: i },
        },
      );
    }
    if (!Array.isArray(row)) {
      throw new TextkitError(
        "EVAL_BAD_TARGETS",
        `ranked[${i}] is ${describeValue(row)}; each example needs its predicted labels, best first`,
        { details: { index: i } },
      );
    }
    const end = Math.min(k, row.length);
    for (let j = 0; j < end; j++) {
      if (row[j] === truth) {
        hits++;
        break;
      }
    }
  }
  return hits / n;
}
