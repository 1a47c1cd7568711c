/**
 * Loading a retrieval index directory: its items, BM25 postings, vectors, and the encoder
 * its queries go through (stored in the artifact, given by the caller, or a pretrained
 * one named by checksum).
 */
import { join } from "node:path";
import {
  artifactFile,
  artifactFloats,
  artifactInts,
  artifactOptions,
  readArtifact,
} from "../../artifact/index.ts";
import { TextkitError } from "../../core/index.ts";
import { Bm25Index } from "./bm25.ts";
import { ENCODER_FILE_PREFIX, PRETRAINED_ENCODER_KIND, RetrievalIndex } from "./retrieval-index.ts";
import { itemsOf } from "./retrieval-items.ts";
import {
  type EncoderInfo,
  type LoadRetrievalOptions,
  RETRIEVAL_FAMILY,
  type RetrievalOptions,
  resolveRetrievalOptions,
} from "./retrieval-options.ts";
import {
  type AnyPassageEncoder,
  type EncoderArtifact,
  isAsyncEncoder,
  type PassageEncoder,
  VectorIndex,
} from "./vector-index.ts";
import { WORD_VECTOR_ENCODER_KIND, WordVectorEncoder } from "./word-vector-encoder.ts";

/** Encoders an artifact can hold, by kind. */
/** The encoder as the manifest stores it. */
interface StoredEncoder extends EncoderInfo {
  kind: string | null;
  options: Record<string, unknown> | null;
}

const ENCODER_LOADERS: Readonly<
  Record<string, (artifact: EncoderArtifact, where: string) => PassageEncoder>
> = {
  [WORD_VECTOR_ENCODER_KIND]: (artifact, where) => WordVectorEncoder.fromArtifact(artifact, where),
};

/** The encoder as the manifest describes it: id, dimension, and the kind and options of a stored one. */
function encoderInfoOf(value: unknown, where: string): StoredEncoder | null {
  if (value === null || value === undefined) return null;
  const v = value as Record<string, unknown>;
  if (
    typeof v["id"] !== "string" ||
    typeof v["dim"] !== "number" ||
    !(v["kind"] === null || typeof v["kind"] === "string")
  ) {
    throw new TextkitError(
      "ARTIFACT_CORRUPT",
      `the encoder in ${where}/manifest.json is not described properly`,
      {
        file: where,
      },
    );
  }
  const options = v["options"];
  const stored: StoredEncoder = {
    id: v["id"],
    dim: v["dim"],
    kind: v["kind"] as string | null,
    options: options !== null && typeof options === "object" ? (options as Record<string, unknown>) : null,
  };
  if (stored.kind === PRETRAINED_ENCODER_KIND && typeof stored.options?.["checksum"] !== "string") {
    throw new TextkitError(
      "ARTIFACT_CORRUPT",
      `the pretrained encoder in ${where}/manifest.json has no checksum`,
      {
        file: where,
      },
    );
  }
  return stored;
}

/**
 * Loads an index directory written by `save`, verifying its checksums; a truncated or
 * changed file is ARTIFACT_CORRUPT. An index built with `WordVectorEncoder` brings its
 * encoder along, fitted as it was; one built with another encoder needs it again
 * (`options.encoder`, as it was after `fit`, of the same id and dimension:
 * RETRIEVAL_ENCODER_MISMATCH otherwise); one built with a pretrained encoder needs one of
 * the same checksum (ENCODER_CHANGED otherwise; `retrievalEncoderNeed` says which).
 *
 * @example
 * const index = await loadRetrievalIndex("models/help");
 * index.search("reset my password");
 */
export async function loadRetrievalIndex(
  dir: string,
  options: LoadRetrievalOptions = {},
): Promise<RetrievalIndex> {
  const artifact = await readArtifact(dir, RETRIEVAL_FAMILY);
  const need = (name: string): Buffer => artifactFile(artifact, name);
  const rawEncoder = artifact.manifest.options["encoder"];
  const resolved = artifactOptions(
    artifact,
    (stored) => resolveRetrievalOptions(stored as Partial<RetrievalOptions>),
    ["encoder"],
  );
  const items = itemsOf(need("items.json"), dir);
  const termsText = need("terms.txt").toString("utf8");
  const bm25 = Bm25Index.fromParts(
    {
      terms: termsText.length === 0 ? [] : termsText.split("\n"),
      offsets: artifactInts(artifact, "postings-offsets.i32"),
      docs: artifactInts(artifact, "postings-docs.i32"),
      tfs: artifactInts(artifact, "postings-tf.i32"),
      docLengths: artifactInts(artifact, "doc-lengths.i32"),
    },
    resolved,
    dir,
  );
  if (bm25.documents !== items.length) {
    throw new TextkitError(
      "ARTIFACT_CORRUPT",
      `${dir} indexes ${bm25.documents} documents but holds ${items.length} items`,
      {
        file: dir,
      },
    );
  }
  const info = encoderInfoOf(rawEncoder, dir);
  const vectors =
    info === null
      ? null
      : VectorIndex.fromUnitRows(artifactFloats(artifact, "vectors.f32"), info.dim, items.length, dir);
  const encoder = info === null ? null : encoderFor(info, artifact.files, dir, options);
  return new RetrievalIndex({
    options: resolved,
    items,
    bm25,
    vectors,
    encoder,
    encoderInfo: info === null ? null : storedInfo(info),
  });
}

