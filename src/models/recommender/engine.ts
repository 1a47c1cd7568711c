/**
 * The seam between the recommender and its scoring methods. A Recommender keeps what is
 * common (the catalogue, user histories, popularity, filters, reasons, artifacts); an
 * engine only scores items for a user and says which seen item explains a score.
 */
import type { TrainHooks } from "../../core/index.ts";
import type { CatalogItem } from "../../data/index.ts";
import type { SparseRow } from "./matrix.ts";

/** The engines; a hybrid combines several. */
export const ENGINE_NAMES = ["popularity", "knn", "als", "bpr", "content"] as const;
export type EngineName = (typeof ENGINE_NAMES)[number];

/** How a recommendation is explained. */
export const REASON_KINDS = ["liked", "similar", "popular"] as const;
export type ReasonKind = (typeof REASON_KINDS)[number];

/** A user's history: items (sorted) and the summed weight of their events on each. */
export type History = SparseRow;

/** Why an item was recommended: the kind of reason and the position in the history of the seen item behind it (-1: none). */
export interface Explanation {
  kind: ReasonKind;
  source: number;
}

export interface ScoringEngine {
  readonly name: EngineName | "hybrid";
  /**
   * True when a score of 0 means "no evidence" (item-kNN, content): the recommender fills
   * such places with popular items instead of ranking arbitrary ones.
   */
  readonly sparseScores: boolean;
  /**
   * Writes a score for every catalogue item into `out` (higher is better). `allowed` marks
   * the items that may be recommended (1), for engines that pick candidates; others ignore it.
   */
  score(user: number, history: History, allowed: Uint8Array, out: Float32Array): void;
  /**
   * Why `item` scored as it did: "liked" or "similar" with the position in `history` of the
   * seen item that explains it best, or "popular". Called right after `score` for the same user.
   */
  explain(user: number, history: History, item: number): Explanation;
  /** The user's history changed, or the user is new (user may be past the end): refresh per-user state. */
  updateUser(user: number, history: History): void;
  /** The catalogue grew to `count` items; the new ones have no events. */
  growItems(count: number): void;
  /** Engines whose item features come asynchronously (content on an encoder) compute them here before `growItems`. */
  prepareItems?(items: readonly CatalogItem[]): Promise<void>;
  /** What `save` writes: binary files (named without a prefix) and small JSON state. */
  parts(): EngineParts;
}

export interface EngineParts {
  files: Record<string, Uint8Array>;
  state: Record<string, unknown>;
}

/** Reports the progress of one training stage through TrainHooks, at most every 200 ms. */
export class StageProgress {
  private readonly hooks: TrainHooks;
  private readonly t0 = performance.now();
  private last = 0;
  private readonly total: number;

  /** `total` units of work (events, items...) for the whole training. */
  constructor(hooks: TrainHooks, total: number) {
    this.hooks = hooks;
    this.total = Math.max(1, total);
  }

  /**
   * `done` units so far, in `epoch` of `epochs` iterations; `learningRate` for the engines
   * that have one (BPR). Returns true when the hooks ask training to stop.
   */
  report(done: number, epoch: number, epochs: number, loss: number, learningRate?: number): boolean {
    const now = performance.now();
    if (now - this.last > 200) {
      this.last = now;
      const seconds = Math.max(1e-9, (now - this.t0) / 1000);
      this.hooks.onProgress?.({
        epoch,
        epochs,
        stage: "iteration",
        progress: Math.min(1, done / this.total),
        loss,
        ...(learningRate === undefined ? {} : { learningRate }),
        speed: done / seconds,
        unit: "examples",
        etaSeconds: done > 0 ? (seconds / done) * Math.max(0, this.total - done) : Number.POSITIVE_INFINITY,
      });
    }
    return this.hooks.shouldStop?.() === true;
  }
}
