/**
 * The shapes the Runs and Recommend pages read from the API, apart from the pages so that
 * they compile without the DOM: test/support/api-types-check.ts checks each against its
 * route's response schema (the answer may carry more than a page reads).
 */

// ---- Runs: GET /v1/runs, /v1/runs/{id}, /v1/runs/compare ----

export interface Summary {
  last: number;
  best: number;
  bestStep: number;
  higherIsBetter: boolean;
}

/** A run as the page reads it from GET /v1/runs (a subset of the answer). */
export interface RunView {
  id: string;
  parentId: string | null;
  family: string;
  name: string | null;
  status: string;
  startedAt: string;
  seconds: number | null;
  summary: Record<string, Summary>;
}

export interface RunListView {
  runs: RunView[];
  total: number;
}

export interface MetricPointView {
  name: string;
  step: number;
  value: number;
}

/** GET /v1/runs/compare's `confusion` entries. */
export interface ConfusionView {
  report: string;
  labels: string[];
  totalLabels: number;
  counts: (number[][] | null)[];
  rowTotals: (number[] | null)[];
}

/** GET /v1/runs/compare, as the Runs page reads it. */
export interface Comparison {
  runs: { id: string }[];
  params: { name: string; values: unknown[]; differs: boolean }[];
  perClass: { report: string; label: string; f1: (number | null)[]; delta: (number | null)[] }[];
  confusion?: ConfusionView[];
}

// ---- Recommend: an application's routes under /v1/recommend/{app} ----

export interface Reason {
  kind: string;
  text: string;
  item?: string;
}

export interface ServedItem {
  item: string;
  score: number;
  title: string;
  category: string;
  reason: Reason;
  position: number;
  impression: string;
}

/** POST …/recommend and …/cold-start as the page reads them. */
export interface Served {
  user: string;
  variant: string;
  model: string;
  engine: string;
  version: string;
  items: ServedItem[];
  seeds?: string[];
}

export interface CatalogEntry {
  item: string;
  title: string;
  category: string;
  tags: string[];
}

/** GET …/items/{item}/similar as the page reads it. */
export interface SimilarView {
  model: string;
  items: { item: string; title: string; category: string; score: number }[];
}

/** GET …/catalog as the page reads it. */
export interface CatalogView {
  items: CatalogEntry[];
}

export interface UserView {
  variant: string;
  model: string;
  history: (CatalogEntry & { weight: number })[];
}

export interface Rate {
  count: number;
  of: number;
  rate: number;
  low: number;
  high: number;
}

export interface Figures {
  impressions: number;
  ctr: Rate;
  conversion: Rate;
}

export interface Difference {
  estimate: number;
  low: number;
  high: number;
  significant: boolean;
}

export interface Stats {
  split: { control: string; treatment: string | null; share: number };
  byVersion: (Figures & { model: string; version: string; variant: string })[];
  byVariant: (Figures & { variant: string })[];
  byPosition: (Figures & { variant: string; position: number })[];
  difference: { ctr: Difference; conversion: Difference } | null;
  events: {
    applied: number;
    duplicates: number;
    unknownItem: number;
    outOfOrder: number;
    users: number;
    unknownItems: { item: string; events: number }[];
  };
}
