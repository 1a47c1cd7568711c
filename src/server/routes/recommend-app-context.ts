/**
 * What the recommend application's routes share (recommend-app.ts): its store, opened once;
 * the A/B split and the served model of each variant; intake of events into the store and
 * every model of the split; a user's list with its impressions logged; interest matchers.
 */
import {
  type AppEventInput,
  assignVariant,
  type IntakeResult,
  InterestMatcher,
  RecommendStore,
  type SplitConfig,
  type Variant,
} from "../../apps/recommend/index.ts";
import type { DatabaseHandle } from "../database-handle.ts";
import type { ServerMetrics } from "../metrics.ts";
import type { ModelRegistry, RecommenderPredictor, ServedModel } from "../registry.ts";
import type { ServedEvents } from "../served-events.ts";
import { recommenderOf } from "./recommend.ts";

export interface RecommendAppRoutesOptions {
  registry: ModelRegistry;
  database: DatabaseHandle;
  served: ServedEvents;
  metrics: ServerMetrics;
  maxBatch: number;
}

/** One variant of the split with its served model. */
export interface Arm {
  variant: Variant;
  model: ServedModel;
  recommender: RecommenderPredictor;
}

/** The state and steps the recommend application's routes share. */
export class RecommendApp {
  readonly served: ServedEvents;
  readonly maxBatch: number;
  private readonly registry: ModelRegistry;
  private readonly database: DatabaseHandle;
  private readonly metrics: ServerMetrics;
  private opened: Promise<RecommendStore> | null = null;
  private readonly matchers = new WeakMap<RecommenderPredictor, InterestMatcher>();

  constructor(options: RecommendAppRoutesOptions) {
    this.registry = options.registry;
    this.database = options.database;
    this.served = options.served;
    this.metrics = options.metrics;
    this.maxBatch = options.maxBatch;
  }

  /** The application's store, opened on first use (again after a failed open). */
  store(): Promise<RecommendStore> {
    const opened = this.opened ?? this.database.get().then((db) => RecommendStore.open(db));
    this.opened = opened;
    opened.catch(() => {
      this.opened = null;
    });
    return opened;
  }

  /** The interest matcher of a recommender's catalogue, rebuilt when the catalogue grows. */
  matcherOf(recommender: RecommenderPredictor): InterestMatcher {
    const items = recommender.catalogItems();
    let matcher = this.matchers.get(recommender);
    if (matcher === undefined || matcher.size !== items.length) {
      matcher = new InterestMatcher(items);
      this.matchers.set(recommender, matcher);
    }
    return matcher;
  }

  async splitOf(name: string): Promise<SplitConfig> {
    return (await this.store()).split(name, { control: name, treatment: null, share: 0 });
  }

  armOf(variant: Variant, modelName: string): Arm {
    const model = this.registry.resolve(modelName);
    return { variant, model, recommender: recommenderOf(model) };
  }

  armsOf(split: SplitConfig): Arm[] {
    return [
      this.armOf("control", split.control),
      ...(split.treatment === null ? [] : [this.armOf("treatment", split.treatment)]),
    ];
  }

  userArm(name: string, split: SplitConfig, user: string): Arm {
    const assigned = assignVariant(name, user, split);
    return this.armOf(assigned.variant, assigned.model);
  }

  /** Stores and applies a batch to every model of the split, with the metrics of what it did. */
  async intake(name: string, events: readonly AppEventInput[]): Promise<IntakeResult> {
    const arms = this.armsOf(await this.splitOf(name));
    await this.served.events();
    const known = (item: string) => arms.every((a) => a.recommender.item(item) !== undefined);
    const result = await (await this.store()).intake(name, events, known, async (accepted, tx) => {
      if (accepted.length === 0) return;
      for (const arm of arms) await this.served.recordWithin(tx, arm.model, arm.recommender, accepted);
    });
    for (const o of result.outcomes) {
      const labels = { app: name, model: o.model, version: o.version, variant: o.variant };
      (o.kind === "click" ? this.metrics.recommendClicks : this.metrics.recommendConversions).inc(labels);
    }
    const issues = [
      ["duplicate", result.duplicates],
      ["unknown_item", result.unknownItems.length],
      ["out_of_order", result.outOfOrder],
    ] as const;
    for (const [kind, n] of issues) if (n > 0) this.metrics.recommendEventIssues.inc({ app: name, kind }, n);
    return result;
  }

  /** The user's list from their variant's model, each item logged as an impression. */
  async recommend(name: string, user: string, k: number, category?: string) {
    const arm = this.userArm(name, await this.splitOf(name), user);
    await this.served.catchUp(arm.model, arm.recommender, user);
    const items = arm.recommender.recommend(user, { k, ...(category === undefined ? {} : { category }) });
    const servedBy = { model: arm.model.name, version: arm.model.version, variant: arm.variant, user };
    const shown = await (await this.store()).logImpressions(
      name,
      servedBy,
      items.map((r, i) => ({ item: r.item, position: i + 1 })),
    );
    this.metrics.recommendImpressions.inc(
      { app: name, model: arm.model.name, version: arm.model.version, variant: arm.variant },
      shown.length,
    );
    return {
      app: name,
      user,
      variant: arm.variant,
      model: arm.model.name,
      engine: arm.recommender.model,
      version: arm.model.version,
      items: items.map((r, i) => ({ ...r, position: i + 1, impression: impressionId(shown, i) })),
    };
  }
}

/** The id of the impression logged for position i (one is logged per item shown). */
function impressionId(shown: readonly { id: string }[], i: number): string {
  const impression = shown[i];
  if (impression === undefined) throw new Error(`no impression was logged for position ${i + 1}`);
  return impression.id;
}
