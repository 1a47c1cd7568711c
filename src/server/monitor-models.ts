/**
 * The monitor's models from the server's registry, looked up by name on every batch, so
 * that a model version swapped in is used from the next batch on and a model loaded after
 * the monitor started is found as soon as it is there. A built-in classifier or tagger is
 * used as its own class (the registry keeps it typed by family), through the same labeler
 * and finder the command line and the worker threads use; a family loader that gives no
 * typed model (a plugin's) is used through `predict`, its answers checked.
 */
import {
  classifierLabeler,
  type EntityFinder,
  type MonitorEntity,
  type MonitorModelSource,
  type TextLabeler,
  type TopLabel,
  taggerFinder,
} from "../apps/monitor/index.ts";
import { isTextkitError, TextkitError } from "../core/index.ts";
import { CLASSIFIER_FAMILY } from "../models/classifier/index.ts";
import { TAGGER_FAMILY } from "../models/tagger/index.ts";
import { isLoadedFamily } from "./loaded-model.ts";
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

function isObject(value: unknown): value is object {
  return typeof value === "object" && value !== null;
}

/** The best label of a classifier's answer given through `predict`. */
function topLabel(p: unknown): TopLabel {
  if (isObject(p) && "labels" in p && "scores" in p && Array.isArray(p.labels) && Array.isArray(p.scores)) {
    const [label] = p.labels;
    const [score] = p.scores;
    if (typeof label === "string" && typeof score === "number") return { label, score };
  }
  throw new TextkitError("INTERNAL", "a classifier answered without labels and scores");
}

function isEntity(e: unknown): e is MonitorEntity {
  return (
    isObject(e) &&
    "text" in e &&
    typeof e.text === "string" &&
    "label" in e &&
    typeof e.label === "string" &&
    "start" in e &&
    typeof e.start === "number" &&
    "end" in e &&
    typeof e.end === "number"
  );
}

/** The entities of a tagger's answer given through `predict`. */
function entitiesOf(p: unknown): MonitorEntity[] {
  if (isObject(p) && "entities" in p && Array.isArray(p.entities) && p.entities.every(isEntity)) {
    return p.entities;
  }
  throw new TextkitError("INTERNAL", "a tagger answered without entities");
}

/** The labeler of the classifier `name` as the registry serves it now. */
function currentLabeler(registry: ModelRegistry, name: string): TextLabeler {
  const served = resolve(registry, name, CLASSIFIER_FAMILY, "classifier");
  if (isLoadedFamily(served.loaded, CLASSIFIER_FAMILY)) return classifierLabeler(served.loaded.model);
  return { top: async (texts) => (await served.predict(texts, { k: 1 })).map(topLabel) };
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
        top: (texts) => currentLabeler(registry, name).top(texts),
        // Resolved once per batch: the version it finds tokenizes and predicts the whole batch.
        tokens: () => currentLabeler(registry, name).tokens?.() ?? null,
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
          const served = resolve(registry, name, TAGGER_FAMILY, "entity");
          // A tagger on an encoder answers asynchronously: through its predictor.
          if (isLoadedFamily(served.loaded, TAGGER_FAMILY) && served.loaded.model.encoderRef === null)
            return taggerFinder(served.loaded.model).find(texts);
          return (await served.predict(texts, {})).map(entitiesOf);
        },
      };
    },
  };
}
