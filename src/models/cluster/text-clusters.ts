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
import type { RunRecord, TrainHooks } from "../../core/index.ts";
import { TextkitError } from "../../core/index.ts";
import { type Dataset, datasetFromExamples, fingerprint, readVecFile } from "../../data/index.ts";
import { adjustedRandIndex } from "../../eval/index.ts";
import { distancesToCentroids, type KMeansData, kMeansPredict, type SparseRows } from "../numeric/index.ts";
import {
  assignmentsOf,
  type ClusterAssignment,
  clusterArtifactParts,
  clusterCorrupt,
  clusterRunRecord,
  readClusterCore,
} from "./cluster-common.ts";
import { fitKMeans, type KChoice } from "./fit.ts";
import { type ClusterOptions, resolveClusterOptions } from "./options.ts";
import { TermTokenizer, TfidfFeatures } from "./tfidf.ts";

export const TEXT_CLUSTER_TASK = "text-clustering";
/** Words read from a .vec file at most (fastText sorts them by frequency). */
const MAX_VECTOR_WORDS = 1_000_000;
/** A term whose mean weight in every cluster reaches this share of its highest is stop-like. */
const EVEN_SHARE = 0.5;

export interface ClusterTerm {
  term: string;
  /** Mean TF-IDF weight of the term over the cluster's texts. */
  weight: number;
}

export interface ClusterExample {
  text: string;
  /** Distance to the centroid (1 - cosine similarity, or Euclidean). */
  distance: number;
}

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

/** Averaged word vectors: the words of the training texts that the .vec file knows. */
export class WordVectorFeatures {
  readonly words: readonly string[];
  /** words.length × dim. */
  readonly vectors: Float32Array;
  readonly dim: number;
  private readonly index = new Map<string, number>();

  constructor(words: readonly string[], vectors: Float32Array, dim: number) {
    if (vectors.length !== words.length * dim) {
      throw new TextkitError(
        "INPUT_INVALID",
        `${words.length} words of ${dim} need ${words.length * dim} values`,
      );
    }
    this.words = words;
    this.vectors = vectors;
    this.dim = dim;
    for (let w = 0; w < words.length; w++) this.index.set(words[w]!, w);
  }

  /** The mean vector of each document's known words (zeros when it has none), n × dim. */
  transform(documents: readonly (readonly string[])[]): Float32Array {
    const dim = this.dim;
    const out = new Float32Array(documents.length * dim);
    const sum = new Float64Array(dim);
    for (let i = 0; i < documents.length; i++) {
      sum.fill(0);
      let found = 0;
      for (const t of documents[i]!) {
        const w = this.index.get(t);
        if (w === undefined) continue;
        found++;
        for (let d = 0; d < dim; d++) sum[d]! += this.vectors[w * dim + d]!;
      }
      if (found > 0) for (let d = 0; d < dim; d++) out[i * dim + d] = sum[d]! / found;
    }
    return out;
  }
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
    const documents = texts.map((t) => this.tokenizer.terms(t));
    const rows = this.featureRows(documents);
    return assignmentsOf(
      kMeansPredict(rows, texts.length, this.dim, this.centroids, this.k, { metric: this.options.metric }),
    );
  }

  /**
   * How well the clusters match known labels (the first label of each text), as the
   * adjusted Rand index. Texts without a label are left out.
   */
  evaluate(dataset: Dataset): ClusterEvaluation {
    const labelled = dataset.examples.filter((e) => e.labels.length > 0);
    if (labelled.length === 0) {
      throw new TextkitError(
        "DATA_NO_LABEL",
        `${dataset.source} has no labels to compare the clusters with; give a label column`,
        { file: dataset.source },
      );
    }
    const assignments = this.predict(labelled.map((e) => e.text));
    const truth = labelled.map((e) => e.labels[0]!);
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
    return clusterArtifactParts(TEXT_CLUSTER_TASK, this, {}, files);
  }
}

/**
 * Mean TF-IDF of each term per cluster; the top terms of a cluster skip terms spread about
 * evenly over all clusters (their mean in every cluster is at least half their highest),
 * which are the corpus's stop words rather than any topic's. Works one cluster at a time,
 * so that memory is the vocabulary's, not k times it.
 */
