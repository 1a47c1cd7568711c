import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { TextkitError } from "../../core/index.ts";
import { RecommenderEventStore, type StoredEvent } from "../../store/index.ts";
import type { ResolvedServerConfig } from "../config.ts";
import type { DatabaseHandle } from "../database-handle.ts";
import type { ModelRegistry, RecommenderPredictor, ServedModel } from "../registry.ts";
import {
  BEARER_SECURITY,
  ERROR_RESPONSES,
  EventsResponse,
  eventsBodySchema,
  ModelParams,
  RecommendBody,
  RecommendResponse,
} from "../schemas.ts";

export interface RecommendRoutesOptions {
  registry: ModelRegistry;
  config: ResolvedServerConfig;
  database: DatabaseHandle;
}

/** Which stored events one loaded model version has taken already. */
interface Applied {
  /** Events taken before the version was saved are in its training data, presumably. */
  since: number;
  ids: Set<string>;
}

function recommenderOf(model: ServedModel): RecommenderPredictor {
  if (model.recommender === null) {
    throw new TextkitError(
      "MODEL_FAMILY_UNSUPPORTED",
      `model '${model.name}' is a ${model.family}, not a recommender; use /v1/models/${model.name}/predict`,
    );
  }
  return model.recommender;
}

function asEvent(e: StoredEvent) {
  return { user: e.user, item: e.item, type: e.type, value: e.value, timestamp: e.timestamp };
}

/**
 * Recommendations and behaviour events of recommender models (mounted under /v1).
 *
 * Events are stored in the application database before they count, and each request for
 * a user first applies that user's stored events this process has not applied yet, so
 * every worker and every server sharing the database answers with every event, and a
 * restart or a model swap loses none (events stored before a version was saved are taken
 * to be in its training data).
 *
 * @example
 * await app.register(recommendRoutes, { prefix: "/v1", registry, config, database });
 */
export const recommendRoutes: FastifyPluginAsyncTypebox<RecommendRoutesOptions> = async (app, options) => {
  const { registry, config, database } = options;
  const applied = new WeakMap<ServedModel, Applied>();
  let store: Promise<RecommenderEventStore> | null = null;
  const events = (): Promise<RecommenderEventStore> => {
    store ??= database.get().then((db) => RecommenderEventStore.open(db));
    store.catch(() => {
      store = null;
    });
    return store;
  };
  const appliedOf = (model: ServedModel): Applied => {
    let state = applied.get(model);
    if (state === undefined) {
      const saved = Date.parse(model.manifest.createdAt);
      state = { since: Number.isFinite(saved) ? saved : 0, ids: new Set() };
      applied.set(model, state);
    }
    return state;
  };

  /** Applies the user's stored events that this loaded version has not taken yet. */
  const catchUp = async (model: ServedModel, recommender: RecommenderPredictor, user: string) => {
    const state = appliedOf(model);
    const stored = await (await events()).since(model.name, user, state.since);
    for (const e of stored) {
      // Checked and marked in one synchronous step, so two requests never apply one event twice.
      if (state.ids.has(e.id)) continue;
      state.ids.add(e.id);
      try {
        recommender.addEvents([asEvent(e)]);
      } catch (error) {
        // An event an older request stored for another version (an item this one lacks):
        // skipped here, kept in the database.
        app.log.warn(
          { model: model.name, event: e.id, err: error },
          "a stored event does not fit this model version",
        );
      }
    }
  };

  app.post(
    "/models/:name/recommend",
    {
      config: { scope: "predict" },
      schema: {
        tags: ["recommenders"],
        summary: "Recommend items for a user",
        description:
          "The best items for a user with a score and a reason each, leaving out what the user has seen " +
          "unless excludeSeen is false; events sent to /events count at once.",
        params: ModelParams,
        body: RecommendBody,
        security: BEARER_SECURITY,
        response: { 200: RecommendResponse, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const model = registry.resolve(request.params.name);
      const recommender = recommenderOf(model);
      const { user, k, excludeSeen, category } = request.body;
      await catchUp(model, recommender, user);
      const items = recommender.recommend(user, {
        ...(k === undefined ? {} : { k }),
        ...(excludeSeen === undefined ? {} : { excludeSeen }),
        ...(category === undefined ? {} : { category }),
      });
      return { model: model.name, version: model.version, user, items };
    },
  );

  app.post(
    "/models/:name/events",
    {
      config: { scope: "predict" },
      schema: {
        tags: ["recommenders"],
        summary: "Record behaviour events; the users' recommendations change at once",
        description:
          "Events (view, click, like, share, purchase, rating...) are stored, then applied without " +
          "retraining. A batch with one bad event (unknown item or type, bad timestamp) is refused whole.",
        params: ModelParams,
        body: eventsBodySchema(config.maxBatch),
        security: BEARER_SECURITY,
        response: { 200: EventsResponse, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const model = registry.resolve(request.params.name);
      const recommender = recommenderOf(model);
      const state = appliedOf(model);
      let users: string[] = [];
      const stored = await (await events()).record(model.name, request.body.events, (batch) => {
        // Inside the transaction: an event the model refuses rolls the whole batch back.
        users = recommender.addEvents(batch.map(asEvent));
        for (const e of batch) state.ids.add(e.id);
      });
      return { model: model.name, version: model.version, recorded: stored.length, users };
    },
  );
};
