import { type ManifestInput, saveModel, type TrainedModel } from "../../artifact/index.ts";
import { type RunRecord, TextkitError } from "../../core/index.ts";
import {
  type BehaviourEvent,
  type CatalogItem,
  type CatalogItemInput,
  catalogItemOf,
  type EventWeights,
  type Interactions,
  InteractionsBuilder,
  type ItemCatalog,
} from "../../data/index.ts";
import type { Explanation, History, ScoringEngine } from "./engine.ts";
import {
  evaluateRanking,
  type RankingModel,
  type RecommenderEvaluation,
  type RecommenderEvaluationOptions,
} from "./evaluate.ts";
import { FactorEngine } from "./factors.ts";
import { topK } from "./matrix.ts";
import type { RecommenderOptions } from "./options.ts";
import { PopularityEngine } from "./popularity.ts";
import { recommenderArtifactParts } from "./recommender-save.ts";
import {
  type CommonState,
  MAX_RECOMMENDATIONS,
  type Recommendation,
  type RecommendationReason,
  type RecommendOptions,
} from "./recommender-types.ts";

export type {
  CommonState,
  Recommendation,
  RecommendationReason,
  RecommenderTrainingData,
  RecommendOptions,
} from "./recommender-types.ts";
export { MAX_RECOMMENDATIONS, RECOMMENDER_FAMILY, RECOMMENDER_TASK } from "./recommender-types.ts";

/**
 * A trained recommender. Create one with `trainRecommender` or `loadRecommender`.
 *
 * What a server needs: `recommend(user, options)` for a list with reasons, `addEvents`
 * to take new behaviour (the user's recommendations change at once, without retraining),
 * `addItems` for new catalogue items (recommended through their text by the content and
 * hybrid models), and the counts `items` and `users`.
 */