function topTermsOf(
  rows: SparseRows,
  terms: readonly string[],
  assignments: Int32Array,
  k: number,
  sizes: Int32Array,
  count: number,
): ClusterTerm[][] {
  const V = terms.length;
  const n = assignments.length;
  const { rowStart, columns, values } = rows;
  // Rows grouped by cluster.
  const start = new Int32Array(k + 1);
  for (let c = 0; c < k; c++) start[c + 1] = start[c]! + sizes[c]!;
  const fill = start.slice(0, k);
  const members = new Int32Array(n);
  for (let i = 0; i < n; i++) members[fill[assignments[i]!]!++] = i;
  const mean = new Float64Array(V);
  const meanOf = (c: number): void => {
    mean.fill(0);
    for (let m = start[c]!; m < start[c + 1]!; m++) {
      const i = members[m]!;
      for (let p = rowStart[i]!; p < rowStart[i + 1]!; p++) mean[columns[p]!]! += values[p]!;
    }
    for (let j = 0; j < V; j++) mean[j] = mean[j]! / sizes[c]!;
  };
  let nonEmpty = 0;
  for (let c = 0; c < k; c++) if (sizes[c]! > 0) nonEmpty++;
  const even = new Uint8Array(V);
  if (nonEmpty >= 2) {
    const lowest = new Float64Array(V).fill(Number.POSITIVE_INFINITY);
    const highest = new Float64Array(V);
    for (let c = 0; c < k; c++) {
      if (sizes[c] === 0) continue;
      meanOf(c);
      for (let j = 0; j < V; j++) {
        const m = mean[j]!;
        if (m < lowest[j]!) lowest[j] = m;
        if (m > highest[j]!) highest[j] = m;
      }
    }
    for (let j = 0; j < V; j++) if (highest[j]! > 0 && lowest[j]! >= EVEN_SHARE * highest[j]!) even[j] = 1;
  }
  const out: ClusterTerm[][] = [];
  for (let c = 0; c < k; c++) {
    const top: ClusterTerm[] = [];
    out.push(top);
    if (count === 0 || sizes[c] === 0) continue;
    meanOf(c);
    // Insertion into a short sorted list: count is small, V may be large.
    for (let j = 0; j < V; j++) {
      const w = mean[j]!;
      if (w <= 0 || even[j] === 1) continue;
      if (top.length === count && w <= top[count - 1]!.weight) continue;
      let at = Math.min(top.length, count - 1);
      top[at] = { term: terms[j]!, weight: w };
      while (at > 0 && top[at - 1]!.weight < w) {
        const t = top[at - 1]!;
        top[at - 1] = top[at]!;
        top[at] = t;
        at--;
      }
    }
  }
  return out;
}

/** The texts nearest each centroid, without repeating a text. */
function examplesOf(
  texts: readonly string[],
  assignments: Int32Array,
  distances: Float64Array,
  k: number,
  count: number,
): ClusterExample[][] {
  const out: ClusterExample[][] = Array.from({ length: k }, () => []);
  if (count === 0) return out;
  const order = Array.from({ length: texts.length }, (_, i) => i);
  order.sort((a, b) => distances[a]! - distances[b]! || a - b);
  const seen: Set<string>[] = Array.from({ length: k }, () => new Set());
  for (const i of order) {
    const c = assignments[i]!;
    const list = out[c]!;
    if (list.length >= count) continue;
    const text = texts[i]!;
    if (seen[c]!.has(text)) continue;
    seen[c]!.add(text);
    list.push({ text, distance: distances[i]! });
  }
  return out;
}

/** The words of the texts that the .vec file has a vector for. */
async function wordVectorsFor(
  path: string,
  documents: readonly (readonly string[])[],
): Promise<WordVectorFeatures> {
  const wanted = new Set<string>();
  for (const d of documents) for (const t of d) wanted.add(t);
  const wv = await readVecFile(path, { limit: MAX_VECTOR_WORDS });
  const words: string[] = [];
  const rows: number[] = [];
  const taken = new Set<string>();
  for (let w = 0; w < wv.words.length; w++) {
    const word = wv.words[w]!;
    if (wanted.has(word) && !taken.has(word)) {
      taken.add(word);
      words.push(word);
      rows.push(w);
    }
  }
  if (words.length === 0) {
    throw new TextkitError(
      "DATA_TOO_FEW_WORDS",
      `none of the ${wanted.size} distinct words of the texts has a vector in ${path}; use vectors of the texts' language (and case)`,
      { file: path },
    );
  }
  const vectors = new Float32Array(words.length * wv.dim);
  for (let r = 0; r < rows.length; r++) {
    vectors.set(wv.vectors.subarray(rows[r]! * wv.dim, (rows[r]! + 1) * wv.dim), r * wv.dim);
  }
  return new WordVectorFeatures(words, vectors, wv.dim);
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
  let rows: KMeansData = tfRows;
  let dim = tfidf.dim;
  let wordVectors: WordVectorFeatures | null = null;
  if (options.features === "vectors") {
    wordVectors = await wordVectorsFor(options.vectors!, documents);
    rows = wordVectors.transform(documents);
    dim = wordVectors.dim;
  }
  const fit = fitKMeans(rows, n, dim, options, "texts", hooks);
  const { k, result } = fit;
  const distances = distancesToCentroids(rows, n, dim, result.centroids, k, result.assignments, {
    metric: options.metric,
  });
  const sizes = new Int32Array(k);
  for (let i = 0; i < n; i++) sizes[result.assignments[i]!]!++;
  const terms = topTermsOf(tfRows, tfidf.terms, result.assignments, k, sizes, options.topTerms);
  const examples = examplesOf(texts, result.assignments, distances, k, options.examples);
  const clusters: ClusterSummary[] = [];
  for (let c = 0; c < k; c++) {
    clusters.push({ cluster: c, size: sizes[c]!, topTerms: terms[c]!, examples: examples[c]! });
  }
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
    clusters,
    selection: fit.table,
    inertia: result.inertia,
    silhouette: fit.silhouette,
    runRecord: record,
  });
}

function isTextList(data: Dataset | readonly string[]): data is readonly string[] {
  return Array.isArray(data);
}

/** @internal The parts of a text cluster artifact, checked. */
export function textClusterModelFrom(artifact: Artifact, options: ClusterOptions): TextClusterModel {
  const { info, centroids, runRecord } = readClusterCore(artifact);
  let tfidf: TfidfFeatures | null = null;
  let wordVectors: WordVectorFeatures | null = null;
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
    clusters: info.clusters as ClusterSummary[],
    selection: info.selection,
    inertia: info.inertia,
    silhouette: info.silhouette,
    runRecord,
  });
}
