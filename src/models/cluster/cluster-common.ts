/** What the text and numeric cluster models share: their output, manifest, run record and files. */
import { TextkitError } from "../../core/errors.ts";
import { type ManifestInput, readArtifact } from "../../store/index.ts";
import { newRunId, type RunRecord } from "../../train/run-record.ts";
import type { FitOutcome, KChoice } from "./fit.ts";

export const CLUSTER_FAMILY = "cluster";
const TEXTKIT_VERSION = "0.1.0";

/** Where a text or row belongs. */
export interface ClusterAssignment {
  cluster: number;
  /** Distance to that cluster's centroid: 1 - cosine similarity, or Euclidean (not squared). */
  distance: number;
}

/** @internal JSON as the artifact stores it. */
export function jsonBytes(value: unknown): Uint8Array {
  return Buffer.from(`${JSON.stringify(value, null, 2)}\n`, "utf8");
}

/** @internal The manifest of a cluster model. */
export function clusterManifest(
  task: string,
  k: number,
  options: Record<string, unknown>,
  runRecord: RunRecord | null,
  metrics: Record<string, unknown>,
): ManifestInput {
  return {
    family: CLUSTER_FAMILY,
    task,
    labels: Array.from({ length: k }, (_, c) => String(c)),
    options,
    ...(runRecord === null
      ? {}
      : {
          data: {
            fingerprint: runRecord.data.train.fingerprint,
            examples: runRecord.data.train.examples,
            source: runRecord.data.train.source,
          },
        }),
    metrics,
    textkitVersion: TEXTKIT_VERSION,
    // Determinism is about the learnt numbers; pin the manifest time too when asked.
    ...(process.env["SOURCE_DATE_EPOCH"] === undefined
      ? {}
      : { createdAt: new Date(Number(process.env["SOURCE_DATE_EPOCH"]) * 1000).toISOString() }),
  };
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

/** @internal */
export function parseClusterInfo(data: Buffer, dir: string): ClusterInfo {
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

/** @internal Reads and checks a cluster artifact of either task. */
export async function readClusterArtifact(dir: string): Promise<{
  task: string;
  options: Record<string, unknown>;
  files: Record<string, Buffer>;
}> {
  const artifact = await readArtifact(dir, CLUSTER_FAMILY);
  return { task: artifact.manifest.task, options: artifact.manifest.options, files: artifact.files };
}
