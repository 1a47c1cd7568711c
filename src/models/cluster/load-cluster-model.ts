import { join } from "node:path";
import { artifactOptions, readArtifact } from "../../artifact/index.ts";
import { type SentenceEncoder, TextkitError } from "../../core/index.ts";
import { CLUSTER_FAMILY } from "./cluster-common.ts";
import {
  NUMERIC_CLUSTER_TASK,
  type NumericClusterModel,
  numericClusterModelFrom,
} from "./numeric-clusters.ts";
import type { ClusterOptions, NumericClusterOptions } from "./options.ts";
import { resolveClusterOptions, resolveNumericClusterOptions } from "./options.ts";
import { TEXT_CLUSTER_TASK, type TextClusterModel, textClusterModelFrom } from "./text-clusters.ts";

/** A cluster model of either kind; `task` tells which. */
export type ClusterModel = TextClusterModel | NumericClusterModel;

export interface LoadClusterOptions {
  /**
   * For clusters on a pretrained encoder: that encoder (the same checksum, ENCODER_CHANGED
   * otherwise), so that `predictAsync` works; `clusterEncoderNeed(dir)` names it.
   */
  encoder?: SentenceEncoder;
}

/**
 * Loads a cluster model directory written by `save`, verifying its checksums.
 *
 * @example
 * const model = await loadClusterModel("models/topics");
 * if (model.task === "text-clustering") model.predict(["the battery dies fast"]);
 */
export async function loadClusterModel(dir: string, load: LoadClusterOptions = {}): Promise<ClusterModel> {
  const artifact = await readArtifact(dir, CLUSTER_FAMILY);
  const { task } = artifact.manifest;
  let model: ClusterModel | null = null;
  if (task === TEXT_CLUSTER_TASK) {
    const options = artifactOptions(artifact, (stored) =>
      resolveClusterOptions(stored as Partial<ClusterOptions>),
    );
    model = textClusterModelFrom(artifact, options, load.encoder);
  } else if (task === NUMERIC_CLUSTER_TASK) {
    const options = artifactOptions(artifact, (stored) =>
      resolveNumericClusterOptions(stored as Partial<NumericClusterOptions>),
    );
    model = numericClusterModelFrom(artifact, options);
  }
  if (model !== null) {
    // The labels name the clusters 0..k-1; anything else is not what was saved.
    const labels = artifact.manifest.labels ?? [];
    if (labels.length !== model.k || labels.some((label, i) => label !== String(i))) {
      throw new TextkitError(
        "ARTIFACT_CORRUPT",
        `the labels in ${dir}/manifest.json do not name its ${model.k} clusters`,
        {
          file: join(dir, "manifest.json"),
        },
      );
    }
    return model;
  }
  throw new TextkitError(
    "ARTIFACT_FOREIGN",
    `${dir} holds a cluster model of task '${task}', which this textkit does not know`,
    { file: dir },
  );
}

/**
 * Loads a text cluster model; a numeric one is ARTIFACT_FOREIGN (see `loadClusterModel`
 * for either kind).
 *
 * @example
 * const model = await loadTextClusters("models/topics");
 * model.predict(["the battery dies fast"]);
 */
export async function loadTextClusters(
  dir: string,
  load: LoadClusterOptions = {},
): Promise<TextClusterModel> {
  const model = await loadClusterModel(dir, load);
  if (model.task === TEXT_CLUSTER_TASK) return model;
  throw wrongTask(dir, model.task, TEXT_CLUSTER_TASK);
}

/**
 * Loads a numeric cluster model; a text one is ARTIFACT_FOREIGN (see `loadClusterModel`
 * for either kind).
 *
 * @example
 * const model = await loadNumericClusters("models/groups");
 * model.predict([[5.1, 3.5, 1.4, 0.2]]);
 */
export async function loadNumericClusters(dir: string): Promise<NumericClusterModel> {
  const model = await loadClusterModel(dir);
  if (model.task === NUMERIC_CLUSTER_TASK) return model;
  throw wrongTask(dir, model.task, NUMERIC_CLUSTER_TASK);
}

function wrongTask(dir: string, task: string, wanted: string): TextkitError {
  return new TextkitError(
    "ARTIFACT_FOREIGN",
    `${dir} holds a cluster model of task '${task}', not '${wanted}'`,
    { file: join(dir, "manifest.json") },
  );
}
