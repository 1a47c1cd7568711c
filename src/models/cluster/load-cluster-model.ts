import { TextkitError } from "../../core/errors.ts";
import { readArtifact } from "../../store/index.ts";
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

/**
 * Loads a cluster model directory written by `save`, verifying its checksums.
 *
 * @example
 * const model = await loadClusterModel("models/topics");
 * if (model.task === "text-clustering") model.predict(["the battery dies fast"]);
 */
export async function loadClusterModel(dir: string): Promise<ClusterModel> {
  const artifact = await readArtifact(dir, CLUSTER_FAMILY);
  const { task, options } = artifact.manifest;
  try {
    if (task === TEXT_CLUSTER_TASK) {
      // Models saved before stop words were left out kept them in their vocabulary.
      const saved = { stopwords: false, ...(options as Partial<ClusterOptions>) };
      return textClusterModelFrom(artifact, resolveClusterOptions(saved));
    }
    if (task === NUMERIC_CLUSTER_TASK) {
      return numericClusterModelFrom(
        artifact,
        resolveNumericClusterOptions(options as Partial<NumericClusterOptions>),
      );
    }
  } catch (error) {
    if (error instanceof TextkitError && error.code === "OPTION_INVALID") {
      throw new TextkitError(
        "ARTIFACT_CORRUPT",
        `the options in ${dir}/manifest.json are not valid: ${error.message}`,
        {
          file: dir,
          cause: error,
        },
      );
    }
    throw error;
  }
  throw new TextkitError(
    "ARTIFACT_FOREIGN",
    `${dir} holds a cluster model of task '${task}', which this textkit does not know`,
    { file: dir },
  );
}
