/**
 * The output layer's half of one classifier training step, in WebAssembly SIMD. The output
 * matrix (labels × dim), the hidden vector, the gradient, the scores and the per-label step
 * sizes live in one WebAssembly memory for the whole training run, allocated once (growing
 * it would detach the views). One step is two calls with the softmax between them, in the
 * caller's JavaScript:
 *
 * 1. {@link OutputStep.score}: scores[r] = row r · hidden, four rows at a time (as
 *    {@link RowDots}).
 * 2. {@link OutputStep.update}: for every row whose alpha is not 0, in one pass over the row,
 *    grad += alpha · row and then row += alpha · hidden, four columns a step (f32x4).
 *
 * On CLINC150 (150 labels, dim 100, ~8 tokens a text) these are most of a training step;
 * in scalar JavaScript they were three passes of float64 arithmetic over 150 × 100 floats.
 * Everything is float32, as in fastText's training.
 *
 * Where WebAssembly SIMD is missing, {@link OutputStep.of} answers null and the caller keeps
 * its scalar step.
 */

import { dotsBody } from "./row-dots.ts";
import {
  compileModule,
  get,
  moduleBytes,
  OP,
  PAGE,
  SIMD,
  set,
  TYPE,
  type WasmModule,
  wasmApi,
} from "./wasm-bytes.ts";

/** `(matrix, vector, out, rows, dim)`: see row-dots. */
type DotsFunction = (matrix: number, vector: number, out: number, rows: number, dim: number) => void;
/** `(matrix, hidden, grad, alphas, rows, dim)`: the fused update; rows and dim multiples of 4. */
type UpdateFunction = (
  matrix: number,
  hidden: number,
  grad: number,
  alphas: number,
  rows: number,
  dim: number,
) => void;

// Locals of `update`: parameters 0-5, then i32 6-9, f32 10, v128 11-12.
const [MATRIX, HIDDEN, GRAD, ALPHAS, ROWS, DIM] = [0, 1, 2, 3, 4, 5];
const STRIDE = 6;
const AT = 7;
const D = 8;
const AEND = 9;
const ALPHA = 10;
const SPLAT = 11;
const W = 12;

/** `base + D`, an address of the current column block. */
const at = (base: number): number[] => [...get(base), ...get(D), OP.i32Add];

/** The inner loop of `update` over one row's column blocks (AT: the row, SPLAT: alpha in 4 lanes). */
function rowPass(): number[] {
  return [
    ...[OP.i32Const, 0, ...set(D), OP.loop, OP.empty],
    ...[...get(AT), ...get(D), OP.i32Add, ...SIMD.load, ...set(W)],
    // grad += alpha · w (the row before this step's change, as in the scalar step)
    ...[...at(GRAD), ...at(GRAD), ...SIMD.load, ...get(SPLAT), ...get(W), ...SIMD.f32x4Mul, ...SIMD.f32x4Add],
    ...SIMD.store,
    // w += alpha · hidden
    ...[...get(AT), ...get(D), OP.i32Add, ...get(W), ...get(SPLAT), ...at(HIDDEN), ...SIMD.load],
    ...[...SIMD.f32x4Mul, ...SIMD.f32x4Add, ...SIMD.store],
    ...[...get(D), OP.i32Const, 16, OP.i32Add, OP.localTee, D, ...get(STRIDE), OP.i32LtU, OP.brIf, 0, OP.end],
  ];
}

/** The body of `update` (see UpdateFunction). */
function updateBody(): number[] {
  const code = [
    ...[...get(DIM), OP.i32Const, 2, OP.i32Shl, ...set(STRIDE), ...get(MATRIX), ...set(AT)],
    ...[...get(ALPHAS), ...get(ROWS), OP.i32Const, 2, OP.i32Shl, OP.i32Add, ...set(AEND)],
    ...[OP.block, OP.empty, OP.loop, OP.empty],
    ...[...get(ALPHAS), ...get(AEND), OP.i32GeU, OP.brIf, 1],
    ...[...get(ALPHAS), OP.f32Load, 0x02, 0x00, OP.localTee, ALPHA, OP.f32Const, 0, 0, 0, 0, OP.f32Ne],
    ...[OP.if, OP.empty, ...get(ALPHA), ...SIMD.f32x4Splat, ...set(SPLAT), ...rowPass(), OP.end],
    ...[...get(AT), ...get(STRIDE), OP.i32Add, ...set(AT)],
    ...[...get(ALPHAS), OP.i32Const, 4, OP.i32Add, ...set(ALPHAS), OP.br, 0, OP.end, OP.end, OP.end],
  ];
  // Local declarations: 4 × i32, 1 × f32, 2 × v128.
  return [3, 4, TYPE.i32, 1, TYPE.f32, 2, TYPE.v128, ...code];
}

