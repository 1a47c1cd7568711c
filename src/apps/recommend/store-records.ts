/**
 * What the recommend application's store takes and answers: events and impressions, what
 * an intake did, the clicks and conversions attributed to impressions, and the A/B figures
 * with the SQL that counts them.
 */
import type { BehaviourEvent } from "../../data/index.ts";
import type { SplitConfig, Variant } from "./ab-split.ts";
import { type Rate, type RateDifference, rateOf } from "./measurement.ts";

/** Event types that count as a click, and as a conversion, of the impression they follow. */
export const CLICK_TYPES: readonly string[] = ["click"];
export const CONVERSION_TYPES: readonly string[] = ["like", "share", "purchase"];
/** An event without an impression id is attributed to the user's latest impression of the item this recent. */
export const ATTRIBUTION_WINDOW_MS = 24 * 3_600_000;

/** An event as the application takes it: a behaviour event, with an optional id and impression. */
export interface AppEventInput extends BehaviourEvent {
  /** The client's id of the event: the same id sent twice is one event. */
  id?: string;
  /** The impression (from a recommend answer) this event follows. */
  impression?: string;
}

/** One recommended item as shown. */
export interface ImpressionInput {
  item: string;
  position: number;
}

export interface Impression extends ImpressionInput {
  id: string;
}

/** What an intake did with a batch: every event is in exactly one of accepted, duplicates, unknownItems. */
export interface IntakeResult {
  /** Events to apply to the models (timestamps in Unix seconds), in the batch's order. */
  accepted: (BehaviourEvent & { timestamp: number })[];
  duplicates: number;
  /** Events naming items the catalogue lacks: stored, not applied. */
  unknownItems: { index: number; item: string }[];
  /** Accepted events older than their user's latest event. */
  outOfOrder: number;
  /** Users whose first event this was. */
  newUsers: string[];
  clicks: number;
  conversions: number;
  /** The impressions that took a click or a conversion from this batch. */
  outcomes: Outcome[];
}

/** A click or conversion attributed to an impression, and what served it. */
export interface Outcome {
  kind: "click" | "conversion";
  impression: string;
  model: string;
  version: string;
  variant: Variant;
  position: number;
}

/** Figures of one group of impressions (a model version, a variant, a position). */
export interface GroupFigures {
  impressions: number;
  ctr: Rate;
  conversion: Rate;
}

export interface AppStats {
  split: SplitConfig;
  byVersion: (GroupFigures & { model: string; version: string; variant: Variant })[];
  byVariant: (GroupFigures & { variant: Variant })[];
  byPosition: (GroupFigures & { variant: Variant; position: number })[];
  /** Treatment minus control, with 95% intervals; null without an experiment. */
  difference: { ctr: RateDifference; conversion: RateDifference } | null;
  events: {
    applied: number;
    duplicates: number;
    unknownItem: number;
    outOfOrder: number;
    users: number;
    /** The most frequent unknown item ids, most events first. */
    unknownItems: { item: string; events: number }[];
  };
}

/** A row of impressions with their clicks and conversions, as the database answers (numbers may be strings). */
export interface FigureRow {
  impressions: number | string;
  clicks: number | string | null;
  conversions: number | string | null;
}

/** The SELECT columns that count a group's impressions, and those with a click and with a conversion. */
export const FIGURES = `COUNT(*) AS impressions,
  SUM(CASE WHEN EXISTS (SELECT 1 FROM recommend_outcomes o WHERE o.impression_id = i.id AND o.kind = 'click') THEN 1 ELSE 0 END) AS clicks,
  SUM(CASE WHEN EXISTS (SELECT 1 FROM recommend_outcomes o WHERE o.impression_id = i.id AND o.kind = 'conversion') THEN 1 ELSE 0 END) AS conversions`;

/** A group's figures: its impressions, and its click and conversion rates with their intervals. */
export function figures(row: FigureRow): GroupFigures {
  const n = Number(row.impressions);
  return {
    impressions: n,
    ctr: rateOf(Number(row.clicks ?? 0), n),
    conversion: rateOf(Number(row.conversions ?? 0), n),
  };
}

/** The variant a stored value names ("control" for anything but "treatment"). */
export function variantOf(value: unknown): Variant {
  return value === "treatment" ? "treatment" : "control";
}
