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
 *
 * The memory may hold the input rows as well (words, n-gram buckets: up to
 * `MAX_INPUT_BYTES` (1 GiB)); then {@link OutputStep.gather} sums an example's rows into the
 * hidden vector and {@link OutputStep.scatter} adds the gradient back into them, four columns
 * at a time. That is most of a step on long texts with many n-grams (ChnSentiCorp, SST-2).
 * Everything is float32, as in fastText's training.
 *
 * Where WebAssembly SIMD is missing, {@link OutputStep.of} answers null and the caller keeps
 * its scalar step.
 */

import { type DotsFunction, dotsBody } from "./row-dots.ts";
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

// Locals of `gather` and `scatter`: parameters 0-4, then i32 5-8.
const [INPUT, IDS, COUNT, ROW_DIM, VECTOR] = [0, 1, 2, 3, 4];
const ROW_STRIDE = 5;
const IDS_END = 6;
const ROW_AT = 7;
const COL = 8;

/**
 * The body of `gather` (`toVector`: vector += each listed row) or `scatter` (each listed row
 * += vector): `(input, ids, count, dim, vector)`, ids an i32 array of row numbers, dim a
 * multiple of 4. Rows are taken in order, so a row listed twice counts twice.
 */
function rowsBody(toVector: boolean): number[] {
  const [target, source] = toVector ? [VECTOR, ROW_AT] : [ROW_AT, VECTOR];
  const col = (base: number): number[] => [...get(base), ...get(COL), OP.i32Add];
  const code = [
    ...[...get(ROW_DIM), OP.i32Const, 2, OP.i32Shl, ...set(ROW_STRIDE)],
    ...[...get(IDS), ...get(COUNT), OP.i32Const, 2, OP.i32Shl, OP.i32Add, ...set(IDS_END)],
    ...[OP.block, OP.empty, OP.loop, OP.empty],
    ...[...get(IDS), ...get(IDS_END), OP.i32GeU, OP.brIf, 1],
    ...[
      ...get(INPUT),
      ...get(IDS),
      OP.i32Load,
      0x02,
      0x00,
      ...get(ROW_STRIDE),
      OP.i32Mul,
      OP.i32Add,
      ...set(ROW_AT),
    ],
    ...[OP.i32Const, 0, ...set(COL), OP.loop, OP.empty],
    ...[
      ...col(target),
      ...col(target),
      ...SIMD.load,
      ...col(source),
      ...SIMD.load,
      ...SIMD.f32x4Add,
      ...SIMD.store,
    ],
    ...[
      ...get(COL),
      OP.i32Const,
      16,
      OP.i32Add,
      OP.localTee,
      COL,
      ...get(ROW_STRIDE),
      OP.i32LtU,
      OP.brIf,
      0,
      OP.end,
    ],
    ...[...get(IDS), OP.i32Const, 4, OP.i32Add, ...set(IDS), OP.br, 0, OP.end, OP.end, OP.end],
  ];
  // Local declarations: 4 × i32.
  return [1, 4, TYPE.i32, ...code];
}

let compiled: WasmModule | null | undefined;

/** The compiled module (`dots` and `update`), or null where this runtime has no WebAssembly SIMD. */
function compiledModule(): WasmModule | null {
  if (compiled === undefined) {
    compiled = compileModule(
      moduleBytes([
        { name: "dots", params: 5, body: dotsBody() },
        { name: "update", params: 6, body: updateBody() },
        { name: "gather", params: 5, body: rowsBody(true) },
        { name: "scatter", params: 5, body: rowsBody(false) },
      ]),
    );
  }
  return compiled;
}

const roundUp4 = (n: number): number => (n + 3) & ~3;

/** `(input, ids, count, dim, vector)`: see rowsBody. */
type RowsFunction = (input: number, ids: number, count: number, dim: number, vector: number) => void;

/** The most bytes of input rows {@link OutputStep} takes into its memory (past it, the caller keeps them). */
export const MAX_INPUT_BYTES = 1 << 30;

/** Where each part lies in the module's memory (bytes). */
interface Layout {
  hidden: number;
  grad: number;
  scores: number;
  alphas: number;
  ids: number;
  input: number;
  end: number;
}

function layout(rows: number, dim: number, inputRows: number, maxIds: number): Layout {
  const [pr, pd] = [roundUp4(rows), roundUp4(dim)];
  const hidden = pr * pd * 4;
  const grad = hidden + pd * 4;
  const scores = grad + pd * 4;
  const alphas = scores + pr * 4;
  const ids = alphas + pr * 4;
  const input = ids + roundUp4(maxIds) * 4;
  return { hidden, grad, scores, alphas, ids, input, end: input + inputRows * pd * 4 };
}

