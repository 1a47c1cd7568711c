/**
 * What the `recommend` commands share: the held-out split a training run is scored on,
 * and how evaluations are printed.
 */
import { TextkitError } from "../core/index.ts";
import type { Interactions } from "../data/index.ts";
import {
  holdOutPerUser,
  type InteractionSplit,
  leaveLastOut,
  parseTimestamp,
  splitByTime,
  splitLatestPerUser,
} from "../data/index.ts";
import { formatRankingReports } from "../eval/index.ts";
import type { RecommenderEvaluation } from "../models/recommender/index.ts";

/** How `recommend train` holds events out: see parseRecommendSplit. */
export type RecommendSplit =
  | { kind: "none" }
  | { kind: "last" }
  | { kind: "time"; cutoff: number; text: string }
  | { kind: "latest"; fraction: number }
  | { kind: "random"; fraction: number };

const SPLIT_HELP = "last, time:<ISO 8601 or Unix seconds>, latest:<fraction>, random:<fraction> or none";

/**
 * Parses `--split`: `last` (each user's last item), `time:2026-03-01` (events from then
 * on), `latest:0.2` (each user's latest 20% of items), `random:0.25` (25% of each user's
 * items at random) or `none` (train on everything, no evaluation).
 *
 * @example
 * parseRecommendSplit("time:2026-03-01"); // { kind: "time", cutoff: 1772323200, text: "2026-03-01" }
 */
export function parseRecommendSplit(value: string): RecommendSplit {
  const text = value.trim();
  const invalid = () =>
    new TextkitError("OPTION_INVALID", `--split must be ${SPLIT_HELP}, got '${value}'`, {
      details: { option: "--split", value },
    });
  if (text === "none") return { kind: "none" };
  if (text === "last") return { kind: "last" };
  const colon = text.indexOf(":");
  if (colon < 0) throw invalid();
  const kind = text.slice(0, colon);
  const argument = text.slice(colon + 1);
  if (kind === "time") {
    try {
      return { kind: "time", cutoff: parseTimestamp(argument, {}, "--split time"), text: argument };
    } catch {
      throw invalid();
    }
  }
  if (kind === "latest" || kind === "random") {
    const fraction = /^(0?\.\d+)$/.test(argument) ? Number(argument) : Number.NaN;
    if (!(fraction > 0 && fraction < 1)) throw invalid();
    return { kind, fraction };
  }
  throw invalid();
}

/** The events cut as `split` says; null for `none`. */
export function applyRecommendSplit(
  data: Interactions,
  split: RecommendSplit,
  seed: number,
): InteractionSplit | null {
  switch (split.kind) {
    case "none":
      return null;
    case "last":
      return leaveLastOut(data);
    case "time":
      return splitByTime(data, split.cutoff);
    case "latest":
      return splitLatestPerUser(data, split.fraction);
    case "random":
      return holdOutPerUser(data, { fraction: split.fraction, seed });
  }
}

/** One line about events: `train: 90,570 events by 943 users on 1,682 items (ua.base)`. */
export function describeInteractions(name: string, data: Interactions): string {
  const users = new Set<number>();
  const items = new Set<number>();
  for (let r = 0; r < data.length; r++) {
    users.add(data.user[r]!);
    items.add(data.item[r]!);
  }
  const types = new Map<string, number>();
  for (let r = 0; r < data.length; r++) {
    const t = data.types[data.type[r]!]!;
    types.set(t, (types.get(t) ?? 0) + 1);
  }
  const kinds = [...types.entries()].map(([t, n]) => `${n} ${t}`).join(", ");
  return `${name}: ${data.length} events (${kinds}) by ${users.size} users on ${items.size} of ${data.catalog.size} items (${data.source})`;
}

/** Evaluations side by side, with the scored users and the rating errors under the table. */
export function formatRecommenderEvaluations(
  title: string,
  rows: readonly { name: string; evaluation: RecommenderEvaluation }[],
  digits = 4,
): string {
  const first = rows[0]?.evaluation;
  if (first === undefined) return "";
  let out = `${title}: ${first.events} events, ${first.ranking.users} users scored at k=${first.ranking.k}`;
  if (first.coldUsers > 0) out += `, ${first.coldUsers} users unknown to the model left out`;
  if (first.usersWithoutNewItems > 0)
    out += `, ${first.usersWithoutNewItems} users with only items seen before left out`;
  out += `\n\n${formatRankingReports(
    rows.map((r) => ({ name: r.name, report: r.evaluation.ranking })),
    digits,
  )}`;
  if (first.ratings !== null) {
    out += `\nratings (baseline mean + user + item bias): ${first.ratings.count} ratings, RMSE ${first.ratings.rmse.toFixed(digits)}, MAE ${first.ratings.mae.toFixed(digits)}\n`;
  }
  return out;
}

/** An evaluation as plain data, for --json and run records. */
export function evaluationRecord(evaluation: RecommenderEvaluation): Record<string, unknown> {
  return {
    ...evaluation.ranking,
    events: evaluation.events,
    coldUsers: evaluation.coldUsers,
    usersWithoutNewItems: evaluation.usersWithoutNewItems,
    ...(evaluation.ratings === null ? {} : { ratings: evaluation.ratings }),
  };
}
