/**
 * Popularity with recency decay: every event adds its weight times 2^(-age / half-life),
 * so that what many users engaged with lately ranks first. Every recommender keeps it:
 * it is the cold start of a user without events, and a feature of the hybrid.
 */
import type { Interactions } from "../../data/index.ts";
import type { EngineParts, Explanation, History, ScoringEngine } from "./engine.ts";

const DAY = 86_400;
// 2^60 still fits a float32 many times over; events that far past the anchor saturate.
const MAX_EXPONENT = 60;

/** Decayed popularity per item, and when each item appeared. */
export class Popularity {
  /** Decayed weight per item, relative to `anchor`. */
  scores: Float32Array;
  /** Unix seconds an item appeared (its creation time, else its first event); NaN when unknown. */
  itemTime: Float64Array;
  /** The time decay is measured from: the latest training event. */
  readonly anchor: number;
  /** The latest event time seen, training or later. */
  latest: number;
  /** Null: no decay (also when events have no real times). */
  readonly halfLifeSeconds: number | null;

  constructor(
    scores: Float32Array,
    itemTime: Float64Array,
    anchor: number,
    latest: number,
    halfLifeSeconds: number | null,
  ) {
    this.scores = scores;
    this.itemTime = itemTime;
    this.anchor = anchor;
    this.latest = latest;
    this.halfLifeSeconds = halfLifeSeconds;
  }

  /**
   * Popularity of the items of `data`'s catalogue from its events.
   *
   * @example
   * const pop = Popularity.fromEvents(train, 30);
   */
  static fromEvents(data: Interactions, halfLifeDays: number | null): Popularity {
    const items = data.catalog.size;
    let anchor = Number.NEGATIVE_INFINITY;
    for (let r = 0; r < data.length; r++) if (data.time[r]! > anchor) anchor = data.time[r]!;
    if (!Number.isFinite(anchor)) anchor = 0;
    const halfLife = halfLifeDays === null || !data.timed ? null : halfLifeDays * DAY;
    const itemTime = new Float64Array(items).fill(Number.NaN);
    for (let i = 0; i < items; i++) {
      const created = data.catalog.at(i).createdAt;
      if (created !== null && data.timed) itemTime[i] = created;
    }
    const popularity = new Popularity(new Float32Array(items), itemTime, anchor, anchor, halfLife);
    for (let r = 0; r < data.length; r++) popularity.add(data.item[r]!, data.weight[r]!, data.time[r]!);
    return popularity;
  }

  /** Adds one event. */
  add(item: number, weight: number, time: number): void {
    this.scores[item]! += weight * this.decay(time);
    const seen = this.itemTime[item]!;
    if (Number.isNaN(seen) || time < seen) this.itemTime[item] = time;
    if (time > this.latest) this.latest = time;
  }

  /** The factor an event at `time` weighs, relative to one at the anchor. */
  decay(time: number): number {
    if (this.halfLifeSeconds === null) return 1;
    return 2 ** Math.min(MAX_EXPONENT, (time - this.anchor) / this.halfLifeSeconds);
  }

  /** Days since item `i` appeared, relative to the latest event; NaN when unknown. */
  ageDays(i: number): number {
    const t = this.itemTime[i]!;
    return Number.isNaN(t) ? Number.NaN : Math.max(0, this.latest - t) / DAY;
  }

  growItems(count: number, createdAt: (i: number) => number | null): void {
    const old = this.scores.length;
    if (count <= old) return;
    const scores = new Float32Array(count);
    scores.set(this.scores);
    const itemTime = new Float64Array(count).fill(Number.NaN);
    itemTime.set(this.itemTime);
    for (let i = old; i < count; i++) itemTime[i] = createdAt(i) ?? Number.NaN;
    this.scores = scores;
    this.itemTime = itemTime;
  }
}

/** The popularity model: the same list for everyone, minus what they have seen. */
export class PopularityEngine implements ScoringEngine {
  readonly name = "popularity";
  readonly sparseScores = false;
  private readonly popularity: Popularity;

  constructor(popularity: Popularity) {
    this.popularity = popularity;
  }

  score(_user: number, _history: History, _allowed: Uint8Array, out: Float32Array): void {
    out.set(this.popularity.scores);
  }

  explain(): Explanation {
    return { kind: "popular", source: -1 };
  }

  updateUser(): void {}

  growItems(): void {}

  parts(): EngineParts {
    return { files: {}, state: {} };
  }
}
