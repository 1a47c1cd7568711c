/**
 * What the radar reads: a document with its time, text and source, and, where the monitor
 * classified it, its sentiment. Files, the monitor's store and the API all come down to this.
 */
import { TextkitError } from "../../core/index.ts";
import { parseTimestamp } from "../../data/index.ts";

export const RADAR_SENTIMENTS = ["positive", "neutral", "negative"] as const;
export type RadarSentiment = (typeof RADAR_SENTIMENTS)[number];

export interface RadarDocument {
  id: string;
  /** Milliseconds since 1970. */
  time: number;
  text: string;
  title: string | null;
  /** Where it was published (a site, a feed, a forum); the breadth of risk counts sources. */
  source: string;
  url: string | null;
  /** The monitor's sentiment when it has one; null when unknown. */
  sentiment: RadarSentiment | null;
  /** Entities a tagger found (the monitor's), for discovery; product-like labels are proposed as candidates. */
  entities?: readonly { text: string; label: string }[];
}

/** Where a record came from, for messages. */
export interface RecordPlace {
  file?: string;
  line?: number;
  field?: string;
}

function text(
  record: Record<string, unknown>,
  key: string,
  place: RecordPlace,
  required: boolean,
): string | null {
  const value = record[key];
  if (value === undefined || value === null || value === "") {
    if (!required) return null;
    throw placeError(place, `has no ${key}`, key);
  }
  if (typeof value !== "string" && typeof value !== "number")
    throw placeError(place, `${key} must be a text`, key);
  return String(value);
}

function placeError(place: RecordPlace, message: string, column: string, cause?: unknown): TextkitError {
  const where = place.line !== undefined ? `line ${place.line}` : (place.field ?? "the document");
  return new TextkitError("DATA_BAD_ROW", `${where} ${message}`, {
    ...(place.file === undefined ? {} : { file: place.file }),
    ...(place.line === undefined ? {} : { line: place.line }),
    column,
    ...(place.field === undefined ? {} : { details: { field: `${place.field}/${column}` } }),
    ...(cause === undefined ? {} : { cause }),
  });
}

/**
 * A document from a plain record (a JSONL line, a CSV row, an API body): `text` (or `body`),
 * `time` (or `publishedAt`, ISO 8601 or Unix seconds), optional `id`, `title`, `source`,
 * `url`, `sentiment`.
 *
 * @example
 * parseRadarDocument({ id: "1", time: "2026-01-05", text: "Rust 1.90 is out", source: "blog" }, {}).time;
 */
export function parseRadarDocument(
  record: Record<string, unknown>,
  place: RecordPlace,
  index = 0,
): RadarDocument {
  const body = text(record, record["text"] === undefined ? "body" : "text", place, true)!;
  const timeKey = record["time"] === undefined ? "publishedAt" : "time";
  const rawTime = record[timeKey];
  if (rawTime === undefined || rawTime === null || rawTime === "")
    throw placeError(place, "has no time", "time");
  let time: number;
  try {
    time = Math.round(parseTimestamp(rawTime, {}, timeKey) * 1000);
  } catch (cause) {
    throw placeError(
      place,
      `${timeKey} ${JSON.stringify(rawTime)} is not a time (ISO 8601 or Unix seconds)`,
      timeKey,
      cause,
    );
  }
  const sentimentText = text(record, "sentiment", place, false);
  let sentiment: RadarSentiment | null = null;
  if (sentimentText !== null) {
    const s = sentimentText.toLowerCase();
    if (!(RADAR_SENTIMENTS as readonly string[]).includes(s)) {
      throw placeError(
        place,
        `sentiment '${sentimentText}' is not one of ${RADAR_SENTIMENTS.join(", ")}`,
        "sentiment",
      );
    }
    sentiment = s as RadarSentiment;
  }
  return {
    id: text(record, "id", place, false) ?? `${place.file ?? "doc"}#${place.line ?? index + 1}`,
    time,
    text: body,
    title: text(record, "title", place, false),
    source: text(record, "source", place, false) ?? "unknown",
    url: text(record, "url", place, false),
    sentiment,
  };
}