export class Recommender
  implements
    RankingModel,
    TrainedModel<readonly string[], Recommendation[][], Interactions, RecommenderEvaluation>
{
  readonly options: RecommenderOptions;
  readonly runRecord: RunRecord | null;
  readonly catalog: ItemCatalog;
  /** The weight of each event type, as in the training data. */
  readonly weights: EventWeights;
  /** @internal */
  readonly engine: ScoringEngine;
  private readonly state: CommonState;
  private readonly userMap = new Map<string, number>();
  private readonly fallback: PopularityEngine;
  private itemCategory = new Int32Array(0);
  private readonly categoryIds = new Map<string, number>();
  private scores = new Float32Array(0);
  private allowed = new Uint8Array(0);

  constructor(
    options: RecommenderOptions,
    state: CommonState,
    engine: ScoringEngine,
    runRecord: RunRecord | null,
  ) {
    this.options = options;
    this.state = state;
    this.catalog = state.catalog;
    this.weights = state.weights;
    this.engine = engine;
    this.runRecord = runRecord;
    this.fallback = new PopularityEngine(state.popularity);
    for (let u = 0; u < state.userIds.length; u++) this.userMap.set(state.userIds[u]!, u);
    this.indexCategories();
  }

  /** The model: popularity, knn, als, bpr, content or hybrid. */
  get model(): RecommenderOptions["model"] {
    return this.options.model;
  }

  /** Items in the catalogue. */
  get items(): number {
    return this.catalog.size;
  }

  /** Users with a history (trained, or added by addEvents). */
  get users(): number {
    return this.state.userIds.length;
  }

  /** Whether the model has events of this user. */
  hasUser(id: string): boolean {
    return this.userMap.has(id);
  }

  /** The catalogue item with this id, or undefined. */
  item(id: string): CatalogItem | undefined {
    const i = this.catalog.indexOf(id);
    return i < 0 ? undefined : this.catalog.at(i);
  }

  /** The items a user has engaged with and the total weight of their events on each (empty for an unknown user). */
  history(user: string): { item: string; weight: number }[] {
    const row = this.state.histories.get(this.userIndexOf(user));
    return Array.from(row.indices, (i, p) => ({ item: this.catalog.at(i).id, weight: row.data[p]! }));
  }

  /**
   * The model contract's batch verb: `recommend` for each user, one list per user in order.
   *
   * @example
   * const [forA, forB] = model.predict(["u1", "u2"], { k: 5 });
   */
  predict(users: readonly string[], options: RecommendOptions = {}): Recommendation[][] {
    return users.map((user) => this.recommend(user, options));
  }

  /**
   * The best `k` items for a user, each with a score and a reason. A user the model does
   * not know (or who has no events) gets the most popular items; a user with only a few
   * events gets items related to those.
   *
   * @example
   * model.recommend("u42", { k: 5, category: "Drama" });
   * // [{ item: "m50", score: 1.93, title: "Star Wars (1977)", category: "Action",
   * //    reason: { kind: "liked", text: 'because you liked "Alien (1979)"', item: "m183" } }, ...]
   */
  recommend(user: string, options: RecommendOptions = {}): Recommendation[] {
    const k = options.k ?? 10;
    if (!Number.isInteger(k) || k < 1 || k > MAX_RECOMMENDATIONS) {
      throw new TextkitError(
        "OPTION_INVALID",
        `k must be a whole number from 1 to ${MAX_RECOMMENDATIONS}, got ${k}`,
      );
    }
    const u = this.userIndexOf(user);
    const history = this.state.histories.get(u);
    const categories =
      options.category === undefined
        ? null
        : typeof options.category === "string"
          ? [options.category]
          : options.category;
    const out = new Int32Array(k);
    const ranked = this.rank(u, history, k, options.excludeSeen ?? true, categories, out);
    const result: Recommendation[] = [];
    const popularity = this.state.popularity.scores;
    for (let t = 0; t < ranked.count; t++) {
      const j = out[t]!;
      const item = this.catalog.at(j);
      const fromEngine = t < ranked.fromEngine;
      const explanation: Explanation = fromEngine
        ? ranked.engine.explain(u, history, j)
        : { kind: "popular", source: -1 };
      result.push({
        item: item.id,
        score: fromEngine ? this.scores[j]! : popularity[j]!,
        title: item.title,
        category: item.category,
        reason: this.reason(explanation, history, item),
      });
    }
    return result;
  }

  /**
   * The `k` items most like `item`, each with a score and a reason naming it: for ALS and
   * BPR the cosine of the item factors; for the other models the engine's ranking for a
   * reader of that one item (item-kNN's neighbours, the text's closest, the hybrid's blend).
   * An unknown id is DATA_UNKNOWN_ITEM.
   *
   * @example
   * model.similar("m50", 5); // [{ item: "m172", title: "Empire Strikes Back, The (1980)", ... }]
   */
  similar(id: string, k = 10): Recommendation[] {
    const i = this.catalog.indexOf(id);
    if (i < 0) throw new TextkitError("DATA_UNKNOWN_ITEM", `item "${id}" is not in the catalogue`);
    if (!Number.isInteger(k) || k < 1 || k > MAX_RECOMMENDATIONS) {
      throw new TextkitError(
        "OPTION_INVALID",
        `k must be a whole number from 1 to ${MAX_RECOMMENDATIONS}, got ${k}`,
      );
    }
    const history: History = { indices: Int32Array.of(i), data: Float32Array.of(1) };
    const out = new Int32Array(k);
    let count: number;
    let fromEngine: number;
    if (this.engine instanceof FactorEngine) {
      const n = this.catalog.size;
      if (this.scores.length !== n) {
        this.scores = new Float32Array(n);
        this.allowed = new Uint8Array(n);
      }
      this.engine.cosines(i, this.scores);
      this.allowed.fill(1);
      this.allowed[i] = 0;
      count = topK(this.scores, this.allowed, k, out);
      fromEngine = count;
    } else {
      ({ count, fromEngine } = this.rank(-1, history, k, true, null, out));
    }
    const seen = this.catalog.at(i);
    const name = JSON.stringify(seen.title.length > 0 ? seen.title : seen.id);
    return Array.from(out.subarray(0, count), (j, t) => {
      const item = this.catalog.at(j);
      return {
        item: item.id,
        score: t < fromEngine ? this.scores[j]! : this.state.popularity.scores[j]!,
        title: item.title,
        category: item.category,
        reason:
          t < fromEngine
            ? { kind: "similar" as const, text: `similar to ${name}`, item: seen.id }
            : {
                kind: "popular" as const,
                text: item.category.length > 0 ? `popular in ${item.category}` : "popular",
              },
      };
    });
  }

  /**
   * Records new behaviour events and refreshes the recommendations of the users they touch,
   * without retraining: their histories (item-kNN, content, hybrid), their factors (ALS
   * solves them from the item factors, BPR fits them by SGD) and popularity take the
   * events at once. New users are added. Validates every event first (unknown item or type,
   * bad value or timestamp: a TextkitError naming the event), so a bad batch changes nothing.
   * An event without a timestamp happens now. Returns the ids of the users touched.
   *
   * @example
   * model.addEvents([{ user: "u42", item: "m7", type: "like" }]); // ["u42"]
   */
  addEvents(events: readonly BehaviourEvent[]): string[] {
    const now = this.state.timed ? Date.now() / 1000 : this.state.popularity.latest + 1;
    const builder = new InteractionsBuilder(this.catalog, this.weights, events.length);
    events.forEach((event, index) => {
      const timestamp = event.timestamp === undefined || event.timestamp === null ? now : event.timestamp;
      builder.add({ ...event, timestamp }, { index });
    });
    const batch = builder.build("addEvents");
    const touched: string[] = [];
    const items = new Map<number, number[]>();
    const weights = new Map<number, number[]>();
    for (let r = 0; r < batch.length; r++) {
      const id = batch.users[batch.user[r]!]!;
      let u = this.userMap.get(id);
      if (u === undefined) {
        u = this.state.userIds.length;
        this.state.userIds.push(id);
        this.userMap.set(id, u);
      }
      if (!items.has(u)) {
        items.set(u, []);
        weights.set(u, []);
        touched.push(id);
      }
      items.get(u)!.push(batch.item[r]!);
      weights.get(u)!.push(batch.weight[r]!);
      this.state.popularity.add(batch.item[r]!, batch.weight[r]!, batch.time[r]!);
    }
    for (const [u, list] of items) {
      const history = this.state.histories.add(u, list, weights.get(u)!);
      this.engine.updateUser(u, history);
    }
    return touched;
  }

  /**
   * Adds items to the catalogue. They have no events yet: the content and hybrid models
   * recommend them through their text, popularity once users engage with them. Returns the
   * ids added; an id the catalogue has already is DATA_DUPLICATE_ID, and nothing is added.
   * On a model whose item vectors come from a pretrained encoder, use `addItemsAsync`: here
   * such items get no text vector (popularity only).
   *
   * @example
   * model.addItems([{ id: "m2001", title: "Arrival", tags: ["Sci-Fi"], category: "Sci-Fi" }]);
   */
  addItems(items: readonly CatalogItemInput[]): string[] {
    return this.addParsed(this.parseNewItems(items));
  }

  /**
   * `addItems` that first embeds the new items' text when the content vectors come from a
   * pretrained encoder (the model trained, or loaded with `{ encoder }`); for every other
   * model the same as `addItems`.
   *
   * @example
   * await model.addItemsAsync([{ id: "m2001", title: "Arrival", category: "Sci-Fi" }]);
   */
  async addItemsAsync(items: readonly CatalogItemInput[]): Promise<string[]> {
    const parsed = this.parseNewItems(items);
    await this.engine.prepareItems?.(parsed);
    return this.addParsed(parsed);
  }

  /** The new items, checked: no id twice, none the catalogue has (DATA_DUPLICATE_ID). */
  private parseNewItems(items: readonly CatalogItemInput[]): CatalogItem[] {
    const parsed = items.map((input, index) => catalogItemOf(input, { index }));
    const ids = new Set<string>();
    parsed.forEach((item, index) => {
      if (this.catalog.indexOf(item.id) >= 0 || ids.has(item.id)) {
        throw new TextkitError(
          "DATA_DUPLICATE_ID",
          `item ${index + 1}: id "${item.id}" is in the catalogue already`,
          { details: { index } },
        );
      }
      ids.add(item.id);
    });
    return parsed;
  }

  private addParsed(parsed: readonly CatalogItem[]): string[] {
    for (const item of parsed) this.catalog.add(item);
    const count = this.catalog.size;
    this.state.popularity.growItems(count, (i) => (this.state.timed ? this.catalog.at(i).createdAt : null));
    this.state.ratings?.growItems(count);
    this.engine.growItems(count);
    this.indexCategories();
    return parsed.map((item) => item.id);
  }

  /** The predicted rating of a user for an item (the rating baseline), or null without ratings in the training data. */
  predictRating(user: string, item: string): number | null {
    const i = this.catalog.indexOf(item);
    if (i < 0) throw new TextkitError("DATA_UNKNOWN_ITEM", `item "${item}" is not in the catalogue`);
    return this.ratingAt(this.userIndexOf(user), i);
  }

  /**
   * Ranking metrics at k on held-out events (see evaluateRanking), and RMSE/MAE of the
   * rating baseline on held-out ratings.
   *
   * @example
   * const { ranking } = model.evaluate(test, { k: 10 }); // ranking.ndcg, ranking.hitRate...
   */
  evaluate(test: Interactions, options: RecommenderEvaluationOptions = {}): RecommenderEvaluation {
    return evaluateRanking(this, test, options);
  }

  /** Writes the model directory atomically (see `saveModel`). */
  async save(dir: string): Promise<void> {
    await saveModel(this, dir);
  }

  /** @internal */
  userIndexOf(id: string): number {
    return this.userMap.get(id) ?? -1;
  }

  /** @internal */
  seenItems(user: number): Int32Array {
    return this.state.histories.get(user).indices;
  }

  /** @internal */
  topItems(user: number, k: number): Int32Array {
    const out = new Int32Array(k);
    const ranked = this.rank(user, this.state.histories.get(user), k, true, null, out);
    return out.subarray(0, ranked.count);
  }

  /** @internal */
  ratingAt(user: number, item: number): number | null {
    return this.state.ratings === null ? null : this.state.ratings.predict(user, item);
  }

  /**
   * The top k item indices into `out`: the engine's best (or popularity's, for a user
   * without history), then, where the engine has no evidence (item-kNN and content score
   * 0), popular items to fill the list.
   */
  private rank(
    user: number,
    history: History,
    k: number,
    excludeSeen: boolean,
    categories: readonly string[] | null,
    out: Int32Array,
  ): { count: number; fromEngine: number; engine: ScoringEngine } {
    const n = this.catalog.size;
    if (this.scores.length !== n) {
      this.scores = new Float32Array(n);
      this.allowed = new Uint8Array(n);
    }
    const allowed = this.allowed;
    if (categories === null) allowed.fill(1);
    else {
      const wanted = new Set<number>();
      for (const c of categories) {
        const id = this.categoryIds.get(c);
        if (id !== undefined) wanted.add(id);
      }
      for (let j = 0; j < n; j++) allowed[j] = wanted.has(this.itemCategory[j]!) ? 1 : 0;
    }
    if (excludeSeen) for (let p = 0; p < history.indices.length; p++) allowed[history.indices[p]!] = 0;
    const engine = history.indices.length === 0 ? this.fallback : this.engine;
    engine.score(user, history, allowed, this.scores);
    let count = topK(this.scores, allowed, k, out);
    if (engine.sparseScores) while (count > 0 && !(this.scores[out[count - 1]!]! > 0)) count--;
    const fromEngine = count;
    if (count < k) {
      for (let t = 0; t < count; t++) allowed[out[t]!] = 0;
      count += topK(this.state.popularity.scores, allowed, k - count, out.subarray(count));
    }
    return { count, fromEngine, engine };
  }

  private reason(explanation: Explanation, history: History, item: CatalogItem): RecommendationReason {
    if (explanation.kind !== "popular" && explanation.source >= 0) {
      const seen = this.catalog.at(history.indices[explanation.source]!);
      const name = JSON.stringify(seen.title.length > 0 ? seen.title : seen.id);
      return {
        kind: explanation.kind,
        text:
          explanation.kind === "liked" ? `because you liked ${name}` : `similar to your interest in ${name}`,
        item: seen.id,
      };
    }
    return { kind: "popular", text: item.category.length > 0 ? `popular in ${item.category}` : "popular" };
  }

  private indexCategories(): void {
    const n = this.catalog.size;
    const old = this.itemCategory.length;
    if (old === n) return;
    const next = new Int32Array(n);
    next.set(this.itemCategory.subarray(0, Math.min(old, n)));
    for (let j = old; j < n; j++) {
      const name = this.catalog.at(j).category;
      let id = this.categoryIds.get(name);
      if (id === undefined) {
        id = this.categoryIds.size;
        this.categoryIds.set(name, id);
      }
      next[j] = id;
    }
    this.itemCategory = next;
  }

  /** @internal What `save` writes. */
  artifactParts(): { manifest: ManifestInput; files: Record<string, Uint8Array> } {
    return recommenderArtifactParts(this.options, this.state, this.engine, this.runRecord);
  }
}
