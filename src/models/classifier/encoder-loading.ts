/**
 * Reading an encoder-head classifier back: which encoder its artifact names (and whether it
 * carries it), and the model itself on that encoder, refused on any other.
 */
import { join } from "node:path";
import { artifactFloats, artifactOptions, readArtifact, readSealedManifest } from "../../artifact/index.ts";
import { readEncoderRef, runRecordOf, type SentenceEncoder, TextkitError } from "../../core/index.ts";
import { CLASSIFIER_FAMILY } from "./classifier.ts";
import { EncoderClassifier, type EncoderReference } from "./encoder-classifier.ts";
import { headLayout } from "./head.ts";
import { ENCODER_HEAD_KIND, type HeadOptions, resolveHeadOptions } from "./head-options.ts";
import { loadClassifier } from "./load-classifier.ts";

/**
 * How the classifier artifact in `dir` names its encoder, and whether it carries it; null
 * for an n-gram classifier (or another family).
 */
export async function encoderHeadOf(
  dir: string,
): Promise<{ encoder: EncoderReference; bundled: boolean } | null> {
  const manifest = await readSealedManifest(dir);
  if (manifest.family !== CLASSIFIER_FAMILY || manifest.options["kind"] !== ENCODER_HEAD_KIND) return null;
  return {
    encoder: encoderReferenceOf(manifest.options, dir),
    bundled: manifest.options["bundled"] === true,
  };
}

function encoderReferenceOf(options: Record<string, unknown>, dir: string): EncoderReference {
  const e = options["encoder"];
  const file = join(dir, "manifest.json");
  if (e === null || typeof e !== "object")
    throw new TextkitError("ARTIFACT_CORRUPT", `the classifier in ${dir} does not name its encoder`, {
      file,
    });
  const ref = readEncoderRef(e);
  if (ref === null) {
    throw new TextkitError("ARTIFACT_CORRUPT", `the classifier in ${dir} names its encoder wrongly`, {
      file,
      details: { field: "options.encoder" },
    });
  }
  return ref;
}

/**
 * Loads an encoder-head classifier written by `save`, on `encoder`, which must be the one
 * it was trained on (ENCODER_CHANGED otherwise: same checksum, hence same weights,
 * tokenizer and pooling).
 */
export async function loadEncoderClassifier(
  dir: string,
  encoder: SentenceEncoder,
): Promise<EncoderClassifier> {
  const artifact = await readArtifact(dir, CLASSIFIER_FAMILY);
  const m = artifact.manifest;
  const corrupt = (what: string): TextkitError =>
    new TextkitError("ARTIFACT_CORRUPT", `the classifier in ${dir} ${what}`, {
      file: join(dir, "manifest.json"),
    });
  if (m.options["kind"] !== ENCODER_HEAD_KIND)
    throw corrupt("is not a head on an encoder; load it with loadClassifier");
  const ref = encoderReferenceOf(m.options, dir);
  if (encoder.checksum !== ref.checksum) {
    throw new TextkitError(
      "ENCODER_CHANGED",
      `the classifier in ${dir} was trained on the encoder ${ref.id} (checksum ${ref.checksum.slice(0, 12)}); the encoder given is ${encoder.id}`,
      { file: join(dir, "manifest.json") },
    );
  }
  const headOptions = artifactOptions(
    { ...artifact, manifest: { ...m, options: objectOf(m.options["head"]) } },
    (stored) => resolveHeadOptions(stored as Partial<HeadOptions>),
  );
  const headWeight = m.options["headWeight"];
  if (typeof headWeight !== "number" || !(headWeight >= 0 && headWeight <= 1))
    throw corrupt("has a head weight outside 0..1");
  if (m.task !== "multiclass" && m.task !== "multilabel") throw corrupt(`has an unknown task '${m.task}'`);
  const labels = m.labels ?? [];
  if (labels.length < 2) throw corrupt("lists fewer than two labels");
  const params = artifactFloats(artifact, "head.f32");
  const mean = artifactFloats(artifact, "mean.f32");
  const invStd = artifactFloats(artifact, "inv-std.f32");
  const layout = headLayout(ref.dim, headOptions.hidden, labels.length);
  if (
    params.length !== layout.size ||
    mean.length !== ref.dim ||
    invStd.length !== ref.dim ||
    encoder.dim !== ref.dim
  ) {
    throw corrupt("has weights that do not match its encoder's dimension and its labels");
  }
  const ngram = headWeight < 1 ? await loadClassifier(join(dir, "ngram")) : null;
  if (ngram !== null && ngram.labels.join("\n") !== labels.join("\n"))
    throw corrupt("has an n-gram part with other labels");
  return new EncoderClassifier({
    labels,
    multiLabel: m.task === "multilabel",
    headOptions,
    encoder,
    encoderRef: ref,
    head: { dim: ref.dim, hidden: headOptions.hidden, labels: labels.length, mean, invStd, params },
    ngram,
    headWeight,
    runRecord: runRecordOf(artifact.files),
  });
}

function objectOf(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value)
    ? Object.fromEntries(Object.entries(value))
    : {};
}
