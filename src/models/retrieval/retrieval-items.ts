/**
 * The items of a retrieval index: checking what a caller gives, reading what an artifact
 * stored, the text each side indexes, and a hit as JSON.
 */
import { TextkitError } from "../../core/index.ts";
import type { RetrievalItem, RetrievalItemInput, SearchHit } from "./retrieval-options.ts";

/** The text BM25 and the encoder see of an item. */
export function indexedText(item: RetrievalItem, includeTitle: boolean): string {
  return includeTitle && item.title !== null && item.title.length > 0
    ? `${item.title}\n${item.text}`
    : item.text;
}

function optionalString(value: unknown, field: string, index: number): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "string") {
    throw new TextkitError(
      "INPUT_INVALID",
      `item ${index + 1}: ${field} must be a string, got ${typeof value}`,
      {
        details: { field: `/${index}/${field}` },
      },
    );
  }
  return value;
}

/** Items checked and copied into their stored shape. */
export function checkItems(items: readonly RetrievalItemInput[]): RetrievalItem[] {
  if (!Array.isArray(items) || items.length === 0) {
    throw new TextkitError("DATA_EMPTY", "there is nothing to index: give at least one item");
  }
  const seen = new Map<string, number>();
  return items.map((item, i) => {
    const { id, text } = item;
    if (typeof id !== "string" || id.length === 0) {
      throw new TextkitError(
        "INPUT_INVALID",
        `item ${i + 1} has no id: every item needs a non-empty string id`,
        {
          details: { field: `/${i}/id` },
        },
      );
    }
    const first = seen.get(id);
    if (first !== undefined) {
      throw new TextkitError(
        "DATA_DUPLICATE_ID",
        `items ${first + 1} and ${i + 1} both have the id '${id}'`,
        {
          details: { id, index: i },
        },
      );
    }
    seen.set(id, i);
    const title = optionalString(item.title, "title", i);
    if (
      typeof text !== "string" ||
      (text.trim().length === 0 && (title === null || title.trim().length === 0))
    ) {
      throw new TextkitError("DATA_EMPTY_TEXT", `item '${id}' has no text`, { details: { id, index: i } });
    }
    const meta = item.meta ?? null;
    if (meta !== null && (typeof meta !== "object" || Array.isArray(meta))) {
      throw new TextkitError("INPUT_INVALID", `item '${id}': meta must be an object`, {
        details: { field: `/${i}/meta` },
      });
    }
    return { id, text, title, source: optionalString(item.source, "source", i), meta };
  });
}

/** The stored items, checked. */
export function itemsOf(data: Buffer, where: string): RetrievalItem[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data.toString("utf8"));
  } catch (cause) {
    throw new TextkitError("ARTIFACT_CORRUPT", `items.json in ${where} is not valid JSON`, {
      file: where,
      cause,
    });
  }
  if (!Array.isArray(parsed) || parsed.length === 0) {
    throw new TextkitError("ARTIFACT_CORRUPT", `items.json in ${where} holds no items`, { file: where });
  }
  try {
    return checkItems(parsed as RetrievalItemInput[]);
  } catch (cause) {
    const why = cause instanceof Error ? cause.message : String(cause);
    throw new TextkitError("ARTIFACT_CORRUPT", `items.json in ${where} is damaged: ${why}`, {
      file: where,
      cause,
    });
  }
}

/**
 * A hit as the command line and the server show it: the item's fields beside the scores.
 *
 * @example
 * index.search("lost card").map(searchHitJson);
 */
export function searchHitJson(hit: SearchHit): Record<string, unknown> {
  const { id, score, bm25, vector, item } = hit;
  return {
    id,
    score,
    bm25,
    vector,
    title: item.title,
    text: item.text,
    source: item.source,
    meta: item.meta,
  };
}
