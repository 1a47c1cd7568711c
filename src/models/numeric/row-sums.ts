/**
 * Sums of rows of a fixed float32 matrix and of kept float64 vectors, in WebAssembly SIMD:
 * the classifier's hidden vector (the mean of a text's feature rows) is a list of such terms.
 * The matrix is copied into WebAssembly memory with its rows padded to a multiple of eight
 * components, beside a region of float64 "kept sums" the caller fills (a token's own rows
 * added once), and a list of terms that one call adds up, eight components at a time in four
 * f64x2 registers.
 *
 * Every component gets its terms in list order, one float64 add each, starting from the
 * running total: f64x2 lanes are IEEE float64 adds and promoting a float32 to float64 is
 * exact, so the result is bit for bit the plain loop
 * `for (const t of terms) for (d) total[d] += t[d]`.
 *
 * Where WebAssembly SIMD is missing, or the matrix is too big to copy (see
 * `MAX_MATRIX_BYTES`: 256 MiB), {@link RowSums.of} answers null and the caller keeps its scalar loop.
 */

import {
  compileModule,
  get,
  load64ZeroAt,
  loadAt,
  moduleBytes,
  OP,
  PAGE,
  SIMD,
  set,
  storeAt,
  TYPE,
  type WasmModule,
  wasmApi,
} from "./wasm-bytes.ts";

/** `(terms, count, out, chunks)`: out += every term, `chunks` blocks of eight float64 components. */
type SumFunction = (terms: number, count: number, out: number, chunks: number) => void;

/**
 * The largest matrix copied into WebAssembly memory (its rows padded): the copy costs its size
 * again, so a bigger model keeps the scalar path rather than doubling its memory.
 */
export const MAX_MATRIX_BYTES = 256 * 1024 * 1024;

/** Terms one {@link RowSums.add} call takes (the size of {@link RowSums.terms}). */
export const TERMS = 16_384;

// Locals: parameters 0-3, then i32 4-8, then v128 9-12.
const [TERM_LIST, COUNT, OUT, CHUNKS] = [0, 1, 2, 3];
const CHUNK = 4;
const AT = 5;
const END = 6;
const TERM = 7;
const ADDRESS = 8;
const ACC = [9, 10, 11, 12];

/** address = base + chunk << shift. */
function chunkAddress(base: number[], shift: number): number[] {
  return [...base, ...get(CHUNK), OP.i32Const, shift, OP.i32Shl, OP.i32Add, ...set(ADDRESS)];
}

/** acc[k] += the eight bytes (two float32) or sixteen bytes (two float64) at ADDRESS + offset. */
function addTerms(float64: boolean): number[] {
  const code: number[] = [];
  ACC.forEach((acc, k) => {
    code.push(...get(acc), ...get(ADDRESS));
    if (float64) code.push(...loadAt(16 * k));
    else code.push(...load64ZeroAt(8 * k), ...SIMD.f64x2PromoteLow);
    code.push(...SIMD.f64x2Add, ...set(acc));
  });
  return code;
}

/** The body of the `sum` function (see SumFunction). */
function sumBody(): number[] {
  const code: number[] = [
    ...[...get(TERM_LIST), ...get(COUNT), OP.i32Const, 2, OP.i32Shl, OP.i32Add, ...set(END)],
    ...[OP.i32Const, 0, ...set(CHUNK)],
    ...[OP.block, OP.empty, OP.loop, OP.empty],
    ...[...get(CHUNK), ...get(CHUNKS), OP.i32GeU, OP.brIf, 1],
    ...chunkAddress(get(OUT), 6),
  ];
  for (const [k, acc] of ACC.entries()) code.push(...get(ADDRESS), ...loadAt(16 * k), ...set(acc));
  code.push(...get(TERM_LIST), ...set(AT), OP.block, OP.empty, OP.loop, OP.empty);
  code.push(...get(AT), ...get(END), OP.i32GeU, OP.brIf, 1);
  // A term is a byte address; an odd one is a float64 vector at address - 1.
  code.push(...get(AT), OP.i32Load, 0x02, 0x00, OP.localTee, TERM, OP.i32Const, 1, OP.i32And);
  code.push(OP.if, OP.empty, ...chunkAddress([...get(TERM), OP.i32Const, 0x7e, OP.i32And], 6));
  code.push(...addTerms(true), OP.else, ...chunkAddress(get(TERM), 5), ...addTerms(false), OP.end);
  code.push(...get(AT), OP.i32Const, 4, OP.i32Add, ...set(AT), OP.br, 0, OP.end, OP.end);
  code.push(...chunkAddress(get(OUT), 6));
  for (const [k, acc] of ACC.entries()) code.push(...get(ADDRESS), ...get(acc), ...storeAt(16 * k));
  code.push(...get(CHUNK), OP.i32Const, 1, OP.i32Add, ...set(CHUNK), OP.br, 0, OP.end, OP.end, OP.end);
  // Local declarations: 5 × i32, 4 × v128.
  return [2, 5, TYPE.i32, 4, TYPE.v128, ...code];
}

