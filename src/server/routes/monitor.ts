import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import {
  alertJson,
  GRANULARITIES,
  type Granularity,
  type Monitor,
  type MonitorDocument,
  type MonitorDocumentInput,
  parseDocumentInput,
  SENTIMENTS,
} from "../../apps/monitor/index.ts";
import { isTextkitError, TextkitError } from "../../core/index.ts";
import { BEARER_SECURITY, ERROR_RESPONSES } from "../schemas.ts";

export interface MonitorRoutesOptions {
  /** null: the server runs without a monitor, and every monitor route says so. */
  monitor: Monitor | null;
  /** Most documents in one ingest request. */
  maxDocuments: number;
}

const FreeObject = Type.Object({}, { additionalProperties: true });
const RESPONSES = { 200: FreeObject, ...ERROR_RESPONSES } as const;
const NDJSON_TYPES = ["application/x-ndjson", "application/jsonl", "application/x-jsonlines"];

const RangeQuery = {
  from: Type.Optional(
    Type.String({ description: "ISO 8601 start (inclusive); default: 24 hours before `to`" }),
  ),
  to: Type.Optional(Type.String({ description: "ISO 8601 end (exclusive); default: now" })),
};
const TopicQuery = { topic: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) };
const SentimentQuery = { sentiment: Type.Optional(Type.Union(SENTIMENTS.map((s) => Type.Literal(s)))) };
// Query strings are text, and this server's schemas never coerce: a limit is digits, checked here.
const Limit = (max: number) =>
  Type.Optional(Type.String({ pattern: "^[0-9]{1,6}$", description: `a whole number from 1 to ${max}` }));

function limitOf(value: string | undefined, max: number): { limit?: number } {
  if (value === undefined) return {};
  const n = Number(value);
  if (!(n >= 1 && n <= max)) {
    throw new TextkitError("INPUT_INVALID", `limit must be a whole number from 1 to ${max}`, {
      details: { field: "/limit" },
    });
  }
  return { limit: n };
}

function time(value: string | undefined, field: string): number | undefined {
  if (value === undefined) return undefined;
  const t = Date.parse(value);
  if (!Number.isFinite(t)) {
    throw new TextkitError(
      "INPUT_INVALID",
      `${field} must be an ISO 8601 time such as 2026-11-30T09:00:00Z`,
      {
        details: { field },
      },
    );
  }
  return t;
}

function range(query: { from?: string; to?: string }): { from?: number; to?: number } {
  const from = time(query.from, "/from");
  const to = time(query.to, "/to");
  return { ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }) };
}

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

function documentJson(d: MonitorDocument): Record<string, unknown> {
  return {
    key: d.key,
    id: d.id,
    source: d.source,
    title: d.title,
    text: d.text,
    url: d.url,
    lang: d.lang,
    langScore: d.langScore,
    publishedAt: iso(d.publishedAt),
    ingestedAt: iso(d.ingestedAt),
    topic: d.topic,
    topicScore: d.topicScore,
    sentiment: d.sentiment,
    sentimentScore: d.sentimentScore,
    entities: d.entities,
  };
}

/** The documents of an ingest body: a JSON array, { "documents": [...] }, or NDJSON lines. */
function ingestDocuments(body: unknown, maxDocuments: number): MonitorDocumentInput[] {
  let items: unknown[];
  let pointer: (i: number) => string;
  if (typeof body === "string") {
    const lines = body.split("\n");
    items = [];
    lines.forEach((line, i) => {
      if (line.trim() === "") return;
      try {
        items.push(JSON.parse(line));
      } catch {
        throw new TextkitError("BODY_INVALID_JSON", `line ${i + 1} of the body is not a JSON object`, {
          line: i + 1,
          details: { field: `/${items.length}` },
        });
      }
    });
    pointer = (i) => `/${i}`;
  } else if (Array.isArray(body)) {
    items = body;
    pointer = (i) => `/${i}`;
  } else if (
    typeof body === "object" &&
    body !== null &&
    Array.isArray((body as { documents?: unknown }).documents)
  ) {
    items = (body as { documents: unknown[] }).documents;
    pointer = (i) => `/documents/${i}`;
  } else {
    throw new TextkitError(
      "INPUT_INVALID",
      'send a JSON array of documents, {"documents": [...]}, or one JSON document per line (application/x-ndjson)',
      { details: { field: "/documents" } },
    );
  }
  if (items.length > maxDocuments) {
    throw new TextkitError(
      "BATCH_TOO_LARGE",
      `the body has ${items.length} documents; this server takes at most ${maxDocuments} per request`,
      { details: { field: "/documents" } },
    );
  }
  return items.map((item, i) => parseDocumentInput(item, { field: pointer(i) }));
}

