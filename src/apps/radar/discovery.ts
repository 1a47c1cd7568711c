/**
 * Discovery: terms the dictionary does not know yet (product-like words and the tagger's
 * product entities, counted by the counter) that are frequent and growing, proposed for a
 * person to accept into the dictionary.
 */

export interface Candidate {
  term: string;
  /** Documents in the recent half of the window. */
  recent: number;
  /** Documents in the two windows before the recent half. */
  earlier: number;
  /** Rate per period of the recent half over the earlier rate, both counts plus one. */
  growth: number;
  total: number;
}

/** Least documents in the recent half of the window for a term to be proposed. */
export const MIN_CANDIDATE_DOCUMENTS = 5;

/**
 * Candidates over the last `window` periods, fastest growing first.
 *
 * @example
 * discoverCandidates(counter.candidates, periodStarts, 8, 10);
 */
export function discoverCandidates(
  counts: ReadonlyMap<string, ReadonlyMap<number, number>>,
  periodStarts: readonly number[],
  window: number,
  limit = 20,
): Candidate[] {
  const half = Math.ceil(window / 2);
  const recentStarts = new Set(periodStarts.slice(-half));
  const earlierStarts = new Set(
    periodStarts.slice(Math.max(0, periodStarts.length - half - 2 * window), -half),
  );
  const out: Candidate[] = [];
  for (const [term, byPeriod] of counts) {
    let recent = 0;
    let earlier = 0;
    let total = 0;
    for (const [start, n] of byPeriod) {
      total += n;
      if (recentStarts.has(start)) recent += n;
      else if (earlierStarts.has(start)) earlier += n;
    }
    if (recent < MIN_CANDIDATE_DOCUMENTS) continue;
    const growth = (recent + 1) / recentStarts.size / ((earlier + 1) / Math.max(1, earlierStarts.size));
    if (growth < 2) continue;
    out.push({ term, recent, earlier, growth, total });
  }
  out.sort(
    (a, b) =>
      b.growth * Math.log1p(b.recent) - a.growth * Math.log1p(a.recent) || a.term.localeCompare(b.term),
  );
  return out.slice(0, limit);
}
