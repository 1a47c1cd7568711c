/** ALS and BPR as engines: training either one, and the fold-in each uses for a changed user. */
import { alsFoldIn, gram, trainAls } from "./als.ts";
import { bprFoldIn, trainBpr } from "./bpr.ts";
import { FactorEngine, type FactorState, type FactorTraining } from "./factors.ts";
import type { CsrMatrix } from "./matrix.ts";
import type { RecommenderOptions } from "./options.ts";

/**
 * The engine around trained factors. ALS folds a user in by solving their least squares
 * exactly (YᵀY is computed once, on the first fold-in); BPR by SGD on the user's factors.
 */
export function factorEngine(
  name: "als" | "bpr",
  state: FactorState,
  options: RecommenderOptions,
): FactorEngine {
  if (name === "bpr")
    return new FactorEngine("bpr", state, (s, user, history) => bprFoldIn(s, user, history, options));
  let yty: Float64Array | null = null;
  let version = -1;
  return new FactorEngine("als", state, (s, user, history, itemVersion) => {
    if (yty === null || version !== itemVersion) {
      yty = gram(s.itemFactors, s.items, s.factors);
      version = itemVersion;
    }
    alsFoldIn(s, user, history, yty, options);
  });
}

/** Trains ALS or BPR factors on the user × item matrix. */
export function trainFactors(
  name: "als" | "bpr",
  matrix: CsrMatrix,
  options: RecommenderOptions,
  training: FactorTraining,
): FactorState {
  return name === "als" ? trainAls(matrix, options, training) : trainBpr(matrix, options, training);
}