let compiled: WasmModule | null | undefined;

/** The compiled module (`dots` and `update`), or null where this runtime has no WebAssembly SIMD. */
function compiledModule(): WasmModule | null {
  if (compiled === undefined) {
    compiled = compileModule(
      moduleBytes([
        { name: "dots", params: 5, body: dotsBody() },
        { name: "update", params: 6, body: updateBody() },
      ]),
    );
  }
  return compiled;
}

const roundUp4 = (n: number): number => (n + 3) & ~3;

/**
 * An output layer being trained: its matrix in WebAssembly memory (rows padded with zeros to
 * a multiple of four columns), with the vectors one step reads and writes. The caller fills
 * {@link OutputStep.hidden}, calls {@link OutputStep.score}, reads
 * {@link OutputStep.scores}, writes {@link OutputStep.alphas} (0 skips a row), then calls
 * {@link OutputStep.update} and reads {@link OutputStep.grad}.
 *
 * @example
 * const step = OutputStep.of(150, 100);
 * step?.load(output); // the labels × dim float32 matrix
 * // per example: step.hidden.set(hidden); step.score(); ... step.alphas[k] = lr * (t - p); step.update();
 * step?.store(output);
 */
export class OutputStep {
  /** Rows (labels) of the matrix. */
  readonly rows: number;
  /** Columns of the matrix (the hidden size). */
  readonly dim: number;
  /** The hidden vector of the current example (the first `dim` items count; the rest stay 0). */
  readonly hidden: Float32Array;
  /** After {@link OutputStep.update}: Σ alpha_r · row_r (rows as they were before the update). */
  readonly grad: Float32Array;
  /** After {@link OutputStep.score}: row r · hidden at r. */
  readonly scores: Float32Array;
  /** The step size of each row for {@link OutputStep.update}; rows with 0 are left alone. */
  readonly alphas: Float32Array;
  private readonly matrix: Float32Array;
  private readonly paddedRows: number;
  private readonly paddedDim: number;
  private readonly at: { hidden: number; grad: number; scores: number; alphas: number };
  private readonly runDots: DotsFunction;
  private readonly runUpdate: UpdateFunction;

  private constructor(module: WasmModule, rows: number, dim: number) {
    this.rows = rows;
    this.dim = dim;
    const pr = roundUp4(rows);
    const pd = roundUp4(dim);
    this.paddedRows = pr;
    this.paddedDim = pd;
    const hidden = pr * pd * 4;
    this.at = {
      hidden,
      grad: hidden + pd * 4,
      scores: hidden + 2 * pd * 4,
      alphas: hidden + 2 * pd * 4 + pr * 4,
    };
    const api = wasmApi();
    if (api === undefined) throw new Error("OutputStep: WebAssembly is missing although the module compiled");
    const memory = new api.Memory({ initial: Math.ceil((this.at.alphas + pr * 4) / PAGE) });
    const instance = new api.Instance(module, { env: { memory } });
    this.runDots = instance.exports["dots"] as DotsFunction;
    this.runUpdate = instance.exports["update"] as UpdateFunction;
    const buffer = memory.buffer;
    this.matrix = new Float32Array(buffer, 0, pr * pd);
    this.hidden = new Float32Array(buffer, this.at.hidden, pd);
    this.grad = new Float32Array(buffer, this.at.grad, pd);
    this.scores = new Float32Array(buffer, this.at.scores, pr);
    this.alphas = new Float32Array(buffer, this.at.alphas, pr);
  }

  /** The step for a `rows × dim` output layer, or null without WebAssembly SIMD. */
  static of(rows: number, dim: number): OutputStep | null {
    const module = compiledModule();
    return module === null ? null : new OutputStep(module, rows, dim);
  }

  /** Copies the row-major `rows × dim` `matrix` in. */
  load(matrix: Float32Array): void {
    const { dim, paddedDim } = this;
    for (let r = 0; r < this.rows; r++)
      this.matrix.set(matrix.subarray(r * dim, r * dim + dim), r * paddedDim);
  }

  /** Copies the matrix out into the row-major `rows × dim` `matrix`. */
  store(matrix: Float32Array): void {
    const { dim, paddedDim } = this;
    for (let r = 0; r < this.rows; r++)
      matrix.set(this.matrix.subarray(r * paddedDim, r * paddedDim + dim), r * dim);
  }

  /** scores[r] = row r · hidden, for every row. */
  score(): void {
    this.runDots(0, this.at.hidden, this.at.scores, this.paddedRows, this.paddedDim);
  }

  /** grad = Σ alpha_r · row_r, then row_r += alpha_r · hidden, over the rows whose alpha is not 0. */
  update(): void {
    this.grad.fill(0);
    this.runUpdate(0, this.at.hidden, this.at.grad, this.at.alphas, this.paddedRows, this.paddedDim);
  }
}
