/**
 * The recommend application's routes (mounted under /v1/recommend/{app}): recommendations
 * served through the A/B split with every shown item logged as an impression, behaviour
 * events (clicks and conversions attributed to impressions; duplicates, unknown items and
 * late events counted and reported), online figures per model version, variant and
 * position, a user's history, similar items, and cold start for a new visitor.
 *
 * Events reach every model of the split through ServedEvents, in the same transaction as
 * the application's own rows, so the recommendations of both variants change at once.
 */
import { randomUUID } from "node:crypto";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { AppEventInput } from "../../apps/recommend/index.ts";
import { TextkitError } from "../../core/index.ts";
import {
  AppEventsResponse,
  AppItemParams,
  AppParams,
  AppRecommendBody,
  AppRecommendResponse,
  AppUserParams,
  appEventsBodySchema,
  CatalogQuery,
  CatalogResponse,
  ColdStartBody,
  ColdStartResponse,
  SimilarQuery,
  SimilarResponse,
  SplitBody,
  SplitResponse,
  StatsQuery,
  StatsResponse,
  UserResponse,
} from "../recommend-app-schemas.ts";
import { BEARER_SECURITY, ERROR_RESPONSES } from "../schemas.ts";
import { RecommendApp, type RecommendAppRoutesOptions } from "./recommend-app-context.ts";

export type { RecommendAppRoutesOptions } from "./recommend-app-context.ts";

/** Items a visitor's typed interests seed at most. */
const INTEREST_SEEDS = 5;

function countOf(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!(n >= 1 && n <= 100)) {
    throw new TextkitError("INPUT_INVALID", `the count must be a whole number from 1 to 100, got ${value}`);
  }
  return n;
}

const tags = ["recommend"];
const predict = { scope: "predict" as const };

/**
 * @example
 * await app.register(recommendAppRoutes, { prefix: "/v1", registry, database, served, metrics, maxBatch: 1000 });
 */
export const recommendAppRoutes: FastifyPluginAsyncTypebox<RecommendAppRoutesOptions> = async (
  app,
  options,
) => {
  const ctx = new RecommendApp(options);
  await app.register(servingRoutes, { ctx });
  await app.register(coldStartRoutes, { ctx });
  await app.register(figureRoutes, { ctx });
  await app.register(readingRoutes, { ctx });
};

