/**
 * The steps of an intake that touch the tables row by row: the key an event is stored
 * under, the impression a click or conversion is attributed to, and the counters.
 */
import { createHash, randomUUID } from "node:crypto";
import { TextkitError } from "../../core/index.ts";
import type { Queryable } from "../../store/index.ts";
import { type AppEventInput, ATTRIBUTION_WINDOW_MS, type Outcome, variantOf } from "./store-records.ts";

/**
 * The key an event is stored under: the client's id, or a digest of who did what to which
 * item when; an event without a time of its own is never a duplicate of another.
 */
export function eventKey(e: AppEventInput & { timestamp: number }, untimed: boolean): string {
  if (e.id !== undefined) return `id:${e.id}`;
  if (untimed) return `new:${randomUUID()}`;
  const digest = createHash("sha256").update(JSON.stringify([e.user, e.item, e.type, e.timestamp]));
  return `at:${digest.digest("base64url")}`;
}

interface ImpressionRow {
  id: string;
  model: string;
  version: string;
  variant: string;
  position: number | string;
}

const IMPRESSION_COLUMNS = "id, model, version, variant, position";

/** Marks the impression this event follows; null when there is none, or it has this outcome already. */
export async function attribute(
  tx: Queryable,
  app: string,
  e: AppEventInput,
  kind: "click" | "conversion",
  at: number,
): Promise<Outcome | null> {
  let row: ImpressionRow | undefined;
  if (e.impression !== undefined) {
    const rows = await tx.query<ImpressionRow>(
      `SELECT ${IMPRESSION_COLUMNS} FROM recommend_impressions WHERE id = ? AND app = ? AND user_id = ? AND item_id = ?`,
      [e.impression, app, e.user, e.item],
    );
    if (rows.length === 0) {
      throw new TextkitError(
        "DATA_UNKNOWN_IMPRESSION",
        `impression '${e.impression}' is not one of ${app}'s impressions of item '${e.item}' for user '${e.user}'`,
        { details: { impression: e.impression } },
      );
    }
    row = rows[0];
  } else {
    const rows = await tx.query<ImpressionRow>(
      `SELECT ${IMPRESSION_COLUMNS} FROM recommend_impressions
       WHERE app = ? AND user_id = ? AND item_id = ? AND shown_at >= ? AND shown_at <= ?
       ORDER BY shown_at DESC, id LIMIT 1`,
      [app, e.user, e.item, at - ATTRIBUTION_WINDOW_MS, at],
    );
    row = rows[0];
  }
  if (row === undefined) return null;
  const done = await tx.run(
    "INSERT INTO recommend_outcomes (impression_id, kind, at) VALUES (?, ?, ?) ON CONFLICT (impression_id, kind) DO NOTHING",
    [row.id, kind, at],
  );
  if (done.changes === 0) return null;
  return {
    kind,
    impression: row.id,
    model: row.model,
    version: row.version,
    variant: variantOf(row.variant),
    position: Number(row.position),
  };
}

export async function bump(tx: Queryable, app: string, name: string, by: number): Promise<void> {
  await tx.run(
    `INSERT INTO recommend_counters (app, name, n) VALUES (?, ?, ?)
     ON CONFLICT (app, name) DO UPDATE SET n = recommend_counters.n + excluded.n`,
    [app, name, by],
  );
}
