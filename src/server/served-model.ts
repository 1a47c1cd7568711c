/**
 * What the registry serves and how it reports: the shape a family loader returns
 * (`Predictor`), one loaded version as requests see it (`ServedModel`), the status of a
 * model's versions, and the registry's options. The registry itself is in registry.ts.
 */
import type { Assistant } from "../apps/assist/index.ts";
import type { ArtifactManifest } from "../artifact/index.ts";
import type { TextkitError } from "../core/index.ts";
import type { LoadedModel } from "./loaded-model.ts";

export interface ModelPredictOptions {
  /** How many labels or items per input (family-specific; classifier: top-k labels). */
  k?: number;
  /** Drop answers scoring below this. */
  threshold?: number;
}

/** What a family loader returns: a loaded model, ready to answer. */
export interface Predictor {
  /**
   * One answer per input text, in order. May be async for families that look things up.
   * A family that takes no texts leaves it out and gives `predictRows`; the registry then
   * answers a text request with what the model takes instead.
   */
  predict?(inputs: readonly string[], options: ModelPredictOptions): unknown[] | Promise<unknown[]>;
  /**
   * Families that predict from rows of named values (regressors) give this; the predict
   * route then takes objects such as {"area": 70, "city": "Lyon"} instead of texts.
   */
  predictRows?(
    rows: readonly Record<string, unknown>[],
    options: ModelPredictOptions,
  ): unknown[] | Promise<unknown[]>;
  labels?: readonly string[];
  /** The built-in families give their model, typed by family (see LoadedModel). */
  loaded?: LoadedModel;
  /** Recommenders give this; the recommend and events routes use it. */
  recommender?: RecommenderPredictor;
  /** Assistants give this; the chat, feedback and handover routes use it. */
  assistant?: Assistant;
  /** Plain data shown by GET /v1/models/:name (e.g. a summary of the training run). */
  details?: Record<string, unknown>;
  /** Throws when the loaded model does not answer sensibly; the version is then refused. */
  selfTest?(): void | Promise<void>;
}

/** What a recommender adds to a predictor: lists for a user, and events taken without retraining. */
export interface RecommenderPredictor {
  recommend(
    user: string,
    options: { k?: number; excludeSeen?: boolean; category?: string | readonly string[] },
  ): RecommendedItem[];
  /** Validates every event first (throws a TextkitError and changes nothing on a bad one); returns the users touched. */
  addEvents(
    events: readonly {
      user: string;
      item: string;
      type: string;
      value?: number | null;
      timestamp?: string | number | null;
    }[],
  ): string[];
  /** The catalogue item with this id, or undefined. */
  item(id: string): RecommenderItem | undefined;
  /** Every catalogue item, in catalogue order (for matching a visitor's typed interests). */
  catalogItems(): readonly RecommenderItem[];
  /** The items the user engaged with and the summed weight of their events on each. */
  history(user: string): { item: string; weight: number }[];
  /** Items like this one; an unknown id is DATA_UNKNOWN_ITEM. */
  similar(item: string, k: number): RecommendedItem[];
  /** The model: popularity, knn, als, bpr, content or hybrid. */
  readonly model: string;
}

/** One recommended item, best first in a list. */
export interface RecommendedItem {
  item: string;
  score: number;
  title: string;
  category: string;
  reason: { kind: string; text: string; item?: string };
}

/** A catalogue item as a recommender serves it. */
export interface RecommenderItem {
  id: string;
  title: string;
  description: string;
  tags: readonly string[];
  category: string;
}

/** Loads the artifact in `dir` (whose manifest is given) of one model family. */
export type FamilyLoader = (dir: string, manifest: ArtifactManifest) => Promise<Predictor>;

/** One loaded version of one model, as requests see it. Immutable. */
export interface ServedModel {
  readonly name: string;
  readonly version: string;
  readonly family: string;
  readonly task: string;
  readonly manifest: ArtifactManifest;
  readonly dir: string;
  readonly loadedAt: string;
  readonly labels: readonly string[] | undefined;
  readonly details: Record<string, unknown>;
  /** What a predict request sends per input: a text, or a row of named values. */
  readonly inputKind: "text" | "row";
  readonly recommender: RecommenderPredictor | null;
  readonly assistant: Assistant | null;
  /** The model itself, typed by its family; null for a family the server does not build in. */
  readonly loaded: LoadedModel | null;
  predict(inputs: readonly string[], options: ModelPredictOptions): unknown[] | Promise<unknown[]>;
  predictRows(
    rows: readonly Record<string, unknown>[],
    options: ModelPredictOptions,
  ): unknown[] | Promise<unknown[]>;
}

export const VERSION_STATES = ["active", "available", "failed"] as const;
export type VersionState = (typeof VERSION_STATES)[number];

export interface VersionStatus {
  version: string;
  state: VersionState;
  createdAt: string | null;
  /** The manifest's digest: it names the artifact, and the run that made it (tag `artifact:<digest>`). */
  digest: string | null;
  /** Why the version was refused (state "failed"). */
  error: { code: string; message: string } | null;
}

export interface ModelStatus {
  name: string;
  /** "single": DIR/<name> is the artifact; "versions": DIR/<name>/<version>/ artifacts. */
  layout: "single" | "versions";
  family: string | null;
  task: string | null;
  activeVersion: string | null;
  /** The version an admin activated (kept in DIR/<name>/ACTIVE); null: the newest that loads. */
  pinnedVersion: string | null;
  labelCount: number | null;
  versions: VersionStatus[];
}

/** The part of a logger the registry uses (pino's fits). */
export interface RegistryLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface RegistryOptions {
  root: string;
  loaders: Readonly<Record<string, FamilyLoader>>;
  log?: RegistryLog;
  /** Periodic rescan besides file-system events; 0 turns watching off entirely. */
  watchIntervalMs?: number;
  onSwap?(model: ServedModel, previous: ServedModel | null): void;
  onLoadFailed?(name: string, version: string, error: TextkitError): void;
}
