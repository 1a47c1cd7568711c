/**
 * Training the hybrid: a random share of each user's training items is held out; the
 * sources are fitted on the rest, and the ranker learns (listwise, on NDCG@10) to find
 * the held-out items among the sources' candidates; then the sources are fitted again on
 * all the training events for serving.
 */
import { Random, TextkitError } from "../../core/index.ts";
import {
  holdOutPerUser,
  type InteractionSplit,
  type Interactions,
  type ItemCatalog,
} from "../../data/index.ts";
import type { EpochLog } from "../../train/index.ts";
import { type ContentEngine, trainContent } from "./content.ts";
import type { ContentEncoder } from "./content-encoder.ts";
import type { History, StageProgress } from "./engine.ts";
import { factorEngine, trainFactors } from "./factor-models.ts";
import type { FactorEngine, FactorState, FactorTraining } from "./factors.ts";
import { HybridEngine, type HybridSources, RANKER_USERS } from "./hybrid.ts";
import { trainItemKnn } from "./item-knn.ts";
import { type CsrMatrix, csrFromEntries } from "./matrix.ts";
import type { RecommenderOptions } from "./options.ts";
import { Popularity } from "./popularity.ts";
import { defaultRanker, fitRanker, RankerData, type RankerFit } from "./ranker.ts";

/** The users × items matrix of summed event weights. */
export function interactionMatrix(data: Interactions): CsrMatrix {
  return csrFromEntries(data.users.length, data.catalog.size, data.user, data.item, data.weight, data.length);
}

/** A trained hybrid, its factor model's epoch log, and what the ranker's training found (for the run record). */
export interface HybridTraining {
  engine: HybridEngine;
  log: EpochLog<FactorState>;
  ranker: Record<string, unknown>;
}

/** Fits the factor model on all the training events (with its per-pass hooks and dev set). */
export type FitFactors = (matrix: CsrMatrix) => { engine: FactorEngine; log: EpochLog<FactorState> };

/** A user's row of a CSR matrix as a history. */
function historyOf(matrix: CsrMatrix, u: number): History {
  const a = matrix.indptr[u] ?? 0;
  const b = matrix.indptr[u + 1] ?? a;
  return { indices: matrix.indices.subarray(a, b), data: matrix.data.subarray(a, b) };
}

/** Each held-out user's held-out items (users with no earlier item are left out). */
function heldOutItems(held: Interactions, early: CsrMatrix): Map<number, Set<number>> {
  const later = new Map<number, Set<number>>();
  for (let r = 0; r < held.length; r++) {
    const u = held.user[r] ?? -1;
    const i = held.item[r] ?? -1;
    if (u < 0 || i < 0 || (early.indptr[u + 1] ?? 0) <= (early.indptr[u] ?? 0)) continue;
    const set = later.get(u);
    if (set === undefined) later.set(u, new Set([i]));
    else set.add(i);
  }
  return later;
}

/**
 * The ranker's data (also how a benchmark scores weights on a test split): the sources fitted on `early`, each held-out user's candidates and
 * features among the items they had not seen, and which of those they went on to engage with.
 */
export function rankerData(
  early: Interactions,
  held: Interactions,
  sources: HybridSources,
  options: RecommenderOptions,
  catalog: ItemCatalog,
): RankerData {
  const earlyMatrix = interactionMatrix(early);
  const probe = new HybridEngine(sources, defaultRanker(), options.candidates, catalog);
  const later = heldOutItems(held, earlyMatrix);
  const users = [...later.keys()].sort((a, b) => a - b);
  const rng = new Random(options.seed);
  rng.shuffle(users);
  users.length = Math.min(users.length, RANKER_USERS);
  users.sort((a, b) => a - b);
  const data = new RankerData();
  const allowed = new Uint8Array(catalog.size);
  for (const u of users) {
    const history = historyOf(earlyMatrix, u);
    allowed.fill(1);
    for (const i of history.indices) allowed[i] = 0;
    const rows = probe.candidateRows(u, history, allowed);
    data.addUser(rows.count, rows.items, rows.features, later.get(u) ?? new Set());
  }
  return data;
}

/** What the run record says about the ranker's training. */
function rankerReport(fit: RankerFit, data: RankerData, fraction: number): Record<string, unknown> {
  return {
    ...fit.ranker,
    users: data.users,
    rows: data.rows,
    holdout: `${Math.round(fraction * 100)}% of each user's training items at random`,
    heldOutNdcg: fit.ndcg,
    heldOutFactorsNdcg: fit.factorsNdcg,
    crossValidatedGain: fit.crossValidatedGain,
    crossValidatedError: fit.crossValidatedError,
    factorsOnly: fit.factorsOnly,
    ...(fit.factorsOnly
      ? {
          note: "the blend lost to the factor model alone on held-out users it was not fitted to, so the hybrid ranks by the factor model",
        }
      : {}),
  };
}

/** Each user's held-out items, or null when no user has two items to split (the default ranker serves). */
function holdOut(data: Interactions, options: RecommenderOptions): InteractionSplit | null {
  if (!(options.validationFraction > 0)) return null;
  try {
    return holdOutPerUser(data, { fraction: options.validationFraction, seed: options.seed });
  } catch (error) {
    if (error instanceof TextkitError && error.code === "DATA_SPLIT_TOO_SMALL") return null;
    throw error;
  }
}

/**
 * The ranker's data from `data` alone: a random share of each user's items held out, the
 * sources fitted on the rest; null when no user has two items to split.
 */
export function heldOutRankerData(
  data: Interactions,
  catalog: ItemCatalog,
  content: ContentEngine,
  options: RecommenderOptions,
  progress: StageProgress,
): RankerData | null {
  const split = holdOut(data, options);
  if (split === null) return null;
  const name = options.hybridFactors;
  const earlyMatrix = interactionMatrix(split.train);
  const quiet: FactorTraining = { progress, endEpoch: () => false };
  const sources: HybridSources = {
    factors: factorEngine(name, trainFactors(name, earlyMatrix, options, quiet), options),
    knn: trainItemKnn(earlyMatrix, options, progress),
    content,
    popularity: Popularity.fromEvents(split.train, options.halfLifeDays),
  };
  return rankerData(split.train, split.test, sources, options, catalog);
}

/** Sources fitted on most of each user's items, the ranker on the rest, then the sources again on all. */
export async function trainHybrid(
  data: Interactions,
  catalog: ItemCatalog,
  popularity: Popularity,
  options: RecommenderOptions,
  progress: StageProgress,
  fitFactors: FitFactors,
  encoder: ContentEncoder | null = null,
): Promise<HybridTraining> {
  const content = await trainContent(catalog, options, encoder);
  const held = heldOutRankerData(data, catalog, content, options, progress);
  const fit = held === null ? null : fitRanker(held);
  const matrix = interactionMatrix(data);
  const { engine: factors, log } = fitFactors(matrix);
  const sources: HybridSources = {
    factors,
    knn: trainItemKnn(matrix, options, progress),
    content,
    popularity,
  };
  return {
    engine: new HybridEngine(sources, fit?.ranker ?? defaultRanker(), options.candidates, catalog),
    log,
    ranker:
      fit === null || held === null
        ? { ...defaultRanker(), users: 0, rows: 0 }
        : rankerReport(fit, held, options.validationFraction),
  };
}
