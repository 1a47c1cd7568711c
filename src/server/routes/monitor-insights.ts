/** What the monitor has seen: its status, trends, frequent terms and entities. */
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { GRANULARITIES, type Granularity } from "../../apps/monitor/index.ts";
import { BEARER_SECURITY, literalUnion, responses } from "../schemas.ts";
import { EntitiesSchema, MonitorStatusSchema, TermsSchema, TrendsSchema } from "../schemas-monitor.ts";
import {
  iso,
  Limit,
  limitOf,
  MONITOR_CONFIG,
  MONITOR_TAGS,
  type MonitorRoutesOptions,
  monitorOf,
  RangeQuery,
  range,
  SentimentQuery,
  TopicQuery,
} from "./monitor-shared.ts";

/** GET /monitor/status, /monitor/trends, /monitor/terms and /monitor/entities. */
export const monitorInsightRoutes: FastifyPluginAsyncTypebox<MonitorRoutesOptions> = async (app, options) => {
  const tags = MONITOR_TAGS;
  const config = MONITOR_CONFIG;

  app.get(
    "/monitor/status",
    {
      config,
      schema: {
        tags,
        summary: "What the monitor holds and runs",
        security: BEARER_SECURITY,
        response: responses(MonitorStatusSchema),
      },
    },
    async () => {
      const s = await monitorOf(options).status();
      return { ...s, sentiments: [...s.sentiments], lastIngestAt: iso(s.lastIngestAt) };
    },
  );

  app.get(
    "/monitor/trends",
    {
      config,
      schema: {
        tags,
        summary: "Documents per time bucket, topic and sentiment",
        description: "Dense arrays, one value per bucket of `times`; bucket minute, hour or day (UTC).",
        querystring: Type.Object({
          ...RangeQuery,
          ...TopicQuery,
          bucket: Type.Optional(literalUnion(GRANULARITIES)),
        }),
        security: BEARER_SECURITY,
        response: responses(TrendsSchema),
      },
    },
    async (request) => {
      const q = request.query;
      const t = await monitorOf(options).trends({
        ...range(q),
        ...(q.bucket === undefined ? {} : { bucket: q.bucket as Granularity }),
        ...(q.topic === undefined ? {} : { topic: q.topic }),
      });
      return { ...t, from: iso(t.from), to: iso(t.to), times: t.times.map((x) => iso(x)) };
    },
  );

  app.get(
    "/monitor/terms",
    {
      config,
      schema: {
        tags,
        summary: "The most frequent content words",
        querystring: Type.Object({ ...RangeQuery, ...TopicQuery, ...SentimentQuery, limit: Limit(200) }),
        security: BEARER_SECURITY,
        response: responses(TermsSchema),
      },
    },
    async (request) => {
      const { from, to, limit, ...rest } = request.query;
      return {
        terms: await monitorOf(options).terms({ ...range({ from, to }), ...rest, ...limitOf(limit, 200) }),
      };
    },
  );

  app.get(
    "/monitor/entities",
    {
      config,
      schema: {
        tags,
        summary: "The most mentioned entities",
        querystring: Type.Object({
          ...RangeQuery,
          ...TopicQuery,
          ...SentimentQuery,
          label: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
          limit: Limit(200),
        }),
        security: BEARER_SECURITY,
        response: responses(EntitiesSchema),
      },
    },
    async (request) => {
      const { from, to, limit, ...rest } = request.query;
      return {
        entities: await monitorOf(options).entities({
          ...range({ from, to }),
          ...rest,
          ...limitOf(limit, 200),
        }),
      };
    },
  );
};
