/**
 * fastText's hierarchical softmax, for prediction with imported models: the Huffman tree
 * over label counts (HierarchicalSoftmaxLoss::buildTree) and each label's score as
 * fastText computes it, exp of the sum along the label's path of log(sigmoid + 1e-5).
 */

/** A Huffman tree over n labels: nodes [0, n) are the labels, n..2n-2 the inner nodes (root last). */
export interface HsTree {
  labels: number;
  left: Int32Array;
  right: Int32Array;
  /** Per node, the log score of the path to it (work space of hsScores). */
  scratch: Float64Array;
}

/**
 * Builds the tree exactly as fastText does from the label counts in dictionary order
 * (fastText sorts labels by count, most frequent first).
 *
 * @example
 * buildHsTree([5, 3, 1]).left.length; // 5 nodes: 3 labels, 2 inner nodes
 */
export function buildHsTree(counts: readonly number[]): HsTree {
  const n = counts.length;
  const size = Math.max(1, 2 * n - 1);
  const count = new Float64Array(size).fill(1e15);
  const left = new Int32Array(size).fill(-1);
  const right = new Int32Array(size).fill(-1);
  for (let i = 0; i < n; i++) count[i] = counts[i]!;
  let leaf = n - 1;
  let node = n;
  for (let i = n; i < 2 * n - 1; i++) {
    const mini = [0, 0];
    for (let j = 0; j < 2; j++) {
      if (leaf >= 0 && count[leaf]! < count[node]!) mini[j] = leaf--;
      else mini[j] = node++;
    }
    left[i] = mini[0]!;
    right[i] = mini[1]!;
    count[i] = count[mini[0]!]! + count[mini[1]!]!;
  }
  return { labels: n, left, right, scratch: new Float64Array(size) };
}

/**
 * Every label's score: exp(sum over its path of log(p + 1e-5)), p the sigmoid of the inner
 * node's output row against `hidden` (right branch) or one minus it (left branch).
 */
export function hsScores(
  tree: HsTree,
  output: Float32Array,
  dim: number,
  hidden: Float64Array,
  scores: Float64Array,
): void {
  const n = tree.labels;
  if (n === 1) {
    scores[0] = 1;
    return;
  }
  // A node's children have lower indices than the node (buildHsTree), so walking the inner
  // nodes from the root down fills every node's log score before its children need it.
  const logScore = tree.scratch;
  logScore[2 * n - 2] = 0;
  for (let node = 2 * n - 2; node >= n; node--) {
    const row = (node - n) * dim;
    let f = 0;
    for (let d = 0; d < dim; d++) f += output[row + d]! * hidden[d]!;
    const p = 1 / (1 + Math.exp(-f));
    const base = logScore[node]!;
    logScore[tree.left[node]!] = base + Math.log(1 - p + 1e-5);
    logScore[tree.right[node]!] = base + Math.log(p + 1e-5);
  }
  for (let label = 0; label < n; label++) scores[label] = Math.exp(logScore[label]!);
}

/** The best k leaves found so far by hsTopK's search (k is small: a linear scan finds the worst). */
interface TopK {
  k: number;
  size: number;
  score: Float64Array;
  node: Int32Array;
}

function worst(top: TopK): number {
  let at = 0;
  for (let i = 1; i < top.size; i++) if ((top.score[i] ?? 0) < (top.score[at] ?? 0)) at = i;
  return at;
}

function search(
  tree: HsTree,
  output: Float32Array,
  dim: number,
  hidden: Float64Array,
  node: number,
  logScore: number,
  top: TopK,
): void {
  // Scores only fall along a path (each step adds log(p + 1e-5), at most 1e-5 above 0): a
  // branch already below the k-th best cannot hold a better label. fastText prunes alike.
  if (top.size === top.k && logScore < (top.score[worst(top)] ?? 0)) return;
  const left = tree.left[node] ?? -1;
  if (left === -1) {
    const at = top.size < top.k ? top.size++ : worst(top);
    top.score[at] = logScore;
    top.node[at] = node;
    return;
  }
  const row = (node - tree.labels) * dim;
  let f = 0;
  for (let d = 0; d < dim; d++) f += (output[row + d] ?? 0) * (hidden[d] ?? 0);
  const p = 1 / (1 + Math.exp(-f));
  search(tree, output, dim, hidden, left, logScore + Math.log(1 - p + 1e-5), top);
  search(tree, output, dim, hidden, tree.right[node] ?? -1, logScore + Math.log(p + 1e-5), top);
}

/**
 * The k best labels' scores only, as fastText's predict finds them (a depth-first search of
 * the tree that leaves a branch once it falls below the k-th best found): the scores of those
 * labels equal hsScores', every other label's is 0. For k = 1 on lid.176's 176 languages it
 * computes a handful of the 175 inner nodes' dot products instead of all of them.
 *
 * @example
 * hsTopK(tree, output, dim, hidden, 1, scores); // scores holds the best label's score, 0 elsewhere
 */
export function hsTopK(
  tree: HsTree,
  output: Float32Array,
  dim: number,
  hidden: Float64Array,
  k: number,
  scores: Float64Array,
): void {
  const n = tree.labels;
  scores.fill(0, 0, n);
  if (n === 1) {
    scores[0] = 1;
    return;
  }
  const top: TopK = { k, size: 0, score: new Float64Array(k), node: new Int32Array(k) };
  search(tree, output, dim, hidden, 2 * n - 2, 0, top);
  for (let i = 0; i < top.size; i++) scores[top.node[i] ?? 0] = Math.exp(top.score[i] ?? 0);
}

const SIGMOID_TABLE_SIZE = 512;
const MAX_SIGMOID = 8;
let sigmoidTable: Float32Array | null = null;

/**
 * fastText's tabulated sigmoid (Loss::sigmoid), which its one-vs-all and negative-sampling
 * models predict with: 513 values over [-8, 8], 0 and 1 outside.
 */
export function fastTextSigmoid(x: number): number {
  if (x < -MAX_SIGMOID) return 0;
  if (x > MAX_SIGMOID) return 1;
  if (sigmoidTable === null) {
    sigmoidTable = new Float32Array(SIGMOID_TABLE_SIZE + 1);
    for (let i = 0; i <= SIGMOID_TABLE_SIZE; i++) {
      const v = Math.fround(Math.fround(i * 2 * MAX_SIGMOID) / SIGMOID_TABLE_SIZE - MAX_SIGMOID);
      sigmoidTable[i] = 1 / (1 + Math.exp(-v));
    }
  }
  const i = Math.floor(Math.fround((Math.fround(x) + MAX_SIGMOID) * SIGMOID_TABLE_SIZE) / MAX_SIGMOID / 2);
  return sigmoidTable[i]!;
}
