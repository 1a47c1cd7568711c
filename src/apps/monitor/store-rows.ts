/**
 * Rows as the database holds them: documents as the values of a monitor_documents row and
 * back, and multi-row statements run in chunks.
 */
import type { Queryable, SqlValue } from "../../store/index.ts";
import type { MonitorDocument, MonitorEntity } from "./document.ts";

/** Rows per multi-row INSERT: well under SQLite's 32,766 and PostgreSQL's 65,535 placeholders. */
const INSERT_ROWS = 200;

export interface DocumentRow {
  doc_key: string;
  ext_id: string | null;
  source: string;
  title: string | null;
  body: string;
  url: string | null;
  lang: string;
  lang_score: number | null;
  topic: string;
  topic_score: number | null;
  sentiment: string;
  sentiment_score: number | null;
  entities: string;
  published_at: number | string;
  ingested_at: number | string;
}

export const num = (v: number | string): number => Number(v);
export const numOrNull = (v: number | string | null): number | null => (v === null ? null : Number(v));

const statementCache = new Map<string, string>();

/** `head VALUES (?, ...), ... tail` for `count` rows of `width` values, made once per shape. */
function multiRowSql(head: string, width: number, count: number, tail: string): string {
  const key = `${count}\u0000${width}\u0000${head}\u0000${tail}`;
  let sql = statementCache.get(key);
  if (sql === undefined) {
    const one = `(${new Array(width).fill("?").join(", ")})`;
    sql = `${head} VALUES ${new Array(count).fill(one).join(", ")} ${tail}`;
    statementCache.set(key, sql);
  }
  return sql;
}

/**
 * A document as the values of a monitor_documents row, in the table's column order
 * (doc_key, ext_id, source, title, body, url, lang, topic, topic_score, sentiment,
 * sentiment_score, entities, published_at, ingested_at, lang_score).
 */
export function documentRow(d: MonitorDocument): SqlValue[] {
  return [
    d.key,
    d.id,
    d.source,
    d.title,
    d.text,
    d.url,
    d.lang,
    d.topic,
    d.topicScore,
    d.sentiment,
    d.sentimentScore,
    JSON.stringify(d.entities),
    d.publishedAt,
    d.ingestedAt,
    d.langScore,
  ];
}

/** Runs a multi-row statement in chunks: `head` VALUES (...), (...) `tail`. */
export async function insertRows(
  tx: Queryable,
  head: string,
  width: number,
  rows: readonly SqlValue[][],
  tail: string,
  returning = false,
): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for (let start = 0; start < rows.length; start += INSERT_ROWS) {
    const count = Math.min(INSERT_ROWS, rows.length - start);
    const params: SqlValue[] = new Array(count * width);
    for (let r = 0; r < count; r++) {
      const row = rows[start + r]!;
      for (let c = 0; c < width; c++) params[r * width + c] = row[c]!;
    }
    const sql = multiRowSql(head, width, count, tail);
    if (returning) out.push(...(await tx.query(sql, params)));
    else await tx.run(sql, params);
  }
  return out;
}

/** A monitor_documents row as a document (its terms are not stored with it). */
export function documentOf(r: DocumentRow): MonitorDocument {
  let entities: MonitorEntity[] = [];
  try {
    entities = JSON.parse(r.entities) as MonitorEntity[];
  } catch {
    // A row written by hand with broken JSON shows no entities rather than failing the page.
  }
  return {
    key: r.doc_key,
    id: r.ext_id,
    source: r.source,
    title: r.title,
    text: r.body,
    url: r.url,
    lang: r.lang,
    langScore: r.lang_score === null || r.lang_score === undefined ? null : Number(r.lang_score),
    publishedAt: num(r.published_at),
    ingestedAt: num(r.ingested_at),
    topic: r.topic,
    topicScore: r.topic_score === null ? null : Number(r.topic_score),
    sentiment: r.sentiment,
    sentimentScore: r.sentiment_score === null ? null : Number(r.sentiment_score),
    entities,
    terms: [],
  };
}
