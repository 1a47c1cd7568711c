import type { ModelFamily } from "../../artifact/index.ts";
import type { Dataset, NumericRows } from "../../data/index.ts";
import { CLUSTER_FAMILY } from "./cluster-common.ts";
import { loadNumericClusters, loadTextClusters } from "./load-cluster-model.ts";
import { type NumericClusterModel, trainNumericClusters } from "./numeric-clusters.ts";
import type { ClusterOptions, NumericClusterOptions } from "./options.ts";
import { type TextClusterModel, trainTextClusters } from "./text-clusters.ts";

/**
 * Clusters of texts as a model family (task "text-clustering"): `train` on texts or a
 * dataset, `load`; its models assign a batch of texts to clusters and evaluate against
 * labels by the adjusted Rand index.
 *
 * @example
 * const model = await textClusterFamily.train(texts, { k: 3 });
 * model.predict(["the battery dies fast"]);
 */
export const textClusterFamily = {
  family: CLUSTER_FAMILY,
  summary: "groups of texts by topic",
  train: trainTextClusters,
  load: loadTextClusters,
} satisfies ModelFamily<Dataset | readonly string[], ClusterOptions, TextClusterModel>;

/**
 * Clusters of numeric rows as a model family (task "numeric-clustering"), the same family
 * name in the manifest as text clusters, told apart by the task.
 *
 * @example
 * const model = await numericClusterFamily.train(rows, { k: 3 });
 * model.predict([[5.1, 3.5, 1.4, 0.2]]);
 */
export const numericClusterFamily = {
  family: CLUSTER_FAMILY,
  summary: "groups of rows of numbers (k-means)",
  train: trainNumericClusters,
  load: loadNumericClusters,
} satisfies ModelFamily<NumericRows, NumericClusterOptions, NumericClusterModel>;
