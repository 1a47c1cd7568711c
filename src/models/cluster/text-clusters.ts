/**
 * Topic discovery: texts as TF-IDF rows (or averaged word vectors), grouped by k-means
 * (spherical by default), each cluster described by its size, the terms with the highest
 * mean TF-IDF that are not spread evenly over every cluster, and the texts nearest its
 * centroid. The model assigns new texts to the nearest centroid.
 */

import {
  type Artifact,
  artifactFile,
  artifactFloats,
  bytesOf,
  type ManifestInput,
  saveModel,
  type TrainedModel,
} from "../../artifact/index.ts";
import type { RunRecord, SentenceEncoder, TrainHooks } from "../../core/index.ts";
import { TextkitError } from "../../core/index.ts";
import { type Dataset, datasetFromExamples, fingerprint } from "../../data/index.ts";
import { adjustedRandIndex } from "../../eval/index.ts";
import { distancesToCentroids, type KMeansData, kMeansPredict } from "../numeric/index.ts";
import {
  assignmentsOf,
  type ClusterAssignment,
  clusterArtifactParts,
  clusterCorrupt,
  clusterRunRecord,
  readClusterCore,
} from "./cluster-common.ts";
import { type ClusterExample, type ClusterTerm, examplesOf, topTermsOf } from "./cluster-descriptions.ts";
import {
  CLUSTER_ENCODER_FILE,
  type ClusterEncoderRef,
  checkClusterEncoder,
  clusterEncoderRef,
  embedForClusters,
  parseClusterEncoderRef,
} from "./encoder-features.ts";
import { fitKMeans, type KChoice } from "./fit.ts";
import { type ClusterOptions, resolveClusterOptions } from "./options.ts";
import { TermTokenizer, TfidfFeatures } from "./tfidf.ts";
import { WordVectorFeatures, wordVectorsFor } from "./word-vector-features.ts";

export const TEXT_CLUSTER_TASK = "text-clustering";

/** What a person reads about one cluster. */
export interface ClusterSummary {
  cluster: number;
  size: number;
  topTerms: ClusterTerm[];
  /** The texts nearest the centroid, nearest first, without repeats. */
  examples: ClusterExample[];
}

export interface ClusterEvaluation {
  /** Agreement of the clusters with the labels (adjusted Rand index: 1 same partition, about 0 chance). */
  adjustedRandIndex: number;
  /** Texts that had a label and were scored. */
  examples: number;
  /** Distinct labels among them. */
  labels: number;
  assignments: ClusterAssignment[];
}

/** The learnt parts of a text cluster model. */
export interface TextClusterParts {
  options: ClusterOptions;
  k: number;
  dim: number;
  /** k × dim. */
  centroids: Float32Array;
  tfidf: TfidfFeatures | null;
  wordVectors: WordVectorFeatures | null;
  /** The encoder of features "encoder", by checksum. */
  encoderRef?: ClusterEncoderRef | null;
  /** That encoder, loaded; without it such a model cannot predict. */
  encoder?: SentenceEncoder | null;
  clusters: ClusterSummary[];
  selection: KChoice[];
  inertia: number;
  silhouette: number | null;
  runRecord: RunRecord | null;
}

/**
 * Clusters of texts. Create one with `trainTextClusters` or `loadClusterModel`; it is
 * immutable after that.
 */
