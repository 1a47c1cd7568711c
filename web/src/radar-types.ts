/**
 * The shapes the Radar page reads from the radar routes under /v1/radar (see
 * src/server/routes/radar.ts and src/apps/radar/build.ts). Times are ISO 8601 strings,
 * except a forecast's period starts, which are milliseconds since 1970.
 */

export interface RadarRing {
  name: string;
  min: number;
}

export interface RadarRiskCell {
  category: string;
  likelihood: number;
  impact: number;
  score: number;
  likelihoodLevel: number;
  impactLevel: number;
  documents: number;
  sources: number;
}

export interface RadarBlip {
  technology: string;
  quadrant: string;
  status: "scored" | "insufficient";
  reason: string | null;
  mentions: number;
  g: number | null;
  m: number | null;
  r: number | null;
  score: number | null;
  growth: {
    g: number;
    slope: number;
    slopeStandardError: number;
    growthRate: number;
    doublingTime: number | null;
    r2: number;
    weightedSlope: number;
  } | null;
  market: { m: number; share: number; presence: number; p10: number; p50: number; p90: number } | null;
  risk: { r: number; cells: RadarRiskCell[]; worst: string } | null;
  sentiment: { negative: number; positive: number; rated: number };
  ring: string | null;
  previousRing: string | null;
  movement: "new" | "in" | "out" | "gone" | "none";
  periodsInRing: number;
  /** The hand-set ring in force (times in ms since 1970). */
  override: {
    id: string;
    technology: string;
    ring: string | null;
    by: string;
    why: string;
    at: number;
    createdAt: number;
  } | null;
  forecast: {
    periods: number[];
    p10: number[];
    p50: number[];
    p90: number[];
    ringChange: number;
    likelyRing: number | null;
  } | null;
}

export interface RadarView {
  builtAt: string;
  period: string;
  documents: number;
  quadrants: string[];
  rings: RadarRing[];
  snapshots: { period: string; label: string }[];
  snapshot: { period: string; label: string; documents: number; blips: RadarBlip[] };
  findings: { kind: string; technology: string; message: string }[];
}

export interface RadarEvidence {
  id: string;
  title: string;
  url: string | null;
  time: string;
  source: string;
  sentiment: string | null;
  risks: string[];
  market: boolean;
}

export interface RadarTechnologyView {
  technology: { name: string; quadrant: string; aliases: string[]; links: string[]; description: string };
  blip: RadarBlip;
  series: { periods: string[]; mentions: number[] };
  evidence: RadarEvidence[];
  related: { technology: string; strength: number; documents: number }[];
}

export interface RadarSuggestion {
  technology: string;
  quadrant: string;
  ring: string | null;
  e: number;
  g: number;
  m: number;
  r: number;
  l: number;
  weeks: number;
  speed: number;
  helpedBy: { skill: string; level: number; strength: number }[];
  reasons: string[];
}

export interface RadarSuggestions {
  snapshot: string;
  suggestions: RadarSuggestion[];
}

export interface RadarImportResult {
  snapshot: string;
  entries: number;
  comparison: { name: string; theirs: string | null; ours: string | null; difference: number | null }[];
}
