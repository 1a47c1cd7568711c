/**
 * The dot products of one vector with every row of a fixed float32 matrix, in WebAssembly
 * SIMD: four rows at a time, four columns a step (f32x4), so the vector is loaded once per
 * four rows. This is the classifier's output layer (labels × dim); in scalar JavaScript it
 * was about 80% of a CLINC150 prediction (150 × 100 products, a dependent chain of float64
 * adds per row). Sums are float32, as fastText's are: against float64 sums a score differs
 * by about 1e-6 of its size.
 *
 * The module is written here as bytes (no toolchain, no dependency) and compiled on first
 * use; where WebAssembly SIMD is missing, {@link RowDots.of} answers null and the caller keeps
 * its scalar loop.
 */

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

/** `(matrix, vector, out, rows, dim)`: out[r] = Σ matrix[r·dim + d] · vector[d], rows and dim multiples of 4. */
export type DotsFunction = (matrix: number, vector: number, out: number, rows: number, dim: number) => void;

const F32X4_EXTRACT = 0x1f;

// Locals: parameters 0-4, then i32 5-12, then v128 13-17.
const [MATRIX, VECTOR, OUT, ROWS] = [0, 1, 2, 3];
const DIM = 4;
const ROW = 5;
const STRIDE = 6;
const AT = 7;
const VAT = 8;
const VEND = 9;
const OUTAT = 10;
const STRIDE2 = 11;
const STRIDE3 = 12;
const ACC = [13, 14, 15, 16];
const VALUE = 17;

/** The body of the `dots` function (see DotsFunction), for any module that imports a memory. */
export function dotsBody(): number[] {
  const code: number[] = [
    ...[OP.localGet, DIM, OP.i32Const, 2, OP.i32Shl, OP.localSet, STRIDE],
    ...[...get(STRIDE), OP.i32Const, 1, OP.i32Shl, ...set(STRIDE2)],
    ...[...get(STRIDE), ...get(STRIDE2), OP.i32Add, ...set(STRIDE3)],
    ...[...get(MATRIX), ...set(AT), ...get(OUT), ...set(OUTAT), OP.i32Const, 0, ...set(ROW)],
    ...[OP.block, OP.empty, OP.loop, OP.empty],
    ...[...get(ROW), ...get(ROWS), OP.i32GeU, OP.brIf, 1],
  ];
  for (const acc of ACC) code.push(...SIMD.zero, ...set(acc));
  code.push(...get(VECTOR), ...set(VAT), ...get(VECTOR), ...get(STRIDE), OP.i32Add, ...set(VEND));
  code.push(OP.loop, OP.empty, ...get(VAT), ...SIMD.load, ...set(VALUE));
  const offsets: (number | null)[] = [null, STRIDE, STRIDE2, STRIDE3];
  ACC.forEach((acc, r) => {
    const offset = offsets[r]!;
    code.push(...get(acc), ...get(AT));
    if (offset !== null) code.push(...get(offset), OP.i32Add);
    code.push(...SIMD.load, ...get(VALUE), ...SIMD.f32x4Mul, ...SIMD.f32x4Add, ...set(acc));
  });
  code.push(...get(AT), OP.i32Const, 16, OP.i32Add, ...set(AT));
  code.push(...get(VAT), OP.i32Const, 16, OP.i32Add, OP.localTee, VAT, ...get(VEND), OP.i32LtU, OP.brIf, 0);
  code.push(OP.end);
  // AT moved one row; the next block of four starts three rows further.
  code.push(...get(AT), ...get(STRIDE3), OP.i32Add, ...set(AT));
  ACC.forEach((acc, r) => {
    code.push(...get(OUTAT));
    for (let lane = 0; lane < 4; lane++) {
      code.push(...get(acc), OP.simd, F32X4_EXTRACT, lane);
      if (lane > 0) code.push(OP.f32Add);
    }
    code.push(OP.f32Store, 0x02, 4 * r);
  });
  code.push(...get(OUTAT), OP.i32Const, 16, OP.i32Add, ...set(OUTAT));
  code.push(...get(ROW), OP.i32Const, 4, OP.i32Add, ...set(ROW), OP.br, 0, OP.end, OP.end, OP.end);
  // Local declarations: 8 × i32, 5 × v128.
  return [2, 8, TYPE.i32, 5, TYPE.v128, ...code];
}

let compiled: WasmModule | null | undefined;

/** The compiled module, or null where this runtime has no WebAssembly SIMD. */
function compiledModule(): WasmModule | null {
  if (compiled === undefined) {
    compiled = compileModule(moduleBytes([{ name: "dots", params: 5, body: dotsBody() }]));
  }
  return compiled;
}

