import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { ArtifactManifest } from "../../artifact/index.ts";
import { TextkitError } from "../../core/index.ts";
import type { ResolvedServerConfig } from "../config.ts";
import { fileName } from "../families.ts";
import type { ServerMetrics } from "../metrics.ts";
import { replayPrereadBody } from "../preread-body.ts";
import type { ModelPredictOptions, ModelRegistry, ServedModel } from "../registry.ts";
import {
  BEARER_SECURITY,
  ERROR_RESPONSES,
  ModelDetailResponse,
  ModelListResponse,
  ModelParams,
  type PredictBody,
  PredictResponse,
  predictBodySchema,
} from "../schemas.ts";

export interface ModelRoutesOptions {
  registry: ModelRegistry;
  config: ResolvedServerConfig;
  metrics: ServerMetrics;
}

/** Cuts a text to `max` UTF-16 units without leaving half of a surrogate pair at the end. */
export function truncateText(text: string, max: number): string {
  if (text.length <= max) return text;
  const code = text.charCodeAt(max - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
}

/** The manifest as clients see it: file sizes without their checksums, the training file without its directory. */
function publicManifest(manifest: ArtifactManifest): Record<string, unknown> {
  const files: Record<string, { bytes: number }> = {};
  for (const [name, entry] of Object.entries(manifest.files ?? {})) files[name] = { bytes: entry.bytes };
  const data = manifest.data;
  return {
    ...manifest,
    files,
    ...(data === undefined
      ? {}
      : { data: { ...data, ...(data.source === undefined ? {} : { source: fileName(data.source) }) } }),
  };
}

/** The rows of a predict request for a model that takes rows of named values. */
function rowInputs(
  name: string,
  inputs: readonly (string | object)[] | undefined,
  text: string | undefined,
): Record<string, unknown>[] {
  if (text !== undefined) {
    throw new TextkitError(
      "INPUT_INVALID",
      `model '${name}' takes rows of values: send {"inputs": [{"column": value, ...}]}, not /text`,
      { details: { field: "/text" } },
    );
  }
  if (inputs === undefined) {
    throw new TextkitError("INPUT_INVALID", `/inputs is required: a list of rows such as {"column": value}`, {
      details: { field: "/inputs" },
    });
  }
  return inputs.map((input, i) => {
    if (typeof input !== "object" || input === null) {
      throw new TextkitError(
        "INPUT_INVALID",
        `/inputs/${i} must be a row of values such as {"column": value}: model '${name}' does not take texts`,
        { details: { field: `/inputs/${i}` } },
      );
    }
    return input as Record<string, unknown>;
  });
}

/** A model that answers a different number of predictions than inputs is a bug in that model. */
function checkAnswerCount(
  name: string,
  predictions: unknown,
  inputs: number,
): asserts predictions is unknown[] {
  if (!Array.isArray(predictions) || predictions.length !== inputs) {
    throw new TextkitError(
      "INTERNAL",
      `model '${name}' returned ${Array.isArray(predictions) ? predictions.length : "no"} answers for ${inputs} inputs`,
    );
  }
}

/** The inputs of a predict request as sent: a list, or one text. */
interface PredictInputs {
  inputs?: readonly (string | object)[] | undefined;
  text?: string | undefined;
}

/** What a predict request answers besides the model and version. */
interface PredictAnswer {
  predictions: unknown[];
  /** Indices of the inputs cut to the longest text the server takes. */
  truncated: number[];
}

/** The answer of a model's predictions, once their count is checked. */
function answerOf(name: string, predictions: unknown, inputs: number, truncated: number[]): PredictAnswer {
  checkAnswerCount(name, predictions, inputs);
  return { predictions, truncated };
}

/**
 * `predictions` as an answer: at once when the model answered synchronously (an in-process
 * model does), so that such a request costs no promise (issue 17, item 3).
 */
function answerWhenReady(
  name: string,
  predictions: unknown[] | Promise<unknown[]>,
  inputs: number,
  truncated: number[],
): PredictAnswer | Promise<PredictAnswer> {
  return predictions instanceof Promise
    ? predictions.then((p) => answerOf(name, p, inputs, truncated))
    : answerOf(name, predictions, inputs, truncated);
}

/** Predicts the rows of `body` with a model that takes rows of named values. */
function predictRows(
  model: ServedModel,
  body: PredictInputs,
  options: ModelPredictOptions,
): PredictAnswer | Promise<PredictAnswer> {
  const rows = rowInputs(model.name, body.inputs, body.text);
  return answerWhenReady(model.name, model.predictRows(rows, options), rows.length, []);
}

/** Predicts the texts of `body`, each cut (or refused) past `config.maxTextChars`. */
function predictTexts(
  model: ServedModel,
  body: PredictInputs,
  options: ModelPredictOptions,
  config: ResolvedServerConfig,
): PredictAnswer | Promise<PredictAnswer> {
  const { texts, field } = textInputs(model.name, body);
  const truncated: number[] = [];
  const max = config.maxTextChars;
  for (const [i, text] of texts.entries()) {
    if (text.length <= max) continue;
    if (config.textOverflow === "reject") {
      throw new TextkitError(
        "TEXT_TOO_LONG",
        `${field(i)} has ${text.length} characters; this server takes at most ${max}`,
        { details: { field: field(i) } },
      );
    }
    texts[i] = truncateText(text, max);
    truncated.push(i);
  }
  return answerWhenReady(model.name, model.predict(texts, options), texts.length, truncated);
}

/** The texts of a predict request, with the JSON pointer of each for error messages. */
function textInputs(name: string, body: PredictInputs): { texts: string[]; field: (i: number) => string } {
  if (body.inputs !== undefined) {
    const texts = body.inputs.map((input, i) => {
      if (typeof input !== "string") {
        throw new TextkitError("INPUT_INVALID", `/inputs/${i} must be a text: model '${name}' takes texts`, {
          details: { field: `/inputs/${i}` },
        });
      }
      return input;
    });
    return { texts, field: (i) => `/inputs/${i}` };
  }
  if (body.text !== undefined) return { texts: [body.text], field: () => "/text" };
  throw new TextkitError("INPUT_INVALID", "/inputs is required (a list of texts), or /text for one", {
    details: { field: "/inputs" },
  });
}

/** The options of a predict request: only those it gives. */
function optionsOf(body: { k?: number | undefined; threshold?: number | undefined }): ModelPredictOptions {
  const options: ModelPredictOptions = {};
  if (body.k !== undefined) options.k = body.k;
  if (body.threshold !== undefined) options.threshold = body.threshold;
  return options;
}

/** What a predict request answers. */
export interface PredictReply extends PredictAnswer {
  model: string;
  version: string;
}

/**
 * One predict request of model `name`, as the predict route and its fast path
 * (src/server/fast-predict.ts) both run it: at once when the model answers synchronously.
 * Throws (or rejects with) a TextkitError the error handler answers.
 */
export function predictOnce(
  registry: ModelRegistry,
  config: ResolvedServerConfig,
  metrics: ServerMetrics,
  name: string,
  body: PredictBody,
): PredictReply | Promise<PredictReply> {
  // Read the active version once: a swap during this request does not affect it.
  const model = registry.resolve(name, body.version);
  if (body.inputs !== undefined && body.text !== undefined) {
    throw new TextkitError("INPUT_INVALID", "give either /inputs or /text, not both", {
      details: { field: "/text" },
    });
  }
  const predictOptions = optionsOf(body);
  const answer =
    model.inputKind === "row"
      ? predictRows(model, body, predictOptions)
      : predictTexts(model, body, predictOptions, config);
  // A synchronous answer is sent as it is: an async handler would cost a promise more.
  return answer instanceof Promise
    ? answer.then((a) => predictResponse(model, a, metrics))
    : predictResponse(model, answer, metrics);
}

/** The predict route's answer, counted in textkit_predictions_total. */
function predictResponse(model: ServedModel, answer: PredictAnswer, metrics: ServerMetrics): PredictReply {
  metrics.predictionsOf(model.name).value += answer.predictions.length;
  return { model: model.name, version: model.version, ...answer };
}

function activeOrNull(registry: ModelRegistry, name: string): ServedModel | null {
  try {
    return registry.resolve(name);
  } catch {
    return null;
  }
}

/**
 * Predict, list and describe models (mounted under /v1).
 *
 * @example
 * await app.register(modelRoutes, { prefix: "/v1", registry, config, metrics });
 */
export const modelRoutes: FastifyPluginAsyncTypebox<ModelRoutesOptions> = async (app, options) => {
  const { registry, config, metrics } = options;
  const PredictBody = predictBodySchema(config.maxBatch, config.maxTextChars);

  app.post(
    "/models/:name/predict",
    {
      config: { scope: "predict" },
      // The body the fast path read before handing the request over (fast-predict.ts).
      preParsing: replayPrereadBody,
      schema: {
        tags: ["models"],
        summary: "Predict one or a batch of inputs",
        description:
          "Give `inputs` (a list) or `text` (one). The answer always has one prediction per input, with the version that made it.",
        params: ModelParams,
        body: PredictBody,
        security: BEARER_SECURITY,
        response: { 200: PredictResponse, ...ERROR_RESPONSES },
      },
    },
    (request) => predictOnce(registry, config, metrics, request.params.name, request.body),
  );

  app.get(
    "/models",
    {
      config: { scope: "predict" },
      schema: {
        tags: ["models"],
        summary: "List the models, their versions and which one is active",
        security: BEARER_SECURITY,
        response: { 200: ModelListResponse, ...ERROR_RESPONSES },
      },
    },
    async () => ({ models: registry.list() }),
  );

  app.get(
    "/models/:name",
    {
      config: { scope: "predict" },
      schema: {
        tags: ["models"],
        summary: "One model: versions, the active version's manifest, metrics and training run",
        params: ModelParams,
        security: BEARER_SECURITY,
        response: { 200: ModelDetailResponse, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const status = registry.status(request.params.name);
      const active = activeOrNull(registry, request.params.name);
      const metricsOf = active?.manifest.metrics;
      return {
        ...status,
        manifest: active === null ? null : publicManifest(active.manifest),
        metrics: metricsOf !== undefined && metricsOf !== null ? metricsOf : null,
        details: active?.details ?? {},
      };
    },
  );
};
