import { TextkitError } from "../core/index.ts";

/** Dense ids 0..m-1 for the distinct values of `labels`, in order of first appearance. */
function encode(labels: ArrayLike<string | number>, name: string): { ids: Int32Array; count: number } {
  const index = new Map<string | number, number>();
  const ids = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const value = labels[i]!;
    if (typeof value !== "string" && !(typeof value === "number" && Number.isFinite(value))) {
      throw new TextkitError(
        "EVAL_BAD_TARGETS",
        `${name}[${i}] is ${String(value)}; a cluster or class is a string or a finite number`,
        { details: { index: i } },
      );
    }
    let id = index.get(value);
    if (id === undefined) {
      id = index.size;
      index.set(value, id);
    }
    ids[i] = id;
  }
  return { ids, count: index.size };
}

/**
 * The adjusted Rand index of two partitions of the same items, as scikit-learn's
 * adjusted_rand_score: the Rand index (share of pairs of items that both partitions put
 * together or both apart) corrected for chance, so that random labels score about 0 and
 * identical partitions 1, whatever the names of the groups. Symmetric.
 *
 * @example
 * adjustedRandIndex(["a", "a", "b", "b"], [1, 1, 0, 0]); // 1
 * adjustedRandIndex([0, 0, 1, 2], [0, 0, 1, 1]); // 0.5714285714285714
 */
export function adjustedRandIndex(
  labelsTrue: ArrayLike<string | number>,
  labelsPred: ArrayLike<string | number>,
): number {
  const n = labelsTrue.length;
  if (labelsPred.length !== n) {
    throw new TextkitError(
      "EVAL_LENGTH_MISMATCH",
      `labelsTrue has ${n} items but labelsPred has ${labelsPred.length}; give one cluster per item for both`,
    );
  }
  if (n === 0) throw new TextkitError("EVAL_EMPTY", "the adjusted Rand index needs at least one item");
  const a = encode(labelsTrue, "labelsTrue");
  const b = encode(labelsPred, "labelsPred");
  const rowSums = new Float64Array(a.count);
  const colSums = new Float64Array(b.count);
  const cells = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const key = a.ids[i]! * b.count + b.ids[i]!;
    cells.set(key, (cells.get(key) ?? 0) + 1);
    rowSums[a.ids[i]!]!++;
    colSums[b.ids[i]!]!++;
  }
  // Ordered pairs, as scikit-learn's pair_confusion_matrix; all below 2^53 for n < 9e7.
  let sumSquares = 0;
  for (const count of cells.values()) sumSquares += count * count;
  let rowSquares = 0;
  for (const s of rowSums) rowSquares += s * s;
  let colSquares = 0;
  for (const s of colSums) colSquares += s * s;
  const together = sumSquares - n;
  const onlyPred = colSquares - sumSquares;
  const onlyTrue = rowSquares - sumSquares;
  const apart = n * n - onlyPred - onlyTrue - sumSquares;
  if (onlyTrue === 0 && onlyPred === 0) return 1;
  // The products pass 2^53 for large n; BigInt keeps them exact, as Python's integers do.
  const tp = BigInt(together);
  const tn = BigInt(apart);
  const fp = BigInt(onlyPred);
  const fn = BigInt(onlyTrue);
  const numerator = 2 * Number(tp * tn - fn * fp);
  const denominator = Number((tp + fn) * (fn + tn) + (tp + fp) * (fp + tn));
  return numerator / denominator;
}
