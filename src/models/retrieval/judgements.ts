/**
 * Scoring an index against judged queries: each query with the ids of the items that answer
 * it, scored with the ranking metrics recommendation uses (hit rate, precision, recall,
 * NDCG, MAP at k), so that a search model has an `evaluate` like every other family.
 */
import { checkInt, TextkitError } from "../../core/index.ts";
import { type RankingReport, rankingReport } from "../../eval/index.ts";

/** A query and the ids of the items a good search returns for it. */
export interface RetrievalJudgement {
  query: string;
  relevant: readonly string[];
}

/** Ranking metrics at k over judged queries (`users` in the report counts the queries scored). */
export interface RetrievalEvaluation {
  ranking: RankingReport;
  /** Judged queries given; those without a relevant id are not in the means. */
  queries: number;
  /** Relevant ids that name no item of the index (typos in the judgements, or removed items). */
  unknownIds: string[];
}

/** Most hits scored per query by default. */
export const DEFAULT_EVALUATION_K = 10;

/**
 * Checks the judgements and `k`, and returns k: EVAL_EMPTY for none, INPUT_INVALID naming the
 * first judgement without a query.
 */
export function checkJudgements(judged: readonly RetrievalJudgement[], k: number | undefined): number {
  if (judged.length === 0) throw new TextkitError("EVAL_EMPTY", "no judged queries to evaluate the index on");
  judged.forEach((j, i) => {
    if (typeof j.query !== "string" || j.query.trim() === "" || !Array.isArray(j.relevant)) {
      throw new TextkitError(
        "INPUT_INVALID",
        `judgement ${i} needs a non-empty query and a list of relevant item ids`,
        { details: { field: `/${i}` } },
      );
    }
  });
  const value = k ?? DEFAULT_EVALUATION_K;
  checkInt("k", value, 1, 10_000);
  return value;
}

/**
 * The ranking report of the ids an index returned for each judged query (`ranked[i]` for
 * `judged[i]`), against an index of `size` items whose ids `known` holds.
 */
export function judgedRanking(
  judged: readonly RetrievalJudgement[],
  ranked: readonly (readonly string[])[],
  k: number,
  known: ReadonlySet<string>,
): RetrievalEvaluation {
  const unknown = new Set<string>();
  const cases = judged.map((j, i) => {
    for (const id of j.relevant) if (!known.has(id)) unknown.add(id);
    return { ranked: ranked[i] ?? [], relevant: new Set(j.relevant) };
  });
  return {
    ranking: rankingReport(cases, k, known.size),
    queries: judged.length,
    unknownIds: [...unknown].sort(),
  };
}
