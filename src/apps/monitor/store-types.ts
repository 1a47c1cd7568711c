/** The records the monitor's store reads and writes, apart from documents. */
import type { AlertKind } from "./config.ts";

export interface TimeRange {
  /** Inclusive, ms since 1970. */
  from: number;
  /** Exclusive. */
  to: number;
}

export interface CountRow {
  bucket: number;
  topic: string;
  sentiment: string;
  n: number;
}

export interface RankedTerm {
  term: string;
  count: number;
}

export interface RankedEntity {
  text: string;
  label: string;
  count: number;
}

export interface DocumentFilter extends TimeRange {
  topic?: string;
  sentiment?: string;
  limit: number;
  /** From a previous page's `nextCursor`. */
  cursor?: string;
}

export const DELIVERY_STATUSES = ["pending", "delivered", "failed"] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface Delivery {
  id: string;
  alertId: string;
  target: string;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  deliveredAt: number | null;
}

export interface AlertRecord {
  id: string;
  rule: string;
  kind: AlertKind;
  topic: string;
  message: string;
  firedAt: number;
  window: TimeRange;
  value: number;
  baseline: { mean: number | null; std: number | null; windows: number };
  z: number | null;
  count: number;
  status: "open" | "acknowledged";
  acknowledgedAt: number | null;
  acknowledgedBy: string | null;
  note: string | null;
  deliveries: Delivery[];
}

/** What fires: an alert without its id, status and deliveries (the store adds them). */
export type AlertDraft = Omit<
  AlertRecord,
  "id" | "status" | "acknowledgedAt" | "acknowledgedBy" | "note" | "deliveries"
>;