export class TextClusterModel
  implements TrainedModel<readonly string[], ClusterAssignment[], Dataset, ClusterEvaluation>
{
  readonly task = TEXT_CLUSTER_TASK;
  readonly options: ClusterOptions;
  /** The number of clusters (the one chosen when a range was asked for). */
  readonly k: number;
  readonly dim: number;
  readonly centroids: Float32Array;
  readonly clusters: readonly ClusterSummary[];
  /** Each k tried with its inertia and silhouette. */
  readonly selection: readonly KChoice[];
  /** Sum of the training texts' distances to their centroid. */
  readonly inertia: number;
  readonly silhouette: number | null;
  readonly runRecord: RunRecord | null;
  /** @internal */
  readonly tfidf: TfidfFeatures | null;
  /** @internal */
  readonly wordVectors: WordVectorFeatures | null;
  /** The pretrained encoder of features "encoder", by checksum; null for other features. */
  readonly encoderRef: ClusterEncoderRef | null;
  /** That encoder, when the model was trained or loaded with it. */
  readonly encoder: SentenceEncoder | null;
  readonly #parts: TextClusterParts;
  private readonly tokenizer: TermTokenizer;

  constructor(parts: TextClusterParts) {
    this.options = parts.options;
    this.k = parts.k;
    this.dim = parts.dim;
    this.centroids = parts.centroids;
    this.clusters = parts.clusters;
    this.selection = parts.selection;
    this.inertia = parts.inertia;
    this.silhouette = parts.silhouette;
    this.runRecord = parts.runRecord;
    this.tfidf = parts.tfidf;
    this.wordVectors = parts.wordVectors;
    this.encoderRef = parts.encoderRef ?? null;
    this.encoder = parts.encoder ?? null;
    this.#parts = parts;
    this.tokenizer = new TermTokenizer(parts.options);
  }

  /** @internal The rows the centroids live among, for tokenised texts. */
  featureRows(documents: readonly (readonly string[])[]): KMeansData {
    if (this.tfidf !== null) return this.tfidf.transform(documents);
    return this.wordVectors!.transform(documents);
  }

  /**
   * The nearest cluster of each text and the distance to its centroid. A text with no
   * known term is at distance 1 from every centroid (cosine) and goes to cluster 0.
   *
   * @example
   * const [a] = model.predict(["my card was declined"]);
   * a.cluster; // 3
   */
  predict(texts: readonly string[]): ClusterAssignment[] {
    if (this.encoderRef !== null) {
      throw new TextkitError(
        "ENCODER_ASYNC_ONLY",
        `these clusters are on the encoder ${this.encoderRef.id}, which answers asynchronously: call predictAsync`,
      );
    }
    const documents = texts.map((t) => this.tokenizer.terms(t));
    const rows = this.featureRows(documents);
    return assignmentsOf(
      kMeansPredict(rows, texts.length, this.dim, this.centroids, this.k, { metric: this.options.metric }),
    );
  }

  /**
   * `predict` for any features, a pretrained encoder's included (its texts are embedded
   * first; HEAD_ENCODER_REQUIRED when the model was loaded without its encoder).
   *
   * @example
   * const [a] = await model.predictAsync(["my card was declined"]);
   */
  async predictAsync(texts: readonly string[]): Promise<ClusterAssignment[]> {
    const ref = this.encoderRef;
    if (ref === null) return this.predict(texts);
    if (this.encoder === null) {
      throw new TextkitError(
        "HEAD_ENCODER_REQUIRED",
        `these clusters are on the encoder ${ref.id}${ref.path === null ? "" : ` (trained from ${ref.path})`}: load the model with that encoder`,
      );
    }
    if (texts.length === 0) return [];
    const rows = await embedForClusters(this.encoder, texts);
    return assignmentsOf(
      kMeansPredict(rows, texts.length, this.dim, this.centroids, this.k, { metric: this.options.metric }),
    );
  }

  /**
   * This model predicting through `encoder`, which must be the one it was trained on
   * (ENCODER_CHANGED otherwise).
   *
   * @example
   * const ready = model.withEncoder(await loadEncoder("models/minilm"));
   */
  withEncoder(encoder: SentenceEncoder, where = "this model"): TextClusterModel {
    if (this.encoderRef === null) {
      throw new TextkitError("OPTION_INVALID", `the clusters in ${where} are not on a pretrained encoder`);
    }
    checkClusterEncoder(this.encoderRef, encoder, where);
    return new TextClusterModel({ ...this.#parts, encoder });
  }

  /**
   * How well the clusters match known labels (the first label of each text), as the
   * adjusted Rand index. Texts without a label are left out.
   */
  evaluate(dataset: Dataset): ClusterEvaluation {
    const labelled = labelledOf(dataset);
    return agreement(labelled, this.predict(labelled.map((e) => e.text)));
  }

  /** `evaluate` for any features, a pretrained encoder's included. */
  async evaluateAsync(dataset: Dataset): Promise<ClusterEvaluation> {
    const labelled = labelledOf(dataset);
    return agreement(labelled, await this.predictAsync(labelled.map((e) => e.text)));
  }

  /** Writes the model directory atomically (see `saveModel`). */
  async save(dir: string): Promise<void> {
    await saveModel(this, dir);
  }

  /** @internal What `save` writes. */
  artifactParts(): { manifest: ManifestInput; files: Record<string, Uint8Array> } {
    const files: Record<string, Uint8Array> = {};
    if (this.tfidf !== null) {
      files["terms.txt"] = Buffer.from(this.tfidf.terms.join("\n"), "utf8");
      files["idf.f32"] = bytesOf(this.tfidf.idf);
    }
    if (this.wordVectors !== null) {
      files["words.txt"] = Buffer.from(this.wordVectors.words.join("\n"), "utf8");
      files["vectors.f32"] = bytesOf(this.wordVectors.vectors);
    }
    if (this.encoderRef !== null) {
      files[CLUSTER_ENCODER_FILE] = Buffer.from(`${JSON.stringify(this.encoderRef, null, 2)}\n`, "utf8");
    }
    return clusterArtifactParts(TEXT_CLUSTER_TASK, this, {}, files);
  }
}

/** The examples of `dataset` with a label; DATA_NO_LABEL when there is none. */
function labelledOf(dataset: Dataset): Dataset["examples"] {
  const labelled = dataset.examples.filter((e) => e.labels.length > 0);
  if (labelled.length === 0) {
    throw new TextkitError(
      "DATA_NO_LABEL",
      `${dataset.source} has no labels to compare the clusters with; give a label column`,
      { file: dataset.source },
    );
  }
  return labelled;
}

/** The adjusted Rand index of the assignments against the first label of each example. */
function agreement(labelled: Dataset["examples"], assignments: ClusterAssignment[]): ClusterEvaluation {
  const truth = labelled.map((e) => e.labels[0] ?? "");
  return {
    adjustedRandIndex: adjustedRandIndex(
      truth,
      assignments.map((a) => a.cluster),
    ),
    examples: labelled.length,
    labels: new Set(truth).size,
    assignments,
  };
}

/** The rows k-means clusters, as `options.features` asks: TF-IDF, averaged word vectors, or an encoder's embeddings. */
async function clusterRows(
  options: ClusterOptions,
  features: TextClusterEncoding,
  documents: string[][],
  texts: string[],
  tfidf: { rows: KMeansData; dim: number },
): Promise<{
  rows: KMeansData;
  dim: number;
  wordVectors: WordVectorFeatures | null;
  encoderRef: ClusterEncoderRef | null;
}> {
  if (options.features === "vectors" && options.vectors !== null) {
    const wordVectors = await wordVectorsFor(options.vectors, documents);
    return { rows: wordVectors.transform(documents), dim: wordVectors.dim, wordVectors, encoderRef: null };
  }
  if (options.features === "encoder") {
    const { encoder } = features;
    if (encoder === undefined) {
      throw new TextkitError(
        "OPTION_INVALID",
        "features 'encoder' needs a pretrained encoder (--encoder DIR)",
      );
    }
    const rows = await embedForClusters(encoder, texts);
    const encoderRef = clusterEncoderRef(encoder, features.encoderPath ?? null);
    return { rows, dim: encoder.dim, wordVectors: null, encoderRef };
  }
  return { rows: tfidf.rows, dim: tfidf.dim, wordVectors: null, encoderRef: null };
}

/**
 * Groups texts into clusters by topic. `data` is a dataset (its labels, if any, are not
 * used for training) or plain texts. With `k: { min, max }` each k is tried and the one
 * with the highest silhouette is kept.
 *
 * @example
 * const model = await trainTextClusters(["card declined", "card blocked", "refund please", "money back"], { k: 2, minDf: 1, maxDf: 1 });
 * model.clusters.map((c) => c.topTerms.map((t) => t.term));
 */
export async function trainTextClusters(
  data: Dataset | readonly string[],
  partialOptions: Partial<ClusterOptions> = {},
  hooks: TrainHooks = {},
  features: TextClusterEncoding = {},
): Promise<TextClusterModel> {
  const options = resolveClusterOptions(partialOptions);
  const started = new Date();
  const t0 = performance.now();
  const dataset: Dataset = isTextList(data)
    ? datasetFromExamples(
        "texts",
        data.map((text, i) => ({ text, labels: [], line: i + 1 })),
      )
    : data;
  const texts = dataset.examples.map((e) => e.text);
  const n = texts.length;
  if (n === 0) {
    throw new TextkitError("DATA_EMPTY", `${dataset.source} has no texts to cluster`, {
      file: dataset.source,
    });
  }
  const tokenizer = new TermTokenizer(options);
  const documents = texts.map((t) => tokenizer.terms(t));
  const tfidf = TfidfFeatures.fit(documents, options);
  const tfRows = tfidf.transform(documents);
  const { rows, dim, wordVectors, encoderRef } = await clusterRows(options, features, documents, texts, {
    rows: tfRows,
    dim: tfidf.dim,
  });
  const fit = fitKMeans(rows, n, dim, options, "texts", hooks);
  const { k, result } = fit;
  const distances = distancesToCentroids(rows, n, dim, result.centroids, k, result.assignments, {
    metric: options.metric,
  });
  const sizes = new Int32Array(k);
  for (let i = 0; i < n; i++) sizes[result.assignments[i]!]!++;
  const terms = topTermsOf(tfRows, tfidf.terms, result.assignments, k, sizes, options.topTerms);
  const examples = examplesOf(texts, result.assignments, distances, k, options.examples);
  const clusters: ClusterSummary[] = Array.from(sizes, (size, c) => ({
    cluster: c,
    size,
    topTerms: terms[c] ?? [],
    examples: examples[c] ?? [],
  }));
  let empty = 0;
  for (let i = 0; i < n; i++) if (tfRows.rowStart[i + 1] === tfRows.rowStart[i]) empty++;
  const record = clusterRunRecord(
    TEXT_CLUSTER_TASK,
    started,
    { ...options },
    { source: dataset.source, examples: n, fingerprint: fingerprint(dataset) },
    fit,
    {
      sizes: Array.from(sizes),
      vocabulary: tfidf.dim,
      textsWithoutTerms: empty,
      trainSeconds: (performance.now() - t0) / 1000,
    },
  );
  return new TextClusterModel({
    options,
    k,
    dim,
    centroids: result.centroids,
    // A vectors model needs no vocabulary to predict; its top terms were computed above.
    tfidf: options.features === "tfidf" ? tfidf : null,
    wordVectors,
    encoderRef,
    encoder: features.encoder ?? null,
    clusters,
    selection: fit.table,
    inertia: result.inertia,
    silhouette: fit.silhouette,
    runRecord: record,
  });
}

/** What clustering on a pretrained encoder is given besides the options. */
export interface TextClusterEncoding {
  /** The encoder of features "encoder". */
  encoder?: SentenceEncoder;
  /** Its folder, recorded in the model as a hint for loaders. */
  encoderPath?: string | null;
}

function isTextList(data: Dataset | readonly string[]): data is readonly string[] {
  return Array.isArray(data);
}

/** @internal The parts of a text cluster artifact, checked. */
export function textClusterModelFrom(
  artifact: Artifact,
  options: ClusterOptions,
  encoder?: SentenceEncoder,
): TextClusterModel {
  const { info, centroids, runRecord } = readClusterCore(artifact);
  let tfidf: TfidfFeatures | null = null;
  let wordVectors: WordVectorFeatures | null = null;
  let encoderRef: ClusterEncoderRef | null = null;
  const lines = (name: string): string[] => {
    const text = artifactFile(artifact, name).toString("utf8");
    return text.length === 0 ? [] : text.split("\n");
  };
  if (options.features === "tfidf") {
    const terms = lines("terms.txt");
    const idf = artifactFloats(artifact, "idf.f32");
    if (terms.length !== info.dim || idf.length !== info.dim)
      throw clusterCorrupt(artifact.dir, "has a vocabulary that does not match its centroids");
    tfidf = new TfidfFeatures(terms, idf);
  } else if (options.features === "encoder") {
    encoderRef = parseClusterEncoderRef(artifactFile(artifact, CLUSTER_ENCODER_FILE), artifact.dir);
    if (encoderRef.dim !== info.dim)
      throw clusterCorrupt(artifact.dir, "names an encoder of another dimension");
    if (encoder !== undefined) checkClusterEncoder(encoderRef, encoder, artifact.dir);
  } else {
    const words = lines("words.txt");
    const vectors = artifactFloats(artifact, "vectors.f32");
    if (vectors.length !== words.length * info.dim)
      throw clusterCorrupt(artifact.dir, "has word vectors that do not match its centroids");
    wordVectors = new WordVectorFeatures(words, vectors, info.dim);
  }
  return new TextClusterModel({
    options,
    k: info.k,
    dim: info.dim,
    centroids,
    tfidf,
    wordVectors,
    encoderRef,
    encoder: encoderRef === null ? null : (encoder ?? null),
    clusters: info.clusters as ClusterSummary[],
    selection: info.selection,
    inertia: info.inertia,
    silhouette: info.silhouette,
    runRecord,
  });
}
