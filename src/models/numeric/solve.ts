/**
 * The exact solvers, built on ml-matrix's factorisations (no hand-written QR or Cholesky):
 *
 * - OLS: the QR factorisation of [1 X y] is accumulated block by block (each step factors
 *   the previous R stacked on the next rows), so the data streams past once and the
 *   condition number is never squared. With R = [[R₁, z], [0, ρ]], the coefficients solve
 *   R₁β = z, the residual sum of squares is ρ², and (XᵀX)⁻¹ = R₁⁻¹R₁⁻ᵀ gives the standard
 *   errors. A design column whose diagonal entry in R is negligible beside its norm is a
 *   linear combination of the columns before it; R also says of which.
 * - Ridge, and OLS where the normal equations are safe: the centred Gram matrix, in gram.ts.
 */
import { inverse, Matrix, QrDecomposition, solve } from "ml-matrix";
import { TextkitError } from "../../core/index.ts";

/**
 * A design column counts as a linear combination of the columns before it when the part of
 * it they do not explain is this small beside its own length: a condition number of at
 * least 1e9, where the coefficients would be noise.
 */
export const RANK_TOLERANCE = 1e-9;

/** Rows factored at once; small enough for the stacked matrix to stay in cache. */
const QR_BLOCK_ROWS = 1024;

export interface OlsSolution {
  /** Intercept first, then one coefficient per design column. */
  beta: Float64Array;
  /** Covariance of `beta`: σ²(XᵀX)⁻¹ with σ² = RSS / (n - p - 1); NaN without residual degrees of freedom. */
  covariance: Float64Array;
  rss: number;
  rows: number;
}

/** Streams rows of [1 x y] into the R factor of their QR factorisation. */
export class QrAccumulator {
  private readonly width: number;
  /** Columns: intercept, the design, the target. */
  private r: Matrix;
  private block: Float64Array[] = [];
  private readonly sumSquares: Float64Array;
  private rows = 0;

  constructor(designWidth: number) {
    this.width = designWidth + 2;
    // Zero rows change nothing, and keep the stacked matrix at least as tall as it is wide.
    this.r = Matrix.zeros(this.width, this.width);
    this.sumSquares = new Float64Array(this.width);
  }

  /** Adds `count` rows of the row-major design `x` (width - 2 columns) and their targets. */
  add(x: Float64Array, y: Float64Array, count: number): void {
    const p = this.width - 2;
    const sums = this.sumSquares;
    for (let i = 0; i < count; i++) {
      const row = new Float64Array(this.width);
      row[0] = 1;
      row.set(x.subarray(i * p, i * p + p), 1);
      row[p + 1] = y[i]!;
      for (let j = 0; j < this.width; j++) sums[j]! += row[j]! * row[j]!;
      this.block.push(row);
      if (this.block.length === QR_BLOCK_ROWS) this.flush();
    }
    this.rows += count;
  }

  private flush(): void {
    if (this.block.length === 0) return;
    const top = this.r.rows;
    const stacked = new Matrix(top + this.block.length, this.width);
    for (let i = 0; i < top; i++) stacked.setRow(i, this.r.getRow(i));
    for (let i = 0; i < this.block.length; i++) stacked.setRow(top + i, this.block[i]!);
    this.block = [];
    this.r = new QrDecomposition(stacked).upperTriangularMatrix;
  }

  /**
   * Solves the least-squares problem. Throws MODEL_SINGULAR naming each design column that
   * is a linear combination of earlier ones, and which ones (`names` are the design columns).
   */
  solve(names: readonly string[]): OlsSolution {
    this.flush();
    const k = this.width - 1;
    const n = this.rows;
    const full = new Matrix(this.width, this.width);
    for (let i = 0; i < this.width; i++)
      for (let j = i; j < this.width; j++) full.set(i, j, this.r.get(i, j));
    const dependent: number[] = [];
    const independent: number[] = [];
    for (let j = 0; j < k; j++) {
      const norm = Math.sqrt(this.sumSquares[j]!);
      if (norm === 0 || Math.abs(full.get(j, j)) <= RANK_TOLERANCE * norm) dependent.push(j);
      else independent.push(j);
    }
    if (dependent.length > 0) throw this.singular(full, dependent, independent, names);
    const r1 = full.subMatrix(0, k - 1, 0, k - 1);
    const z = full.subMatrix(0, k - 1, k, k);
    const beta = Float64Array.from(solve(r1, z).getColumn(0));
    const rho = full.get(k, k);
    const rss = rho * rho;
    const dof = n - k;
    const sigma2 = dof > 0 ? rss / dof : Number.NaN;
    const rInverse = inverse(r1);
    const covariance = new Float64Array(k * k);
    for (let a = 0; a < k; a++) {
      for (let b = a; b < k; b++) {
        // (R⁻¹R⁻ᵀ)[a][b] = Σ_c R⁻¹[a][c] R⁻¹[b][c]; R⁻¹ is upper triangular.
        let s = 0;
        for (let c = b; c < k; c++) s += rInverse.get(a, c) * rInverse.get(b, c);
        covariance[a * k + b] = sigma2 * s;
        covariance[b * k + a] = sigma2 * s;
      }
    }
    return { beta, covariance, rss, rows: n };
  }

  private singular(
    full: Matrix,
    dependent: number[],
    independent: number[],
    names: readonly string[],
  ): TextkitError {
    const label = (j: number): string => (j === 0 ? "the intercept" : `"${names[j - 1]}"`);
    const listed = (items: string[]): string =>
      items.length <= 1
        ? (items[0] ?? "")
        : `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
    const explanations: string[] = [];
    const collinear: { column: string; combination: string[] }[] = [];
    for (const j of dependent.slice(0, 5)) {
      const norm = Math.sqrt(this.sumSquares[j]!);
      const before = independent.filter((i) => i < j);
      let parts: number[] = [];
      if (norm > 0 && before.length > 0) {
        // RᵀR = XᵀX, so R[before, before] c = R[before, j] are the normal equations of x_j on x_before.
        const rows = before.map((a) => before.map((b) => full.get(a, b)));
        const rhs = before.map((a) => [full.get(a, j)]);
        const c = solve(new Matrix(rows), new Matrix(rhs)).getColumn(0);
        parts = before.filter((i, at) => Math.abs(c[at]!) * Math.sqrt(this.sumSquares[i]!) > 1e-6 * norm);
      }
      const name = j === 0 ? "the intercept" : names[j - 1]!;
      collinear.push({
        column: name,
        combination: parts.map((i) => (i === 0 ? "(intercept)" : names[i - 1]!)),
      });
      if (norm === 0 || (parts.length === 1 && parts[0] === 0)) {
        explanations.push(`${label(j)} has the same value in every row, which the intercept already models`);
      } else if (parts.length === 0) explanations.push(`${label(j)} is (almost) zero in every row`);
      else explanations.push(`${label(j)} is a linear combination of ${listed(parts.map(label))}`);
    }
    const more = dependent.length > 5 ? ` (and ${dependent.length - 5} more)` : "";
    const fewRows =
      this.rows < this.width - 1
        ? `; with ${this.rows} rows, at most ${this.rows} columns can be independent`
        : "";
    return new TextkitError(
      "MODEL_SINGULAR",
      `the design matrix is singular: ${explanations.join("; ")}${more}${fewRows}`,
      { details: { collinear } },
    );
  }
}
