/**
 * A pretrained encoder's sentence embeddings as clustering features (issue 12): texts are
 * embedded once, and k-means runs on the vectors (spherical under the cosine metric, as
 * text clustering does by default). The model names its encoder by checksum in
 * `encoder.json`; predicting needs that encoder again, and another is ENCODER_CHANGED.
 */
import { join } from "node:path";
import { readArtifact } from "../../artifact/index.ts";
import { readEncoderRef, type SentenceEncoder, TextkitError } from "../../core/index.ts";
import { CLUSTER_FAMILY } from "./cluster-common.ts";

/** The artifact file naming the encoder. */
export const CLUSTER_ENCODER_FILE = "encoder.json";

/** How a cluster model names the encoder its features came from. */
export interface ClusterEncoderRef {
  id: string;
  checksum: string;
  dim: number;
  /** The folder it was loaded from at training time (a hint for loaders; the checksum decides). */
  path: string | null;
}

/** The reference to record for `encoder`, loaded from `path`. */
export function clusterEncoderRef(encoder: SentenceEncoder, path: string | null): ClusterEncoderRef {
  return { id: encoder.id, checksum: encoder.checksum, dim: encoder.dim, path };
}

/**
 * The encoder's vectors of `texts` (n × dim), checked for shape and finite values.
 *
 * @example
 * const rows = await embedForClusters(encoder, ["lost card", "rain today"]);
 */
export async function embedForClusters(
  encoder: SentenceEncoder,
  texts: readonly string[],
  onProgress?: (progress: { done: number; total: number }) => void,
): Promise<Float32Array> {
  const out = await encoder.embed(texts, onProgress === undefined ? {} : { onProgress });
  if (out.dim !== encoder.dim || out.vectors.length !== texts.length * encoder.dim) {
    throw new TextkitError("INTERNAL", `the encoder ${encoder.id} returned vectors of the wrong shape`);
  }
  for (const value of out.vectors) {
    if (!Number.isFinite(value)) {
      throw new TextkitError("DATA_BAD_VECTORS", `the encoder ${encoder.id} returned ${value} in a vector`);
    }
  }
  return out.vectors;
}

/** Refuses an encoder other than the one the model was trained on (by checksum). */
export function checkClusterEncoder(ref: ClusterEncoderRef, encoder: SentenceEncoder, where: string): void {
  if (encoder.checksum !== ref.checksum || encoder.dim !== ref.dim) {
    throw new TextkitError(
      "ENCODER_CHANGED",
      `the clusters in ${where} were trained on the encoder ${ref.id} (checksum ${ref.checksum.slice(0, 12)}); the encoder given is ${encoder.id}`,
      { file: join(where, "manifest.json") },
    );
  }
}

/** The stored reference, checked: ARTIFACT_CORRUPT naming the file when it is not one. */
export function parseClusterEncoderRef(data: Buffer, where: string): ClusterEncoderRef {
  const file = join(where, CLUSTER_ENCODER_FILE);
  let value: unknown;
  try {
    value = JSON.parse(data.toString("utf8"));
  } catch (cause) {
    throw new TextkitError("ARTIFACT_CORRUPT", `${file} is not valid JSON`, { file, cause });
  }
  const ref = readEncoderRef(value);
  if (ref === null) {
    throw new TextkitError("ARTIFACT_CORRUPT", `${file} does not name an encoder (id, checksum, dim, path)`, {
      file,
    });
  }
  return ref;
}

/**
 * The encoder a cluster model directory needs to predict, or null for one on TF-IDF or
 * word vectors. Callers load it (from `path`, or a folder of their own with the same
 * checksum) and pass it to `loadClusterModel`.
 *
 * @example
 * const need = await clusterEncoderNeed("models/topics"); // { id, checksum, dim, path } | null
 */
export async function clusterEncoderNeed(dir: string): Promise<ClusterEncoderRef | null> {
  const artifact = await readArtifact(dir, CLUSTER_FAMILY);
  const data = artifact.files[CLUSTER_ENCODER_FILE];
  return data === undefined ? null : parseClusterEncoderRef(Buffer.from(data), dir);
}