/**
 * An output layer being trained: its matrix in WebAssembly memory (rows padded with zeros to
 * a multiple of four columns), with the vectors one step reads and writes, and optionally
 * the input rows (see {@link OutputStep.of}). The caller fills {@link OutputStep.hidden}
 * (or has {@link OutputStep.gather} sum input rows into it), calls {@link OutputStep.score},
 * reads {@link OutputStep.scores}, writes {@link OutputStep.alphas} (0 skips a row), calls
 * {@link OutputStep.update}, reads {@link OutputStep.grad} (and may {@link OutputStep.scatter}
 * it into input rows).
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
  /** Input rows held in this memory (0: none, the caller keeps them). */
  readonly inputRows: number;
  /** The hidden vector of the current example (the first `dim` items count; the rest stay 0). */
  readonly hidden: Float32Array;
  /** After {@link OutputStep.update}: Σ alpha_r · row_r (rows as they were before the update). */
  readonly grad: Float32Array;
  /** After {@link OutputStep.score}: row r · hidden at r. */
  readonly scores: Float32Array;
  /** The step size of each row for {@link OutputStep.update}; rows with 0 are left alone. */
  readonly alphas: Float32Array;
  private readonly matrix: Float32Array;
  private readonly input: Float32Array;
  private readonly ids: Int32Array;
  private readonly paddedRows: number;
  private readonly paddedDim: number;
  private readonly at: Layout;
  private readonly run: {
    dots: DotsFunction;
    update: UpdateFunction;
    gather: RowsFunction;
    scatter: RowsFunction;
  };

  private constructor(
    module: WasmModule,
    rows: number,
    dim: number,
    input: { rows: number; maxIds: number },
  ) {
    this.rows = rows;
    this.dim = dim;
    this.inputRows = input.rows;
    const pr = roundUp4(rows);
    const pd = roundUp4(dim);
    this.paddedRows = pr;
    this.paddedDim = pd;
    this.at = layout(rows, dim, input.rows, input.maxIds);
    const api = wasmApi();
    if (api === undefined) throw new Error("OutputStep: WebAssembly is missing although the module compiled");
    const memory = new api.Memory({ initial: Math.ceil(this.at.end / PAGE) });
    const { exports } = new api.Instance(module, { env: { memory } });
    this.run = {
      dots: exports["dots"] as DotsFunction,
      update: exports["update"] as UpdateFunction,
      gather: exports["gather"] as RowsFunction,
      scatter: exports["scatter"] as RowsFunction,
    };
    const buffer = memory.buffer;
    this.matrix = new Float32Array(buffer, 0, pr * pd);
    this.hidden = new Float32Array(buffer, this.at.hidden, pd);
    this.grad = new Float32Array(buffer, this.at.grad, pd);
    this.scores = new Float32Array(buffer, this.at.scores, pr);
    this.alphas = new Float32Array(buffer, this.at.alphas, pr);
    this.ids = new Int32Array(buffer, this.at.ids, input.maxIds);
    this.input = new Float32Array(buffer, this.at.input, input.rows * pd);
  }

  /**
   * The step for a `rows × dim` output layer, or null without WebAssembly SIMD. With
   * `input`, the memory also holds that many input rows (of `dim`) and room for `maxIds` row
   * numbers an example may list, unless they would pass `MAX_INPUT_BYTES` (1 GiB) or the memory
   * cannot be had: then {@link OutputStep.inputRows} is 0 and the caller keeps its rows.
   */
  static of(rows: number, dim: number, input?: { rows: number; maxIds: number }): OutputStep | null {
    const module = compiledModule();
    if (module === null) return null;
    if (input !== undefined && input.rows * roundUp4(dim) * 4 <= MAX_INPUT_BYTES) {
      try {
        return new OutputStep(module, rows, dim, input);
      } catch {
        // A memory that large could not be had here: the output layer alone still helps.
      }
    }
    return new OutputStep(module, rows, dim, { rows: 0, maxIds: 0 });
  }

  /** Copies the row-major `rows × dim` `matrix` in. */
  load(matrix: Float32Array): void {
    copyIn(matrix, this.matrix, this.rows, this.dim, this.paddedDim);
  }

  /** Copies the matrix out into the row-major `rows × dim` `matrix`. */
  store(matrix: Float32Array): void {
    copyOut(this.matrix, matrix, this.rows, this.dim, this.paddedDim);
  }

  /** Copies the row-major `inputRows × dim` input matrix in. */
  loadInput(input: Float32Array): void {
    copyIn(input, this.input, this.inputRows, this.dim, this.paddedDim);
  }

  /** Copies the input rows out into the row-major `inputRows × dim` `input`. */
  storeInput(input: Float32Array): void {
    copyOut(this.input, input, this.inputRows, this.dim, this.paddedDim);
  }

  /** hidden = Σ input row ids[i] over i in [start, end) (float32, in order); at most `maxIds` of them. */
  gather(ids: Int32Array, start: number, end: number): void {
    this.ids.set(ids.subarray(start, end));
    this.hidden.fill(0);
    this.run.gather(this.at.input, this.at.ids, end - start, this.paddedDim, this.at.hidden);
  }

  /** Adds the gradient to input row ids[i], for i in [start, end), as {@link OutputStep.gather} last listed them. */
  scatter(count: number): void {
    this.run.scatter(this.at.input, this.at.ids, count, this.paddedDim, this.at.grad);
  }

  /** scores[r] = row r · hidden, for every row. */
  score(): void {
    this.run.dots(0, this.at.hidden, this.at.scores, this.paddedRows, this.paddedDim);
  }

  /** grad = Σ alpha_r · row_r, then row_r += alpha_r · hidden, over the rows whose alpha is not 0. */
  update(): void {
    this.grad.fill(0);
    this.run.update(0, this.at.hidden, this.at.grad, this.at.alphas, this.paddedRows, this.paddedDim);
  }
}

function copyIn(from: Float32Array, to: Float32Array, rows: number, dim: number, paddedDim: number): void {
  if (dim === paddedDim) to.set(from.subarray(0, rows * dim));
  else for (let r = 0; r < rows; r++) to.set(from.subarray(r * dim, r * dim + dim), r * paddedDim);
}

function copyOut(from: Float32Array, to: Float32Array, rows: number, dim: number, paddedDim: number): void {
  if (dim === paddedDim) to.set(from.subarray(0, rows * dim));
  else for (let r = 0; r < rows; r++) to.set(from.subarray(r * paddedDim, r * paddedDim + dim), r * dim);
}