const roundUp4 = (n: number): number => (n + 3) & ~3;

/**
 * A float32 matrix copied into WebAssembly memory, padded with zeros to multiples of four,
 * whose rows are dotted with a vector at once. The copy is taken when it is made: later
 * changes to the source matrix are not seen.
 *
 * @example
 * const kernel = RowDots.of(new Float32Array([1, 2, 3, 4]), 2, 2);
 * const out = new Float64Array(2);
 * kernel?.dots(new Float64Array([1, 1]), out); // out = [3, 7]
 */
export class RowDots {
  private readonly rows: number;
  private readonly run: DotsFunction;
  private readonly vector: Float32Array;
  private readonly out: Float32Array;
  private readonly offsets: { vector: number; out: number };
  private readonly paddedRows: number;
  private readonly paddedDim: number;
  /** How many vectors {@link RowDots.manyDots} takes at once. */
  readonly maxVectors: number;

  private constructor(module: WasmModule, matrix: Float32Array, rows: number, dim: number, vectors: number) {
    this.rows = rows;
    this.maxVectors = vectors;
    this.paddedRows = roundUp4(rows);
    this.paddedDim = roundUp4(dim);
    const matrixBytes = this.paddedRows * this.paddedDim * 4;
    const vectorAt = matrixBytes;
    const outAt = vectorAt + vectors * this.paddedDim * 4;
    const api = wasmApi();
    if (api === undefined) throw new Error("RowDots: WebAssembly is missing although the module compiled");
    const outBytes = vectors * this.paddedRows * 4;
    const memory = new api.Memory({ initial: Math.ceil((outAt + outBytes) / PAGE) });
    const instance = new api.Instance(module, { env: { memory } });
    this.run = instance.exports["dots"] as DotsFunction;
    const padded = new Float32Array(memory.buffer, 0, this.paddedRows * this.paddedDim);
    for (let r = 0; r < rows; r++) padded.set(matrix.subarray(r * dim, r * dim + dim), r * this.paddedDim);
    this.vector = new Float32Array(memory.buffer, vectorAt, vectors * this.paddedDim);
    this.out = new Float32Array(memory.buffer, outAt, vectors * this.paddedRows);
    this.offsets = { vector: vectorAt, out: outAt };
  }

  /**
   * The kernel for `rows × dim` row-major `matrix`, or null without WebAssembly SIMD.
   * `vectors` (default 1) is the most vectors one {@link RowDots.manyDots} call takes.
   */
  static of(matrix: Float32Array, rows: number, dim: number, vectors = 1): RowDots | null {
    const module = compiledModule();
    return module === null ? null : new RowDots(module, matrix, rows, dim, Math.max(1, vectors));
  }

  /** out[r] = row r · vector (vector rounded to float32), for every row. */
  dots(vector: Float64Array, out: Float64Array): void {
    this.vector.set(vector);
    this.run(0, this.offsets.vector, this.offsets.out, this.paddedRows, this.paddedDim);
    const sums = this.out;
    for (let r = 0; r < this.rows; r++) out[r] = sums[r]!;
  }

  /** Items between two vectors' sums in the array {@link RowDots.manyDots} answers (the rows rounded up to four). */
  get stride(): number {
    return this.paddedRows;
  }

  /**
   * The dot products of every row with each of `count` vectors (vector t being
   * `vectors[t · dim .. (t + 1) · dim)`, rounded to float32): row r · vector t is at
   * t · {@link RowDots.stride} + r of the answer, a view that the next call overwrites.
   * The rows go by blocks that stay in cache while every vector is dotted with them, so
   * the matrix is read from memory once for all the vectors.
   */
  manyDots(vectors: Float64Array, dim: number, count: number): Float32Array {
    if (count > this.maxVectors || roundUp4(dim) !== this.paddedDim) {
      throw new Error(
        `RowDots.manyDots: ${count} vectors of ${dim} for a kernel of ${this.maxVectors} × ${this.paddedDim}`,
      );
    }
    const { paddedDim: pd, paddedRows: pr } = this;
    this.vector.fill(0);
    for (let t = 0; t < count; t++) this.vector.set(vectors.subarray(t * dim, (t + 1) * dim), t * pd);
    // 64 KiB of float32 rows a block: with the vectors, well inside a core's L2 cache.
    const block = Math.max(4, (Math.floor(16384 / pd) >> 2) << 2);
    for (let start = 0; start < pr; start += block) {
      const size = Math.min(block, pr - start);
      for (let t = 0; t < count; t++) {
        const outAt = this.offsets.out + (t * pr + start) * 4;
        this.run(start * pd * 4, this.offsets.vector + t * pd * 4, outAt, size, pd);
      }
    }
    return this.out;
  }
}