/** Recommendations and events. */
const servingRoutes: FastifyPluginAsyncTypebox<{ ctx: RecommendApp }> = async (app, { ctx }) => {
  app.post(
    "/recommend/:app/recommend",
    {
      config: predict,
      schema: {
        tags,
        summary: "Recommend items to a user through the A/B split, logging impressions",
        params: AppParams,
        body: AppRecommendBody,
        security: BEARER_SECURITY,
        response: { 200: AppRecommendResponse, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const { user, k, category } = request.body;
      return ctx.recommend(request.params.app, user, k ?? 10, category);
    },
  );
  app.post(
    "/recommend/:app/events",
    {
      config: predict,
      schema: {
        tags,
        summary: "Record behaviour events; clicks and conversions count for the impressions they follow",
        description:
          "Every event is stored once: one sent again is counted as a duplicate, one on an item the catalogue " +
          "lacks is kept and reported, one older than its user's latest is applied and counted as out of order.",
        params: AppParams,
        body: appEventsBodySchema(ctx.maxBatch),
        security: BEARER_SECURITY,
        response: { 200: AppEventsResponse, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const result = await ctx.intake(request.params.app, request.body.events);
      return {
        app: request.params.app,
        accepted: result.accepted.length,
        duplicates: result.duplicates,
        unknownItems: result.unknownItems,
        outOfOrder: result.outOfOrder,
        newUsers: result.newUsers,
        clicks: result.clicks,
        conversions: result.conversions,
      };
    },
  );
};

/** Cold start: a new visitor's first list, seeded by typed interests. */
const coldStartRoutes: FastifyPluginAsyncTypebox<{ ctx: RecommendApp }> = async (app, { ctx }) => {
  app.post(
    "/recommend/:app/cold-start",
    {
      config: predict,
      schema: {
        tags,
        summary: "Recommendations for a new visitor from typed interests or picked items, at once",
        description:
          "Picked items count as likes, the items that match the interests best as views; the visitor's " +
          "recommendations follow from them like any user's.",
        params: AppParams,
        body: ColdStartBody,
        security: BEARER_SECURITY,
        response: { 200: ColdStartResponse, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const name = request.params.app;
      const { interests, items: picked = [], k } = request.body;
      const visitor = request.body.visitor ?? `visitor-${randomUUID()}`;
      const control = ctx.armOf("control", (await ctx.splitOf(name)).control).recommender;
      for (const item of picked) {
        if (control.item(item) === undefined) {
          throw new TextkitError("DATA_UNKNOWN_ITEM", `item "${item}" is not in the catalogue of '${name}'`);
        }
      }
      const matched = interests === undefined ? [] : ctx.matcherOf(control).match(interests, INTEREST_SEEDS);
      const seeds = [...new Set([...picked, ...matched])];
      const events: AppEventInput[] = seeds.map((item) => ({
        user: visitor,
        item,
        type: picked.includes(item) ? "like" : "view",
      }));
      if (events.length > 0) await ctx.intake(name, events);
      return { ...(await ctx.recommend(name, visitor, k ?? 10)), seeds };
    },
  );
};

/** The A/B split and the online figures. */
const figureRoutes: FastifyPluginAsyncTypebox<{ ctx: RecommendApp }> = async (app, { ctx }) => {
  app.get(
    "/recommend/:app/stats",
    {
      config: predict,
      schema: {
        tags,
        summary: "Click-through and conversion per model version, A/B variant and position, with intervals",
        params: AppParams,
        querystring: StatsQuery,
        security: BEARER_SECURITY,
        response: { 200: StatsResponse, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const name = request.params.app;
      const since = request.query.since === undefined ? 0 : Date.parse(request.query.since);
      if (Number.isNaN(since)) {
        throw new TextkitError(
          "INPUT_INVALID",
          `since must be an ISO 8601 time, got '${request.query.since}'`,
        );
      }
      const stats = await (await ctx.store()).stats(name, await ctx.splitOf(name), since);
      return { app: name, ...stats };
    },
  );
  app.get(
    "/recommend/:app/split",
    {
      config: predict,
      schema: {
        tags,
        summary: "The A/B split: which models serve the variants, and the treatment's share of users",
        params: AppParams,
        security: BEARER_SECURITY,
        response: { 200: SplitResponse, ...ERROR_RESPONSES },
      },
    },
    async (request) => ({ app: request.params.app, ...(await ctx.splitOf(request.params.app)) }),
  );
  app.put(
    "/recommend/:app/split",
    {
      config: { scope: "admin" },
      schema: {
        tags,
        summary: "Set the A/B split (scope admin); a share outside [0, 1] is refused",
        params: AppParams,
        body: SplitBody,
        security: BEARER_SECURITY,
        response: { 200: SplitResponse, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const config = request.body;
      // Both models must be served recommenders before users are sent to them.
      ctx.armsOf({ ...config, share: 0 });
      const stored = await (await ctx.store()).setSplit(request.params.app, config);
      return { app: request.params.app, ...stored };
    },
  );
};

/** A user's history, similar items and the catalogue. */
const readingRoutes: FastifyPluginAsyncTypebox<{ ctx: RecommendApp }> = async (app, { ctx }) => {
  app.get(
    "/recommend/:app/users/:user",
    {
      config: predict,
      schema: {
        tags,
        summary: "A user's variant, model and history",
        params: AppUserParams,
        security: BEARER_SECURITY,
        response: { 200: UserResponse, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const { app: name, user } = request.params;
      const arm = ctx.userArm(name, await ctx.splitOf(name), user);
      await ctx.served.catchUp(arm.model, arm.recommender, user);
      const history = arm.recommender.history(user).map((h) => {
        const item = arm.recommender.item(h.item);
        return {
          item: h.item,
          weight: h.weight,
          title: item?.title ?? "",
          category: item?.category ?? "",
          tags: [...(item?.tags ?? [])],
        };
      });
      history.sort((a, b) => b.weight - a.weight || (a.item < b.item ? -1 : 1));
      return { app: name, user, variant: arm.variant, model: arm.model.name, history };
    },
  );
  app.get(
    "/recommend/:app/items/:item/similar",
    {
      config: predict,
      schema: {
        tags,
        summary: "Items like this one, from the control model",
        params: AppItemParams,
        querystring: SimilarQuery,
        security: BEARER_SECURITY,
        response: { 200: SimilarResponse, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const { app: name, item } = request.params;
      const arm = ctx.armOf("control", (await ctx.splitOf(name)).control);
      const items = arm.recommender.similar(item, countOf(request.query.k, 10));
      return { app: name, item, model: arm.model.name, items };
    },
  );
  app.get(
    "/recommend/:app/catalog",
    {
      config: predict,
      schema: {
        tags,
        summary: "Catalogue items matching some words (for a visitor to pick from)",
        params: AppParams,
        querystring: CatalogQuery,
        security: BEARER_SECURITY,
        response: { 200: CatalogResponse, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const name = request.params.app;
      const recommender = ctx.armOf("control", (await ctx.splitOf(name)).control).recommender;
      const limit = countOf(request.query.limit, 20);
      const all = recommender.catalogItems();
      const q = request.query.q?.trim() ?? "";
      const ids =
        q.length > 0 ? ctx.matcherOf(recommender).match(q, limit) : all.slice(0, limit).map((i) => i.id);
      const items = ids.map((id) => {
        const item = recommender.item(id)!;
        return { item: id, title: item.title, category: item.category, tags: [...item.tags] };
      });
      return { app: name, total: all.length, items };
    },
  );
};
