/**
 * The monitor's models from the server's registry, looked up by name on every batch, so
 * that a model version swapped in is used from the next batch on and a model loaded after
 * the monitor started is found as soon as it is there.
 */
import type {
  EntityFinder,
  MonitorEntity,
  MonitorModelSource,
  TextLabeler,
  TopLabel,
} from "../apps/monitor/index.ts";
import { isTextkitError, TextkitError } from "../core/index.ts";
import { CLASSIFIER_FAMILY } from "../models/classifier/index.ts";
import { TAGGER_FAMILY } from "../models/tagger/index.ts";
import type { ModelRegistry, ServedModel } from "./registry.ts";

function resolve(registry: ModelRegistry, name: string, family: string, role: string): ServedModel {
  let model: ServedModel;
  try {
    model = registry.resolve(name);
  } catch (error) {
    // Not the client's mistake: the server's monitor names a model it does not have.
    if (isTextkitError(error) && (error.code === "MODEL_NOT_FOUND" || error.code === "MODEL_UNAVAILABLE")) {
      throw new TextkitError(
        "MODEL_UNAVAILABLE",
        `the monitor's ${role} model '${name}' is not loaded: ${error.message}; put it in the models directory`,
        { cause: error, details: { model: name } },
      );
    }
    throw error;
  }
  if (model.family !== family) {
    throw new TextkitError(
      "MODEL_UNAVAILABLE",
      `the monitor's ${role} model '${name}' is a ${model.family}; it must be a ${family}`,
      { details: { model: name } },
    );
  }
  return model;
}

function topLabel(p: unknown): TopLabel {
  const labels = (p as { labels?: unknown }).labels;
  const scores = (p as { scores?: unknown }).scores;
  if (Array.isArray(labels) && Array.isArray(scores) && typeof labels[0] === "string") {
    return { label: labels[0], score: Number(scores[0]) };
  }
  throw new TextkitError("INTERNAL", "a classifier answered without labels and scores");
}

/**
 * @example
 * const models = registryModels(registry);
 * const monitor = await Monitor.open({ db, config, models });
 */
export function registryModels(registry: ModelRegistry): MonitorModelSource {
  return {
    labeler(name: string): TextLabeler {
      return {
        top: async (texts) => {
          const model = resolve(registry, name, CLASSIFIER_FAMILY, "classifier");
          return (await model.predict(texts, { k: 1 })).map(topLabel);
        },
        // Resolved once per batch: the version it finds tokenizes and predicts the whole batch.
        tokens: () => {
          const path = resolve(registry, name, CLASSIFIER_FAMILY, "classifier").tokenPath;
          return path === null
            ? null
            : {
                key: path.key,
                tokenize: (text) => path.tokenize(text),
                top: (tokens) => path.predictTokens(tokens, { k: 1 }).map(topLabel),
              };
        },
      };
    },
    artifactDir(name, family) {
      return family === "classifier"
        ? resolve(registry, name, CLASSIFIER_FAMILY, "classifier").dir
        : resolve(registry, name, TAGGER_FAMILY, "entity").dir;
    },
    entityFinder(name: string): EntityFinder {
      return {
        find: async (texts) => {
          const model = resolve(registry, name, TAGGER_FAMILY, "entity");
          return (await model.predict(texts, {})).map((p) => (p as { entities: MonitorEntity[] }).entities);
        },
      };
    },
  };
}
