/** The monitor's alerts, their acknowledgement, and the rules that raise them. */
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { alertJson } from "../../apps/monitor/index.ts";
import { BEARER_SECURITY, responses } from "../schemas.ts";
import { AlertAnswerSchema, AlertListSchema, RulesSchema } from "../schemas-monitor.ts";
import {
  Limit,
  limitOf,
  MONITOR_CONFIG,
  MONITOR_TAGS,
  type MonitorRoutesOptions,
  monitorOf,
} from "./monitor-shared.ts";

/** GET /monitor/alerts, POST /monitor/alerts/:id/ack, GET /monitor/rules. */
export const monitorAlertRoutes: FastifyPluginAsyncTypebox<MonitorRoutesOptions> = async (app, options) => {
  const tags = MONITOR_TAGS;
  const config = MONITOR_CONFIG;

  app.get(
    "/monitor/alerts",
    {
      config,
      schema: {
        tags,
        summary: "Alerts, newest first",
        querystring: Type.Object({
          status: Type.Optional(
            Type.Union([Type.Literal("open"), Type.Literal("acknowledged"), Type.Literal("all")]),
          ),
          limit: Limit(500),
        }),
        security: BEARER_SECURITY,
        response: responses(AlertListSchema),
      },
    },
    async (request) => {
      const { status, limit } = request.query;
      const alerts = await monitorOf(options).alerts({
        ...(status === undefined || status === "all" ? {} : { status }),
        ...limitOf(limit, 500),
      });
      return { alerts: alerts.map(alertJson) };
    },
  );

  app.post(
    "/monitor/alerts/:id/ack",
    {
      config,
      schema: {
        tags,
        summary: "Acknowledge an alert",
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) }),
        body: Type.Optional(
          Type.Object(
            {
              by: Type.Optional(Type.String({ maxLength: 200 })),
              note: Type.Optional(Type.String({ maxLength: 2000 })),
            },
            { additionalProperties: false },
          ),
        ),
        security: BEARER_SECURITY,
        response: responses(AlertAnswerSchema),
      },
    },
    async (request) => {
      const body = request.body ?? {};
      const by = body.by ?? request.apiKey?.name ?? null;
      return {
        alert: alertJson(await monitorOf(options).acknowledge(request.params.id, by, body.note ?? null)),
      };
    },
  );

  app.get(
    "/monitor/rules",
    {
      config,
      schema: {
        tags,
        summary: "The alert rules",
        security: BEARER_SECURITY,
        response: responses(RulesSchema),
      },
    },
    async () => ({ rules: [...monitorOf(options).rules()] }),
  );
};
