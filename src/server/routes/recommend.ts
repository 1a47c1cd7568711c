import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { TextkitError } from "../../core/index.ts";
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
import { ServedEvents } from "../served-events.ts";

export interface RecommendRoutesOptions {
  registry: ModelRegistry;
  config: ResolvedServerConfig;
  database: DatabaseHandle;
  /** The server's one ServedEvents, when other routes take events too (see served-events.ts). */
  served?: ServedEvents;
}

/** The model's recommender; a model of another family is MODEL_FAMILY_UNSUPPORTED. */
export function recommenderOf(model: ServedModel): RecommenderPredictor {
  if (model.recommender === null) {
    throw new TextkitError(
      "MODEL_FAMILY_UNSUPPORTED",
      `model '${model.name}' is a ${model.family}, not a recommender; use /v1/models/${model.name}/predict`,
    );
  }
  return model.recommender;
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
  const { registry, config } = options;
  const served = options.served ?? new ServedEvents(options.database, app.log);

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
      await served.catchUp(model, recommender, user);
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
      const { stored, users } = await served.record(model, recommender, request.body.events);
      return { model: model.name, version: model.version, recorded: stored.length, users };
    },
  );
};