/** What the index reports of its encoder: id and dimension, and a pretrained one's checksum and folder. */
function storedInfo(info: StoredEncoder): EncoderInfo {
  if (info.kind !== PRETRAINED_ENCODER_KIND) return { id: info.id, dim: info.dim };
  const path = info.options?.["path"];
  return {
    id: info.id,
    dim: info.dim,
    checksum: String(info.options?.["checksum"]),
    path: typeof path === "string" ? path : null,
  };
}

/** The pretrained encoder an index was built with, as its manifest names it. */
export interface PretrainedEncoderNeed {
  id: string;
  dim: number;
  checksum: string;
  /** The folder it was loaded from when the index was built; null when not recorded. */
  path: string | null;
}

/**
 * The pretrained encoder an index directory needs, as its manifest names it, or null for an
 * index without one (no vectors, or vectors of an encoder it stores or a caller's own).
 * Callers read it to load the encoder (from `path`, or a folder of their own whose
 * checksum matches) before `loadRetrievalIndex`.
 *
 * @example
 * const need = await retrievalEncoderNeed("models/help"); // { id, dim, checksum, path } | null
 */
export async function retrievalEncoderNeed(dir: string): Promise<PretrainedEncoderNeed | null> {
  const artifact = await readArtifact(dir, RETRIEVAL_FAMILY);
  const info = encoderInfoOf(artifact.manifest.options["encoder"], dir);
  if (info === null || info.kind !== PRETRAINED_ENCODER_KIND) return null;
  const stored = storedInfo(info);
  return { id: stored.id, dim: stored.dim, checksum: stored.checksum ?? "", path: stored.path ?? null };
}

/** A pretrained encoder given at load: the one the index was built with, by checksum. */
function pretrainedFor(
  info: StoredEncoder,
  dir: string,
  options: LoadRetrievalOptions,
): AnyPassageEncoder | null {
  const checksum = String(info.options?.["checksum"]);
  const given = options.encoder;
  if (given === undefined) {
    if (options.allowMissingEncoder === true) return null;
    const path = info.options?.["path"];
    throw new TextkitError(
      "RETRIEVAL_ENCODER_MISMATCH",
      `${dir} was built with the pretrained encoder ${info.id}${typeof path === "string" ? ` (from ${path})` : ""}: load that encoder and pass it`,
      { file: join(dir, "manifest.json") },
    );
  }
  if (!isAsyncEncoder(given) || given.checksum !== checksum || given.dim !== info.dim) {
    throw new TextkitError(
      "ENCODER_CHANGED",
      `${dir} was built with the encoder ${info.id} (checksum ${checksum.slice(0, 12)}); the encoder given is ${given.id}`,
      { file: join(dir, "manifest.json") },
    );
  }
  return given;
}

/** The encoder queries go through: the stored one, the one given, or none (BM25 only). */
function encoderFor(
  info: StoredEncoder,
  files: Readonly<Record<string, Uint8Array>>,
  dir: string,
  options: LoadRetrievalOptions,
): AnyPassageEncoder | null {
  if (info.kind === PRETRAINED_ENCODER_KIND) return pretrainedFor(info, dir, options);
  const loader = info.kind === null ? undefined : ENCODER_LOADERS[info.kind];
  const given = options.encoder;
  if (given !== undefined && (given.id !== info.id || given.dim !== info.dim)) {
    throw new TextkitError(
      "RETRIEVAL_ENCODER_MISMATCH",
      `${dir} was built with encoder '${info.id}' (dimension ${info.dim}), not '${given.id}' (dimension ${given.dim})`,
      { file: dir },
    );
  }
  if (loader !== undefined && info.kind !== null) {
    // The stored encoder, even when one of the same id is given: it holds what fitting
    // learnt (word counts, component), which a freshly read .vec file lacks.
    const own: Record<string, Uint8Array> = {};
    for (const [name, data] of Object.entries(files)) {
      if (name.startsWith(ENCODER_FILE_PREFIX)) own[name.slice(ENCODER_FILE_PREFIX.length)] = data;
    }
    const encoder = loader({ kind: info.kind, options: info.options ?? {}, files: own }, dir);
    if (encoder.dim !== info.dim || encoder.id !== info.id) {
      throw new TextkitError(
        "ARTIFACT_CORRUPT",
        `the encoder stored in ${dir} is not '${info.id}' of dimension ${info.dim}`,
        { file: dir },
      );
    }
    return encoder;
  }
  if (given !== undefined) return given;
  if (options.allowMissingEncoder === true) return null;
  throw new TextkitError(
    "RETRIEVAL_ENCODER_MISMATCH",
    `${dir} was built with encoder '${info.id}' (dimension ${info.dim}), which it cannot store: pass that encoder to load it`,
    { file: dir },
  );
}
