/** The monitor's documents: ingest (JSON or NDJSON) and the list, newest first. */
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import {
  type IngestOutcome,
  type MonitorDocument,
  type MonitorDocumentInput,
  parseDocumentInputs,
} from "../../apps/monitor/index.ts";
import { isTextkitError, TextkitError } from "../../core/index.ts";
import { BEARER_SECURITY, responses } from "../schemas.ts";
import { DocumentPageSchema, IngestAnswerSchema, type MonitorDocumentJson } from "../schemas-monitor.ts";
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

const NDJSON_TYPES = ["application/x-ndjson", "application/jsonl", "application/x-jsonlines"];

function documentJson(d: MonitorDocument): MonitorDocumentJson {
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
  return parseDocumentInputs(items, pointer);
}

/** The ingest route's answer: the outcome, each result with its index, in one literal (no spread). */
function ingestAnswer(outcome: IngestOutcome) {
  return {
    stored: outcome.stored,
    duplicates: outcome.duplicates,
    results: outcome.results.map((r, index) => ({
      index,
      key: r.key,
      status: r.status,
      topic: r.topic,
      sentiment: r.sentiment,
    })),
  };
}

/** POST and GET /monitor/documents. */
export const monitorDocumentRoutes: FastifyPluginAsyncTypebox<MonitorRoutesOptions> = async (
  app,
  options,
) => {
  const { maxDocuments } = options;
  const tags = MONITOR_TAGS;
  const config = MONITOR_CONFIG;

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
        response: responses(IngestAnswerSchema),
      },
    },
    async (request, reply) => {
      const monitor = monitorOf(options);
      const documents = ingestDocuments(request.body, maxDocuments);
      try {
        return ingestAnswer(await monitor.submit(documents));
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
        response: responses(DocumentPageSchema),
      },
    },
    async (request) => {
      const { from, to, limit, ...rest } = request.query;
      const page = await monitorOf(options).documents({
        ...range({ from, to }),
        ...rest,
        ...limitOf(limit, 500),
      });
      return { documents: page.documents.map(documentJson), nextCursor: page.nextCursor };
    },
  );
};
