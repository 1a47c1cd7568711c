/**
 * The samples `textkit demo` trains: a sample is a folder with a sample.json (checked
 * against its TypeBox schema) next to its data files; adding one needs no code.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Type } from "@sinclair/typebox";
import { DEFAULT_ASSISTANT_OPTIONS } from "../apps/assist/index.ts";
import { checkShape, TextkitError } from "../core/index.ts";
import { type ClassifierOptions, DEFAULT_CLASSIFIER_OPTIONS } from "../models/classifier/index.ts";
import { DEFAULT_TAGGER_OPTIONS, type TaggerOptions } from "../models/tagger/index.ts";

/** What a sample.json says. Paths are relative to its folder. */
export interface SampleSpec {
  name: string;
  description: string;
  train: string;
  dev?: string;
  test?: string;
  /**
   * What the sample trains: a text classifier (the default), an entity tagger, or an
   * assistant (then `train` is its knowledge folder, `test` its questions).
   */
  family: "classifier" | "tagger" | "assistant";
  /** Assistant samples: the tagger samples (by name) that fill its slots, per language. */
  taggers: Partial<Record<"en" | "zh", string>>;
  options: Partial<ClassifierOptions> | Partial<TaggerOptions>;
  /** Tagger samples: gazetteer files as `textkit tag train --gazetteer` takes them. */
  gazetteers: string[];
  /** Classifier samples: the CSV/TSV columns of the text and the label (default text and label). */
  textColumn?: string;
  labelColumn?: string;
  /** The folder that holds the sample.json. */
  dir: string;
}

const SAMPLE_FILE = "sample.json";
const NON_EMPTY = Type.String({ minLength: 1, description: "a non-empty string" });
/** What a sample.json may hold; keys it does not name are left alone. */
const SAMPLE_SCHEMA = Type.Object(
  {
    name: NON_EMPTY,
    description: Type.Optional(Type.String({ description: "a string" })),
    train: NON_EMPTY,
    dev: Type.Optional(NON_EMPTY),
    test: Type.Optional(NON_EMPTY),
    family: Type.Optional(
      Type.Union([Type.Literal("classifier"), Type.Literal("tagger"), Type.Literal("assistant")]),
    ),
    options: Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), {
        description: 'an object of options such as {"epochs": 10}',
      }),
    ),
    gazetteers: Type.Optional(
      Type.Array(NON_EMPTY, { description: "a list of files (TYPE=file or a TSV of type and phrase)" }),
    ),
    taggers: Type.Optional(
      Type.Object(
        { en: Type.Optional(NON_EMPTY), zh: Type.Optional(NON_EMPTY) },
        {
          additionalProperties: false,
          description: 'an object mapping "en" and/or "zh" to the names of tagger samples',
        },
      ),
    ),
    textColumn: Type.Optional(NON_EMPTY),
    labelColumn: Type.Optional(NON_EMPTY),
  },
  { description: "one JSON object with name, description, train, dev, test and options" },
);
/** Safe as a directory name on every system. */
const SAMPLE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** The samples folder shipped with the package (next to src/ and dist/). */
export function bundledSamplesDir(): string {
  return fileURLToPath(new URL("../../samples/", import.meta.url));
}

/**
 * Reads and checks one sample.json.
 *
 * @example
 * readSampleSpec("samples/intents"); // { name: "intents", train: "train.csv", ... }
 */
export function readSampleSpec(dir: string): SampleSpec {
  const file = join(dir, SAMPLE_FILE);
  const bad = (message: string) => new TextkitError("OPTION_INVALID", message, { file });
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (cause) {
    throw new TextkitError(
      "DATA_BAD_JSON",
      `${file} is not valid JSON: ${cause instanceof Error ? cause.message : String(cause)}`,
      {
        file,
        cause,
      },
    );
  }
  const spec = checkShape(SAMPLE_SCHEMA, raw, { file });
  const { name, dev, test, textColumn, labelColumn } = spec;
  if (!SAMPLE_NAME.test(name)) {
    throw bad(
      `"name" must be letters, digits, '.', '_' or '-' (it names the model directory), got "${name}"`,
    );
  }
  const family = spec.family ?? "classifier";
  const known: object =
    family === "tagger"
      ? DEFAULT_TAGGER_OPTIONS
      : family === "assistant"
        ? DEFAULT_ASSISTANT_OPTIONS
        : DEFAULT_CLASSIFIER_OPTIONS;
  const options = spec.options ?? {};
  for (const key of Object.keys(options)) {
    if (!Object.hasOwn(known, key)) {
      throw bad(
        `"options" has an unknown key "${key}"; the ${family} options are ${Object.keys(known).join(", ")}`,
      );
    }
  }
  if (family !== "classifier" && (textColumn !== undefined || labelColumn !== undefined)) {
    throw bad(
      `"textColumn" and "labelColumn" are for classifier samples; a tagger reads CoNLL or JSONL spans`,
    );
  }
  return {
    name,
    description: spec.description ?? "",
    train: spec.train,
    ...(dev === undefined ? {} : { dev }),
    ...(test === undefined ? {} : { test }),
    family,
    // Keys checked above against the family's defaults; values by the trainer's own checks.
    options: options as Partial<ClassifierOptions> | Partial<TaggerOptions>,
    gazetteers: spec.gazetteers ?? [],
    taggers: spec.taggers ?? {},
    ...(textColumn === undefined ? {} : { textColumn }),
    ...(labelColumn === undefined ? {} : { labelColumn }),
    dir,
  };
}

/**
 * Every sample under `root`, in name order: each folder with a sample.json.
 *
 * @example
 * findSamples("samples").map((s) => s.name); // ["intents"]
 */
export function findSamples(root: string): SampleSpec[] {
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new TextkitError(
      "DATA_FILE_NOT_FOUND",
      "no such samples folder; the demo trains the samples that come with textkit (reinstall it if they are missing), or those in a folder given with --samples",
      { file: root },
    );
  }
  const specs: SampleSpec[] = [];
  for (const entry of readdirSync(root, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const dir = join(root, entry.name);
    if (entry.isDirectory() && existsSync(join(dir, SAMPLE_FILE))) specs.push(readSampleSpec(dir));
  }
  if (specs.length === 0) {
    throw new TextkitError(
      "DATA_FILE_NOT_FOUND",
      `${root} holds no sample: a sample is a folder with a ${SAMPLE_FILE} (name, description, train, dev, test, options) next to its data files`,
      { file: root },
    );
  }
  return specs;
}