let compiled: WasmModule | null | undefined;

function compiledModule(): WasmModule | null {
  if (compiled === undefined)
    compiled = compileModule(moduleBytes([{ name: "sum", params: 4, body: sumBody() }]));
  return compiled;
}

const roundUp8 = (n: number): number => (n + 7) & ~7;

/**
 * A float32 matrix in WebAssembly memory, `sums` float64 vectors beside it, and a running
 * float64 total that lists of their rows are added to.
 *
 * @example
 * const kernel = RowSums.of(new Float32Array([1, 2, 3, 4]), 2, 2, 1);
 * if (kernel !== null) {
 *   kernel.zero();
 *   kernel.terms[0] = kernel.rowTerm(0);
 *   kernel.terms[1] = kernel.rowTerm(1);
 *   kernel.add(2);
 *   const mean = new Float64Array(2);
 *   kernel.scaled(0.5, mean); // mean = [2, 3]
 * }
 */
export class RowSums {
  /** The term list {@link RowSums.add} reads: {@link RowSums.rowTerm} and {@link RowSums.sumTerm} values. */
  readonly terms: Int32Array;
  /**
   * The kept float64 vectors: vector s is `sums[s · stride .. s · stride + dim)` (the
   * components past dim are zero and must stay zero).
   */
  readonly sums: Float64Array;
  /** Components between two kept vectors (dim rounded up to eight). */
  readonly stride: number;
  private readonly dim: number;
  private readonly total: Float64Array;
  private readonly matrix: Float32Array;
  private readonly run: SumFunction;
  private readonly termsAt: number;
  private readonly matrixAt: number;
  private readonly sumsAt: number;

  private constructor(module: WasmModule, matrix: Float32Array, rows: number, dim: number, sums: number) {
    const api = wasmApi();
    if (api === undefined) throw new Error("RowSums: WebAssembly is missing although the module compiled");
    this.dim = dim;
    const stride = roundUp8(dim);
    this.stride = stride;
    this.termsAt = stride * 8;
    this.matrixAt = this.termsAt + TERMS * 4;
    this.sumsAt = this.matrixAt + rows * stride * 4;
    const memory = new api.Memory({ initial: Math.ceil((this.sumsAt + sums * stride * 8) / PAGE) });
    this.run = new api.Instance(module, { env: { memory } }).exports["sum"] as SumFunction;
    this.total = new Float64Array(memory.buffer, 0, stride);
    this.terms = new Int32Array(memory.buffer, this.termsAt, TERMS);
    this.matrix = new Float32Array(memory.buffer, this.matrixAt, rows * stride);
    this.load(matrix);
    this.sums = new Float64Array(memory.buffer, this.sumsAt, sums * stride);
  }

  /** Copies `matrix` (of the shape this kernel was made for) again, after it changed in place. */
  load(matrix: Float32Array): void {
    const { dim, stride } = this;
    const rows = this.matrix.length / stride;
    if (matrix.length !== rows * dim)
      throw new Error(`RowSums.load: ${matrix.length} values for ${rows} × ${dim}`);
    for (let r = 0; r < rows; r++) this.matrix.set(matrix.subarray(r * dim, r * dim + dim), r * stride);
  }

  /**
   * The kernel for the `rows × dim` row-major `matrix` with room for `sums` kept vectors, or
   * null without WebAssembly SIMD, when the padded matrix passes `MAX_MATRIX_BYTES` (256 MiB), or
   * when the runtime has no memory for the copy.
   * The matrix is copied: later changes to it are not seen.
   */
  static of(matrix: Float32Array, rows: number, dim: number, sums: number): RowSums | null {
    if (rows * roundUp8(dim) * 4 > MAX_MATRIX_BYTES || dim <= 0) return null;
    const module = compiledModule();
    if (module === null) return null;
    try {
      return new RowSums(module, matrix, rows, dim, sums);
    } catch (error) {
      // No memory for the copy (WebAssembly.Memory throws a RangeError): the scalar path still works.
      if (error instanceof RangeError) return null;
      throw error;
    }
  }

  /** The term of matrix row `row`. */
  rowTerm(row: number): number {
    return this.matrixAt + row * this.stride * 4;
  }

  /** The term of kept vector `slot`. */
  sumTerm(slot: number): number {
    return (this.sumsAt + slot * this.stride * 8) | 1;
  }

  /** Sets the running total to zero. */
  zero(): void {
    this.total.fill(0);
  }

  /** Adds `terms[0 .. count)` to the running total, in that order (count at most `TERMS` (16,384)). */
  add(count: number): void {
    if (count > 0) this.run(this.termsAt, count, 0, this.stride >> 3);
  }

  /** out[d] = total[d] · scale for d in [0, dim). */
  scaled(scale: number, out: Float64Array): void {
    const total = this.total;
    for (let d = 0; d < this.dim; d++) out[d] = (total[d] as number) * scale;
  }
}
