/**
 * The average of the CRF's SGD weights over the steps since the last reset (Polyak–Ruppert
 * averaging, as the perceptron averages its weights), kept lazily so each step touches
 * only the sentence's features.
 *
 * SGD keeps the true weights as w_t = d_t · v_t (crf.ts: d is the decay factor, v moves by
 * sparse steps u_t = v_t − v_{t−1}). With D_t = d_1 + … + d_t,
 *
 *   Σ_{t≤T} w_t = Σ_t d_t · (v_0 + Σ_{k≤t} u_k) = D_T · v_T − Σ_k D_{k−1} · u_k,
 *
 * so it is enough to add D_{k−1} · u_k to one accumulator at each step (as sparse as u_k)
 * and to add d_t to the scalar D. D · v_T and the accumulator both grow as the decay
 * shrinks while the average does not, and v is float32; so when d is folded into v
 * (v ← d · v, d ← 1) the sum so far is moved into the accumulator (acc ← acc − D · v,
 * D ← 0), which keeps Σ w_t = D · v − acc exact with D · v of the size of the weights.
 */
import { emptyWeights } from "./perceptron.ts";
import type { TaggerWeights } from "./sequence-tagger.ts";

const PARTS = ["emit", "trans", "start", "end"] as const;

/** Accumulated Σ_k D_{k−1} · u_k per weight, with D and the step count. */
export class CrfAverage {
  /** Σ_k D_{k−1} · u_k minus the sums moved in at folds, per weight (crf.ts adds to it). */
  readonly acc: { emit: Float64Array; trans: Float64Array; start: Float64Array; end: Float64Array };
  private readonly averaged: TaggerWeights;
  /** D: the sum of the decay factors of the steps so far, in v's current scale. */
  private total = 0;
  private steps = 0;

  constructor(rows: number, T: number) {
    this.acc = {
      emit: new Float64Array(rows * T),
      trans: new Float64Array(T * T),
      start: new Float64Array(T),
      end: new Float64Array(T),
    };
    this.averaged = emptyWeights(rows, T);
  }

  /** D before the current step: the factor of this step's update in the accumulator. */
  get before(): number {
    return this.total;
  }

  /** After a step whose weights are decay · v. */
  counted(decay: number): void {
    this.total += decay;
    this.steps++;
  }

  /** Before v is multiplied by its decay factor (and the decay set to 1): moves D · v into the accumulator. */
  fold(v: TaggerWeights): void {
    const { total } = this;
    if (total === 0) return;
    for (const part of PARTS) {
      const acc = this.acc[part];
      const src = v[part];
      for (let i = 0; i < acc.length; i++) acc[i] = (acc[i] ?? 0) - total * (src[i] ?? 0);
    }
    this.total = 0;
  }

  /** Starts a new average (from the next step on). */
  reset(): void {
    for (const part of PARTS) this.acc[part].fill(0);
    this.total = 0;
    this.steps = 0;
  }

  /** The average of the true weights over the steps since the reset; `v` itself when none. */
  weights(v: TaggerWeights): TaggerWeights {
    for (const part of PARTS) {
      const out = this.averaged[part];
      const src = v[part];
      const acc = this.acc[part];
      if (this.steps === 0) {
        out.set(src);
        continue;
      }
      const { total, steps } = this;
      for (let i = 0; i < out.length; i++) out[i] = (total * (src[i] ?? 0) - (acc[i] ?? 0)) / steps;
    }
    return this.averaged;
  }
}
