import { type FastifyPluginAsyncTypebox, Type } from "@fastify/type-provider-typebox";
import { TextkitError } from "../../core/index.ts";
import { RETRIEVAL_FAMILY, SEARCH_MODES } from "../../models/retrieval/index.ts";
import type { ResolvedServerConfig } from "../config.ts";
import type { RetrievalPredictOptions } from "../families.ts";
import type { ServerMetrics } from "../metrics.ts";
import type { ModelRegistry } from "../registry.ts";
import { BEARER_SECURITY, ERROR_RESPONSES, ModelParams } from "../schemas.ts";
import { truncateText } from "./models.ts";

export interface SearchRoutesOptions {
  registry: ModelRegistry;
  config: ResolvedServerConfig;
  metrics: ServerMetrics;
}

export const SearchBody = Type.Object(
  {
    query: Type.String({ minLength: 1, description: "The question or keywords." }),
    k: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, description: "Most hits (default 5)." })),
    mode: Type.Optional(
      Type.Union(
        SEARCH_MODES.map((m) => Type.Literal(m)),
        {
          description:
            "bm25 (terms), vector (cosine of the index's encoder) or hybrid (their weighted mean); " +
            "default hybrid when the index has vectors, else bm25.",
        },
      ),
    ),
    threshold: Type.Optional(
      Type.Number({ minimum: 0, maximum: 1, description: "Leave out hits scoring below this (default 0)." }),
    ),
    version: Type.Optional(
      Type.String({ minLength: 1, maxLength: 100, description: "Fail unless this version is active." }),
    ),
  },
  { additionalProperties: false },
);

const SearchHitSchema = Type.Object({
  id: Type.String(),
  score: Type.Number({ description: "The ranking score in [0, 1], comparable across queries." }),
  bm25: Type.Number({ description: "BM25 over the query's BM25 against itself, in [0, 1]." }),
  vector: Type.Union([Type.Number(), Type.Null()], {
    description: "Cosine similarity cut to [0, 1]; null in bm25 mode.",
  }),
  title: Type.Union([Type.String(), Type.Null()]),
  text: Type.String(),
  source: Type.Union([Type.String(), Type.Null()]),
  meta: Type.Union([Type.Object({}, { additionalProperties: true }), Type.Null()]),
});

export const SearchResponse = Type.Object({
  model: Type.String(),
  version: Type.String(),
  hits: Type.Array(SearchHitSchema, { description: "Best first; fewer than k when fewer items match." }),
  truncated: Type.Boolean({ description: "Whether the query was cut to the length limit." }),
});

/**
 * Search a retrieval index (mounted under /v1).
 *
 * @example
 * await app.register(searchRoutes, { prefix: "/v1", registry, config, metrics });
 */
export const searchRoutes: FastifyPluginAsyncTypebox<SearchRoutesOptions> = async (app, options) => {
  const { registry, config, metrics } = options;

  app.post(
    "/models/:name/search",
    {
      config: { scope: "predict" },
      schema: {
        tags: ["models"],
        summary: "Search a retrieval index",
        description:
          "The items (passages, FAQ questions) that best answer a query, with BM25, vector and hybrid " +
          "scores in [0, 1]. Only models of the retrieval family (textkit search build) answer.",
        params: ModelParams,
        body: SearchBody,
        security: BEARER_SECURITY,
        response: { 200: SearchResponse, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const { query, k, mode, threshold, version } = request.body;
      const model = registry.resolve(request.params.name, version);
      if (model.family !== RETRIEVAL_FAMILY) {
        throw new TextkitError(
          "MODEL_FAMILY_UNSUPPORTED",
          `model '${model.name}' is a ${model.family}, not a retrieval index; use /v1/models/${model.name}/predict`,
        );
      }
      let text = query;
      if (text.length > config.maxTextChars) {
        if (config.textOverflow === "reject") {
          throw new TextkitError(
            "TEXT_TOO_LONG",
            `/query has ${text.length} characters; this server takes at most ${config.maxTextChars}`,
            { details: { field: "/query" } },
          );
        }
        text = truncateText(text, config.maxTextChars);
      }
      const searchOptions: RetrievalPredictOptions = {
        ...(k === undefined ? {} : { k }),
        ...(mode === undefined ? {} : { mode }),
        ...(threshold === undefined ? {} : { threshold }),
      };
      const [answer] = await model.predict([text], searchOptions);
      if (
        !(typeof answer === "object" && answer !== null && "hits" in answer && Array.isArray(answer.hits))
      ) {
        throw new TextkitError("INTERNAL", `model '${model.name}' answered a search without hits`);
      }
      metrics.predictions.inc({ model: model.name }, 1);
      return { model: model.name, version: model.version, hits: answer.hits, truncated: text !== query };
    },
  );
};
