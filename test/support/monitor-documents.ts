/**
 * A stored monitor document for the store's tests: one banking, negative document from the
 * API with no entities or terms, published at `T0` and ingested a second later, with any
 * field replaced by `over`.
 */
import type { MonitorDocument } from "../../src/apps/monitor/index.ts";

export const T0 = Date.parse("2026-11-30T08:00:00Z");

export function storedDocument(key: string, over: Partial<MonitorDocument> = {}): MonitorDocument {
  return {
    key,
    id: null,
    source: "api",
    title: null,
    text: `text of ${key}`,
    url: null,
    lang: "en",
    langScore: null,
    publishedAt: T0,
    ingestedAt: T0 + 1000,
    topic: "banking",
    topicScore: 0.9,
    sentiment: "negative",
    sentimentScore: 0.8,
    entities: [],
    terms: [],
    ...over,
  };
}
