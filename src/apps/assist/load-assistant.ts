/** Reading an assistant directory written by `Assistant.save` back into an assistant. */
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { artifactFile, readArtifact } from "../../artifact/index.ts";
import { TextkitError } from "../../core/index.ts";
import {
  type LanguageDetectorOptions,
  loadClassifier,
  loadLanguageDetector,
} from "../../models/classifier/index.ts";
import { loadRetrievalIndex } from "../../models/retrieval/index.ts";
import { loadTagger, type SequenceTagger } from "../../models/tagger/index.ts";
import { TEXT_LANGUAGES, type TextLanguage } from "../../text/index.ts";
import { Assistant } from "./assistant.ts";
import { ASSISTANT_FAMILY, ASSISTANT_FILE, type AssistantSnapshot } from "./assistant-types.ts";

/**
 * Loads an assistant directory written by `save`, verifying every part's checksums.
 * `runtime.language` names the language model for this run, in place of the one the
 * knowledge's assistant.yaml recorded (null: textkit's English/Chinese detector).
 */
export async function loadAssistant(
  dir: string,
  runtime: { language?: LanguageDetectorOptions | null } = {},
): Promise<Assistant> {
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
  // The parts the snapshot and labels call for must be the parts the sealed manifest lists,
  // so that no part is silently left out (an assistant without its intent classifier).
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
  const listed = Object.keys(artifact.manifest.parts ?? {}).sort();
  if (wanted.join(",") !== listed.join(",")) {
    throw new TextkitError(
      "ARTIFACT_CORRUPT",
      `${dir} lists the parts ${listed.join(", ") || "(none)"} but its labels and ${ASSISTANT_FILE} call for ${wanted.join(", ") || "(none)"}`,
      { file: join(dir, "manifest.json") },
    );
  }
  // The manifest's options are the snapshot's, plus the assistant's name (for people and listings).
  const { name, ...options } = artifact.manifest.options;
  if (name !== snapshot.settings?.name || !isDeepStrictEqual(options, snapshot.options)) {
    throw new TextkitError(
      "ARTIFACT_CORRUPT",
      `the options in ${dir}/manifest.json are not those of its ${ASSISTANT_FILE}`,
      { file: join(dir, "manifest.json") },
    );
  }
  const classifier = labels.length >= 2 ? await loadClassifier(join(dir, "intent")) : null;
  const faqIndex = snapshot.indexes.faq ? await loadRetrievalIndex(join(dir, "faq")) : null;
  const passageIndex = snapshot.indexes.passages ? await loadRetrievalIndex(join(dir, "passages")) : null;
  const exampleIndex = snapshot.indexes.examples ? await loadRetrievalIndex(join(dir, "examples")) : null;
  const taggers: Partial<Record<TextLanguage, SequenceTagger>> = {};
  for (const lang of snapshot.taggers) taggers[lang] = await loadTagger(join(dir, `tagger-${lang}`));
  const languages = await loadLanguageDetector(
    runtime.language === undefined ? (snapshot.settings.language ?? {}) : (runtime.language ?? {}),
  );
  return new Assistant(snapshot, classifier, faqIndex, passageIndex, taggers, exampleIndex, languages);
}
