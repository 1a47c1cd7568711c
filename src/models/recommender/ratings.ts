/**
 * A baseline rating predictor (Koren 2008): the mean rating plus a user bias and an item
 * bias, each shrunk towards zero when based on few ratings. It is what RMSE and MAE are
 * reported for: the implicit models rank, they do not predict stars.
 */
import { TextkitError } from "../../core/index.ts";
import type { Interactions } from "../../data/index.ts";

/** Shrinkage of the item and user biases (ratings' worth of prior towards 0). */
const ITEM_SHRINK = 25;
const USER_SHRINK = 10;

export class RatingBaseline {
  readonly mean: number;
  readonly min: number;
  readonly max: number;
  readonly userBias: Float32Array;
  itemBias: Float32Array;

  constructor(mean: number, min: number, max: number, userBias: Float32Array, itemBias: Float32Array) {
    this.mean = mean;
    this.min = min;
    this.max = max;
    this.userBias = userBias;
    this.itemBias = itemBias;
  }

  /**
   * Fits the biases on the events whose type weighs its value (ratings); null when there
   * are none.
   */
  static fit(data: Interactions): RatingBaseline | null {
    const rated = data.types.map((t) => data.weights[t] === "value");
    const rows: number[] = [];
    for (let r = 0; r < data.length; r++)
      if (rated[data.type[r]!] && Number.isFinite(data.value[r]!)) rows.push(r);
    if (rows.length === 0) return null;
    let sum = 0;
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (const r of rows) {
      const v = data.value[r]!;
      sum += v;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    const mean = sum / rows.length;
    const items = data.catalog.size;
    const users = data.users.length;
    const itemSum = new Float64Array(items);
    const itemCount = new Float64Array(items);
    for (const r of rows) {
      itemSum[data.item[r]!]! += data.value[r]! - mean;
      itemCount[data.item[r]!]!++;
    }
    const itemBias = new Float32Array(items);
    for (let i = 0; i < items; i++) itemBias[i] = itemSum[i]! / (ITEM_SHRINK + itemCount[i]!);
    const userSum = new Float64Array(users);
    const userCount = new Float64Array(users);
    for (const r of rows) {
      userSum[data.user[r]!]! += data.value[r]! - mean - itemBias[data.item[r]!]!;
      userCount[data.user[r]!]!++;
    }
    const userBias = new Float32Array(users);
    for (let u = 0; u < users; u++) userBias[u] = userSum[u]! / (USER_SHRINK + userCount[u]!);
    return new RatingBaseline(mean, min, max, userBias, itemBias);
  }

  /** The predicted rating, within the range of the training ratings (user -1: unknown). */
  predict(user: number, item: number): number {
    const bu = user >= 0 && user < this.userBias.length ? this.userBias[user]! : 0;
    const bi = item < this.itemBias.length ? this.itemBias[item]! : 0;
    return Math.min(this.max, Math.max(this.min, this.mean + bu + bi));
  }

  growItems(count: number): void {
    if (count <= this.itemBias.length) return;
    const b = new Float32Array(count);
    b.set(this.itemBias);
    this.itemBias = b;
  }

  /** [mean, min, max, users, items, user biases..., item biases...] as float32. */
  toFloats(): Float32Array {
    const out = new Float32Array(5 + this.userBias.length + this.itemBias.length);
    out.set([this.mean, this.min, this.max, this.userBias.length, this.itemBias.length]);
    out.set(this.userBias, 5);
    out.set(this.itemBias, 5 + this.userBias.length);
    return out;
  }

  static fromFloats(a: Float32Array, where: string): RatingBaseline {
    const users = a[3]!;
    const items = a[4]!;
    if (
      !(a.length >= 5 && Number.isInteger(users) && Number.isInteger(items) && a.length === 5 + users + items)
    ) {
      throw new TextkitError("ARTIFACT_CORRUPT", `the rating baseline in ${where} is damaged`, {
        file: where,
      });
    }
    return new RatingBaseline(a[0]!, a[1]!, a[2]!, a.slice(5, 5 + users), a.slice(5 + users));
  }
}
