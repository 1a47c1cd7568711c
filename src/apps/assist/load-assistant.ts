/** Reading an assistant directory written by `Assistant.save` back into an assistant. */
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { type ArtifactManifest, artifactFile, readArtifact } from "../../artifact/index.ts";
import { TextkitError } from "../../core/index.ts";
import {
  type LanguageDetectorOptions,
  loadClassifier,
  loadEncoderClassifier,
  loadLanguageDetector,
} from "../../models/classifier/index.ts";
import { loadRetrievalIndex } from "../../models/retrieval/index.ts";
import { loadTagger, type SequenceTagger } from "../../models/tagger/index.ts";
import { TEXT_LANGUAGES, type TextLanguage } from "../../text/index.ts";
import { Assistant } from "./assistant.ts";
import { type AssistantEncoderRuntime, openAssistantEncoder } from "./assistant-encoder.ts";
import { ASSISTANT_FAMILY, ASSISTANT_FILE, type AssistantSnapshot } from "./assistant-types.ts";

/**
 * The parts the snapshot and labels call for must be the parts the sealed manifest lists,
 * and the manifest's options the snapshot's, so that no part is silently left out (an
 * assistant without its intent classifier) and no option differs.
 */
function checkParts(
  dir: string,
  manifest: ArtifactManifest,
  snapshot: AssistantSnapshot,
  labels: readonly string[],
): void {
  const indexes: unknown = snapshot?.indexes;
  const snapshotTaggers: unknown = snapshot?.taggers;
  if (
    indexes === null ||
    typeof indexes !== "object" ||
    !Array.isArray(snapshotTaggers) ||
    !snapshotTaggers.every((lang) => TEXT_LANGUAGES.includes(lang))
  ) {
    throw new TextkitError("ARTIFACT_CORRUPT", `${dir}/${ASSISTANT_FILE} lacks its indexes or taggers`, {
      file: join(dir, ASSISTANT_FILE),
    });
  }
  const wanted = [
    ...(labels.length >= 2 ? ["intent"] : []),
    ...(["faq", "passages", "examples"] as const).filter((name) => snapshot.indexes[name] === true),
    ...snapshot.taggers.map((lang) => `tagger-${lang}`),
  ].sort();
  const listed = Object.keys(manifest.parts ?? {}).sort();
  if (wanted.join(",") !== listed.join(",")) {
    throw new TextkitError(
      "ARTIFACT_CORRUPT",
      `${dir} lists the parts ${listed.join(", ") || "(none)"} but its labels and ${ASSISTANT_FILE} call for ${wanted.join(", ") || "(none)"}`,
      { file: join(dir, "manifest.json") },
    );
  }
  // The manifest's options are the snapshot's, plus the assistant's name (for people and listings).
  const { name, ...options } = manifest.options;
  if (name !== snapshot.settings?.name || !isDeepStrictEqual(options, snapshot.options)) {
    throw new TextkitError(
      "ARTIFACT_CORRUPT",
      `the options in ${dir}/manifest.json are not those of its ${ASSISTANT_FILE}`,
      { file: join(dir, "manifest.json") },
    );
  }
  const ref: unknown = snapshot.encoder ?? null;
  if (
    ref !== null &&
    (typeof ref !== "object" ||
      typeof Reflect.get(ref, "checksum") !== "string" ||
      typeof Reflect.get(ref, "id") !== "string")
  ) {
    throw new TextkitError("ARTIFACT_CORRUPT", `${dir}/${ASSISTANT_FILE} names its encoder wrongly`, {
      file: join(dir, ASSISTANT_FILE),
    });
  }
}

/** What a run chooses when it loads an assistant. */
export interface AssistantRuntime extends AssistantEncoderRuntime {
  /** The language model, in place of the one assistant.yaml recorded (null: textkit's English/Chinese detector). */
  language?: LanguageDetectorOptions | null;
}

/**
 * Loads an assistant directory written by `save`, verifying every part's checksums.
 * `runtime.language` names the language model for this run, in place of the one the
 * knowledge's assistant.yaml recorded (null: textkit's English/Chinese detector). An
 * assistant trained on a pretrained encoder needs that encoder (by checksum:
 * ENCODER_CHANGED for another; ENCODER_FILE_MISSING naming the folder when it is not
 * there): see `AssistantEncoderRuntime`; `close()` releases a copy opened here.
 *
 * @example
 * const assistant = await loadAssistant("models/assistant");
 * const reply = await assistant.respond("what is my balance", NEW_CONVERSATION);
 * await assistant.close();
 */
export async function loadAssistant(dir: string, runtime: AssistantRuntime = {}): Promise<Assistant> {
  const artifact = await readArtifact(dir, ASSISTANT_FAMILY);
  const bytes = artifactFile(artifact, ASSISTANT_FILE);
  let snapshot: AssistantSnapshot;
  try {
    snapshot = JSON.parse(bytes.toString("utf8")) as AssistantSnapshot;
  } catch (cause) {
    throw new TextkitError("ARTIFACT_CORRUPT", `${dir}/${ASSISTANT_FILE} is not valid JSON`, {
      file: dir,
      cause,
    });
  }
  const labels = artifact.manifest.labels ?? [];
  checkParts(dir, artifact.manifest, snapshot, labels);
  const ref = snapshot.encoder ?? null;
  const opened = ref === null ? null : await openAssistantEncoder(dir, ref, runtime);
  try {
    const intentDir = join(dir, "intent");
    const classifier =
      labels.length < 2
        ? null
        : opened === null
          ? await loadClassifier(intentDir)
          : await loadEncoderClassifier(intentDir, opened.encoder);
    const indexOptions = opened === null ? {} : { encoder: opened.passages };
    const faqIndex = snapshot.indexes.faq ? await loadRetrievalIndex(join(dir, "faq"), indexOptions) : null;
    const passageIndex = snapshot.indexes.passages
      ? await loadRetrievalIndex(join(dir, "passages"), indexOptions)
      : null;
    const exampleIndex = snapshot.indexes.examples ? await loadRetrievalIndex(join(dir, "examples")) : null;
    const taggers: Partial<Record<TextLanguage, SequenceTagger>> = {};
    for (const lang of snapshot.taggers) taggers[lang] = await loadTagger(join(dir, `tagger-${lang}`));
    const languages = await loadLanguageDetector(
      runtime.language === undefined ? (snapshot.settings.language ?? {}) : (runtime.language ?? {}),
    );
    return new Assistant(
      snapshot,
      classifier,
      faqIndex,
      passageIndex,
      taggers,
      exampleIndex,
      languages,
      opened?.release,
    );
  } catch (error) {
    await opened?.release();
    throw error;
  }
}
