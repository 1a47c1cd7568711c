/** What the text and numeric cluster models share: their output, manifest, run record and files. */

import {
  type Artifact,
  artifactFile,
  artifactFloats,
  bytesOf,
  type ManifestInput,
} from "../../artifact/index.ts";
import {
  newRunId,
  type RunRecord,
  runManifestFields,
  runRecordFiles,
  runRecordOf,
  TextkitError,
} from "../../core/index.ts";
import type { KMeansPrediction } from "../numeric/index.ts";
import type { FitOutcome, KChoice } from "./fit.ts";

export const CLUSTER_FAMILY = "cluster";

/** Where a text or row belongs. */
export interface ClusterAssignment {
  cluster: number;
  /** Distance to that cluster's centroid: 1 - cosine similarity, or Euclidean (not squared). */
  distance: number;
}

/** @internal What both cluster models hold and save alike. */
export interface ClusterCore {
  readonly options: object;
  readonly k: number;
  readonly dim: number;
  /** k × dim. */
  readonly centroids: Float32Array;
  readonly clusters: readonly unknown[];
  readonly selection: readonly KChoice[];
  readonly inertia: number;
  readonly silhouette: number | null;
  readonly runRecord: RunRecord | null;
}

/**
 * @internal The manifest and files of a cluster model: centroids.f32, clusters.json (with
 * `info`'s fields after k and dim), the model's own `files`, and run.json.
 */
export function clusterArtifactParts(
  task: string,
  model: ClusterCore,
  info: Record<string, unknown>,
  files: Record<string, Uint8Array>,
): { manifest: ManifestInput; files: Record<string, Uint8Array> } {
  const { k, inertia, silhouette } = model;
  const clustersJson = {
    k,
    dim: model.dim,
    ...info,
    inertia,
    silhouette,
    selection: model.selection,
    clusters: model.clusters,
  };
  return {
    manifest: {
      family: CLUSTER_FAMILY,
      task,
      labels: Array.from({ length: k }, (_, c) => String(c)),
      options: { ...model.options },
      ...runManifestFields(model.runRecord),
      metrics: { k, inertia, silhouette },
    },
    files: {
      "centroids.f32": bytesOf(model.centroids),
      "clusters.json": Buffer.from(`${JSON.stringify(clustersJson, null, 2)}\n`, "utf8"),
      ...files,
      ...runRecordFiles(model.runRecord),
    },
  };
}

/** @internal Where a text or row belongs, from k-means' prediction. */
export function assignmentsOf({ assignments, distances }: KMeansPrediction): ClusterAssignment[] {
  const out: ClusterAssignment[] = new Array(assignments.length);
  for (let i = 0; i < assignments.length; i++) out[i] = { cluster: assignments[i]!, distance: distances[i]! };
  return out;
}

/** @internal The run record of a clustering: one "epoch" per k-means restart of the chosen k. */
export function clusterRunRecord(
  task: string,
  started: Date,
  options: Record<string, unknown> & { seed: number },
  train: { source: string; examples: number; fingerprint: string },
  fit: FitOutcome,
  final: Record<string, unknown>,
): RunRecord {
  const finished = new Date();
  const restarts = fit.result.restarts;
  return {
    runId: newRunId(started, options.seed),
    family: CLUSTER_FAMILY,
    task,
    startedAt: started.toISOString(),
    finishedAt: finished.toISOString(),
    seconds: (finished.getTime() - started.getTime()) / 1000,
    options,
    data: { train },
    epochs: restarts.map((r, i) => ({ epoch: i + 1, trainLoss: r.inertia, seconds: r.seconds })),
    stoppedEarly: restarts.length < (options["nInit"] as number),
    bestEpoch: fit.result.bestRestart + 1,
    final: {
      k: fit.k,
      inertia: fit.result.inertia,
      silhouette: fit.silhouette,
      iterations: fit.result.iterations,
      converged: fit.result.converged,
      kSelection: fit.table,
      ...final,
    },
  };
}

/** @internal What clusters.json holds. */
export interface ClusterInfo {
  k: number;
  dim: number;
  inertia: number;
  silhouette: number | null;
  selection: KChoice[];
  clusters: unknown[];
  columns?: string[];
}

function parseClusterInfo(data: Buffer, dir: string): ClusterInfo {
  let info: Partial<ClusterInfo>;
  try {
    info = JSON.parse(data.toString("utf8")) as Partial<ClusterInfo>;
  } catch (cause) {
    throw new TextkitError("ARTIFACT_CORRUPT", `clusters.json in ${dir} is not valid JSON`, {
      file: dir,
      cause,
    });
  }
  if (
    !Number.isInteger(info.k) ||
    info.k! < 1 ||
    !Number.isInteger(info.dim) ||
    info.dim! < 1 ||
    !Array.isArray(info.clusters) ||
    !Array.isArray(info.selection)
  ) {
    throw new TextkitError("ARTIFACT_CORRUPT", `clusters.json in ${dir} lacks k, dim or the clusters`, {
      file: dir,
    });
  }
  return {
    k: info.k!,
    dim: info.dim!,
    inertia: typeof info.inertia === "number" ? info.inertia : Number.NaN,
    silhouette: typeof info.silhouette === "number" ? info.silhouette : null,
    selection: info.selection,
    clusters: info.clusters,
    ...(Array.isArray(info.columns) ? { columns: info.columns as string[] } : {}),
  };
}

/** @internal ARTIFACT_CORRUPT about the cluster model in `dir`. */
export function clusterCorrupt(dir: string, what: string): TextkitError {
  return new TextkitError("ARTIFACT_CORRUPT", `the cluster model in ${dir} ${what}`, { file: dir });
}

/** @internal What every cluster artifact holds, checked: clusters.json, k × dim centroids, the run record. */
export function readClusterCore(artifact: Artifact): {
  info: ClusterInfo;
  centroids: Float32Array;
  runRecord: RunRecord | null;
} {
  const info = parseClusterInfo(artifactFile(artifact, "clusters.json"), artifact.dir);
  const centroids = artifactFloats(artifact, "centroids.f32");
  if (centroids.length !== info.k * info.dim) {
    throw clusterCorrupt(artifact.dir, `has ${centroids.length} centroid values, not k × dim`);
  }
  return { info, centroids, runRecord: runRecordOf(artifact.files) };
}