/**
 * The monitor's routes (mounted under /v1): ingest, trends, terms, entities, documents,
 * alerts and their acknowledgement, rules, status. They need the `monitor` scope.
 *
 * @example
 * await app.register(monitorRoutes, { prefix: "/v1", monitor, maxDocuments: 1000 });
 */
export const monitorRoutes: FastifyPluginAsyncTypebox<MonitorRoutesOptions> = async (app, options) => {
  const { maxDocuments } = options;
  const monitorOf = (): Monitor => {
    if (options.monitor === null) {
      throw new TextkitError("MONITOR_DISABLED", "this server runs without the monitor");
    }
    return options.monitor;
  };
  const tags = ["monitor"];
  const config = { scope: "monitor" as const };

  app.addContentTypeParser(NDJSON_TYPES, { parseAs: "string" }, (_request, body, done) => done(null, body));

  app.post(
    "/monitor/documents",
    {
      config,
      schema: {
        tags,
        summary: "Ingest documents",
        description:
          'A JSON array of documents, `{"documents": [...]}`, or NDJSON (`application/x-ndjson`). Each: `text` (required), ' +
          "`title`, `id`, `source`, `url`, `lang` (an ISO 639 code; detected when absent), `publishedAt` (ISO 8601 or Unix seconds). Answers once every " +
          "document is classified and stored; a document seen before (same source and id, or same text) is a duplicate. " +
          "503 MONITOR_BUSY with Retry-After when the monitor is behind: send the same documents again later.",
        security: BEARER_SECURITY,
        response: RESPONSES,
      },
    },
    async (request, reply) => {
      const monitor = monitorOf();
      const documents = ingestDocuments(request.body, maxDocuments);
      try {
        const outcome = await monitor.submit(documents);
        return {
          stored: outcome.stored,
          duplicates: outcome.duplicates,
          results: outcome.results.map((r, index) => ({ index, ...r })),
        };
      } catch (error) {
        if (isTextkitError(error) && error.code === "MONITOR_BUSY") {
          const ms = Number(error.details?.["retryAfterMs"] ?? 1000);
          reply.header("retry-after", String(Math.max(1, Math.ceil(ms / 1000))));
        }
        throw error;
      }
    },
  );

  app.get(
    "/monitor/status",
    {
      config,
      schema: {
        tags,
        summary: "What the monitor holds and runs",
        security: BEARER_SECURITY,
        response: RESPONSES,
      },
    },
    async () => {
      const s = await monitorOf().status();
      return { ...s, lastIngestAt: iso(s.lastIngestAt) };
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
          bucket: Type.Optional(Type.Union(GRANULARITIES.map((g) => Type.Literal(g)))),
        }),
        security: BEARER_SECURITY,
        response: RESPONSES,
      },
    },
    async (request) => {
      const q = request.query;
      const t = await monitorOf().trends({
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
        response: RESPONSES,
      },
    },
    async (request) => {
      const { from, to, limit, ...rest } = request.query;
      return { terms: await monitorOf().terms({ ...range({ from, to }), ...rest, ...limitOf(limit, 200) }) };
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
        response: RESPONSES,
      },
    },
    async (request) => {
      const { from, to, limit, ...rest } = request.query;
      return {
        entities: await monitorOf().entities({ ...range({ from, to }), ...rest, ...limitOf(limit, 200) }),
      };
    },
  );

  app.get(
    "/monitor/documents",
    {
      config,
      schema: {
        tags,
        summary: "Documents with their labels, newest first",
        querystring: Type.Object({
          ...RangeQuery,
          ...TopicQuery,
          ...SentimentQuery,
          limit: Limit(500),
          cursor: Type.Optional(Type.String({ maxLength: 2000 })),
        }),
        security: BEARER_SECURITY,
        response: RESPONSES,
      },
    },
    async (request) => {
      const { from, to, limit, ...rest } = request.query;
      const page = await monitorOf().documents({ ...range({ from, to }), ...rest, ...limitOf(limit, 500) });
      return { documents: page.documents.map(documentJson), nextCursor: page.nextCursor };
    },
  );

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
        response: RESPONSES,
      },
    },
    async (request) => {
      const { status, limit } = request.query;
      const alerts = await monitorOf().alerts({
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
        response: RESPONSES,
      },
    },
    async (request) => {
      const body = request.body ?? {};
      const by = body.by ?? request.apiKey?.name ?? null;
      return { alert: alertJson(await monitorOf().acknowledge(request.params.id, by, body.note ?? null)) };
    },
  );

  app.get(
    "/monitor/rules",
    { config, schema: { tags, summary: "The alert rules", security: BEARER_SECURITY, response: RESPONSES } },
    async () => ({ rules: monitorOf().rules() }),
  );
};
