/**
 * The assistant's tables in the application database (SQLite or PostgreSQL): conversations
 * and their state (the slots given so far, the slot asked for), every turn (the message and
 * the reply, with personal data masked: e-mail addresses, phone, card and ID numbers), the
 * feedback people give on a turn (wrong, with the right intent or answer), and handovers.
 *
 * Two messages of one conversation at once (two tabs, two server processes) are put in
 * order by the conversation's turn count: a reply computed from an old state is not
 * recorded, and the caller computes it again from the new one.
 */
import { randomUUID } from "node:crypto";
import { maskDeep, maskPersonalData, TextkitError } from "../../core/index.ts";
import type { Database, SqlValue } from "../../store/index.ts";
import { type ConversationState, NEW_CONVERSATION } from "./conversation-state.ts";
import type { KnowledgeItemKind } from "./knowledge-types.ts";
import type { Reply } from "./reply.ts";

/** Append, never edit. */
const MIGRATIONS = [
  `CREATE TABLE assist_conversations (
    id TEXT PRIMARY KEY,
    assistant TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    turns BIGINT NOT NULL,
    status TEXT NOT NULL,
    state TEXT NOT NULL
  );
  CREATE INDEX assist_conversations_updated ON assist_conversations (assistant, updated_at);
  CREATE TABLE assist_turns (
    id TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL,
    assistant TEXT NOT NULL,
    seq BIGINT NOT NULL,
    at BIGINT NOT NULL,
    message TEXT NOT NULL,
    reply TEXT NOT NULL,
    path TEXT NOT NULL,
    intent TEXT,
    confidence DOUBLE PRECISION,
    details TEXT NOT NULL
  );
  CREATE UNIQUE INDEX assist_turns_seq ON assist_turns (conversation_id, seq);
  CREATE INDEX assist_turns_at ON assist_turns (assistant, at);
  CREATE TABLE assist_feedback (
    id TEXT PRIMARY KEY,
    turn_id TEXT NOT NULL,
    assistant TEXT NOT NULL,
    at BIGINT NOT NULL,
    verdict TEXT NOT NULL,
    intent TEXT,
    answer TEXT,
    by_whom TEXT
  );
  CREATE INDEX assist_feedback_at ON assist_feedback (assistant, at);
  CREATE TABLE assist_handovers (
    id TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL,
    assistant TEXT NOT NULL,
    turn_id TEXT NOT NULL,
    at BIGINT NOT NULL,
    reason TEXT NOT NULL,
    status TEXT NOT NULL,
    closed_at BIGINT,
    closed_by TEXT
  );
  CREATE INDEX assist_handovers_status ON assist_handovers (assistant, status, at)`,
  `CREATE TABLE assist_knowledge (
    assistant TEXT NOT NULL,
    kind TEXT NOT NULL,
    item_id TEXT NOT NULL,
    body TEXT,
    updated_at BIGINT NOT NULL,
    by_whom TEXT,
    PRIMARY KEY (assistant, kind, item_id)
  )`,
] as const;

/** An intent or FAQ given through the admin routes; body null: removed. */
export interface KnowledgeEdit {
  kind: KnowledgeItemKind;
  id: string;
  /** The item as checked (parseKnowledgeItem), or null when the edit removes it. */
  body: Record<string, unknown> | null;
  updatedAt: number;
  by: string | null;
}

export interface Conversation {
  id: string;
  assistant: string;
  createdAt: number;
  updatedAt: number;
  turns: number;
  status: "open" | "handed_over";
  state: ConversationState;
}

export interface Turn {
  id: string;
  conversationId: string;
  seq: number;
  at: number;
  /** With personal data masked. */
  message: string;
  reply: string;
  path: string;
  intent: string | null;
  confidence: number | null;
  /** The reply's reason and scores (why, intent, faq, passage, slots, asking), masked. */
  details: Record<string, unknown>;
}

export const VERDICTS = ["wrong", "right"] as const;
export type Verdict = (typeof VERDICTS)[number];

export interface Feedback {
  id: string;
  turnId: string;
  at: number;
  verdict: Verdict;
  /** The intent the message should have had ("oos" for none). */
  intent: string | null;
  /** The answer it should have had. */
  answer: string | null;
  by: string | null;
}

export interface Handover {
  id: string;
  conversationId: string;
  turnId: string;
  at: number;
  reason: string;
  status: "open" | "closed";
  closedAt: number | null;
  closedBy: string | null;
  /** The conversation so far, oldest first. */
  turns: Turn[];
}

interface TurnRow {
  id: string;
  conversation_id: string;
  seq: number | string;
  at: number | string;
  message: string;
  reply: string;
  path: string;
  intent: string | null;
  confidence: number | null;
  details: string;
}

const n = (v: number | string): number => Number(v);

function turnOf(r: TurnRow): Turn {
  return {
    id: r.id,
    conversationId: r.conversation_id,
    seq: n(r.seq),
    at: n(r.at),
    message: r.message,
    reply: r.reply,
    path: r.path,
    intent: r.intent,
    confidence: r.confidence === null ? null : Number(r.confidence),
    details: parseDetails(r.details),
  };
}

function parseDetails(text: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

/** The outcome of recording a turn: null when the conversation moved on meanwhile. */
export interface RecordedTurn {
  conversationId: string;
  turnId: string;
  seq: number;
  handoverId: string | null;
}

/**
 * @example
 * const store = await AssistStore.open(db);
 * const turn = await store.recordTurn("norvale", null, 0, "what's my balance", reply);
 */
export class AssistStore {
  private constructor(
    private readonly db: Database,
    private readonly now: () => number,
  ) {}

  static async open(db: Database, options: { now?: () => number } = {}): Promise<AssistStore> {
    await db.migrate("assist", MIGRATIONS);
    return new AssistStore(db, options.now ?? Date.now);
  }

  async conversation(assistant: string, id: string): Promise<Conversation> {
    const rows = await this.db.query<{
      id: string;
      assistant: string;
      created_at: number | string;
      updated_at: number | string;
      turns: number | string;
      status: string;
      state: string;
    }>("SELECT * FROM assist_conversations WHERE id = ? AND assistant = ?", [id, assistant]);
    const r = rows[0];
    if (r === undefined) {
      throw new TextkitError(
        "CONVERSATION_NOT_FOUND",
        `assistant '${assistant}' has no conversation '${id}'`,
        {
          details: { field: "/conversation" },
        },
      );
    }
    return {
      id: r.id,
      assistant: r.assistant,
      createdAt: n(r.created_at),
      updatedAt: n(r.updated_at),
      turns: n(r.turns),
      status: r.status === "handed_over" ? "handed_over" : "open",
      state: { ...NEW_CONVERSATION, ...(JSON.parse(r.state) as Partial<ConversationState>) },
    };
  }

  /**
   * Records a message and its reply as the next turn of a conversation (a new one when
   * `conversationId` is null), and a handover when the reply hands over, in one
   * transaction. `turnsSeen` is the conversation's turn count the reply was computed from;
   * when another turn was recorded since, nothing is written and null comes back.
   */
  async recordTurn(
    assistant: string,
    conversationId: string | null,
    turnsSeen: number,
    message: string,
    reply: Reply,
  ): Promise<RecordedTurn | null> {
    const now = this.now();
    const id = conversationId ?? randomUUID();
    const turnId = randomUUID();
    const seq = turnsSeen + 1;
    return this.db.transaction(async (tx) => {
      if (conversationId === null) {
        await tx.run(
          `INSERT INTO assist_conversations (id, assistant, created_at, updated_at, turns, status, state)
           VALUES (?, ?, ?, ?, 1, ?, ?)`,
          [id, assistant, now, now, reply.handover ? "handed_over" : "open", JSON.stringify(reply.state)],
        );
      } else {
        const moved = await tx.run(
          `UPDATE assist_conversations SET turns = ?, updated_at = ?, state = ?,
             status = CASE WHEN ? = 1 THEN 'handed_over' ELSE status END
           WHERE id = ? AND assistant = ? AND turns = ?`,
          [seq, now, JSON.stringify(reply.state), reply.handover ? 1 : 0, id, assistant, turnsSeen],
        );
        if (moved.changes !== 1) return null;
      }
      const details = maskDeep({
        why: reply.why,
        intent: reply.intent,
        faq: reply.faq,
        passage: reply.passage,
        slots: reply.slots,
        asking: reply.asking,
      }) as object;
      await tx.run(
        `INSERT INTO assist_turns (id, conversation_id, assistant, seq, at, message, reply, path, intent, confidence, details)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          turnId,
          id,
          assistant,
          seq,
          now,
          maskPersonalData(message),
          maskPersonalData(reply.text),
          reply.path,
          reply.intent?.id ?? null,
          reply.intent?.confidence ?? null,
          JSON.stringify(details),
        ] satisfies SqlValue[],
      );
      let handoverId: string | null = null;
      if (reply.handover) {
        handoverId = randomUUID();
        await tx.run(
          `INSERT INTO assist_handovers (id, conversation_id, assistant, turn_id, at, reason, status)
           VALUES (?, ?, ?, ?, ?, ?, 'open')`,
          [handoverId, id, assistant, turnId, now, maskPersonalData(reply.why)],
        );
      }
      return { conversationId: id, turnId, seq, handoverId };
    });
  }

  /** The turns of a conversation, oldest first. */
  async turns(conversationId: string): Promise<Turn[]> {
    const rows = await this.db.query<TurnRow>(
      "SELECT id, conversation_id, seq, at, message, reply, path, intent, confidence, details FROM assist_turns WHERE conversation_id = ? ORDER BY seq",
      [conversationId],
    );
    return rows.map(turnOf);
  }

  /** Records what a person says of a turn's reply. */
  async addFeedback(
    assistant: string,
    turnId: string,
    feedback: { verdict: Verdict; intent?: string | null; answer?: string | null; by?: string | null },
  ): Promise<Feedback> {
    const turn = await this.db.query<{ id: string }>(
      "SELECT id FROM assist_turns WHERE id = ? AND assistant = ?",
      [turnId, assistant],
    );
    if (turn.length === 0) {
      throw new TextkitError("TURN_NOT_FOUND", `assistant '${assistant}' has no turn '${turnId}'`, {
        details: { field: "/turn" },
      });
    }
    const row: Feedback = {
      id: randomUUID(),
      turnId,
      at: this.now(),
      verdict: feedback.verdict,
      intent: feedback.intent ?? null,
      answer:
        feedback.answer === undefined || feedback.answer === null ? null : maskPersonalData(feedback.answer),
      by: feedback.by ?? null,
    };
    await this.db.run(
      "INSERT INTO assist_feedback (id, turn_id, assistant, at, verdict, intent, answer, by_whom) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      [row.id, turnId, assistant, row.at, row.verdict, row.intent, row.answer, row.by],
    );
    return row;
  }

  /** Corrections (wrong, with an intent or an answer) with the masked message they correct, oldest first. */
  async corrections(assistant: string): Promise<(Feedback & { message: string })[]> {
    const rows = await this.db.query<{
      id: string;
      turn_id: string;
      at: number | string;
      verdict: string;
      intent: string | null;
      answer: string | null;
      by_whom: string | null;
      message: string;
    }>(
      `SELECT f.id, f.turn_id, f.at, f.verdict, f.intent, f.answer, f.by_whom, t.message
       FROM assist_feedback f JOIN assist_turns t ON t.id = f.turn_id
       WHERE f.assistant = ? AND f.verdict = 'wrong' AND (f.intent IS NOT NULL OR f.answer IS NOT NULL)
       ORDER BY f.at, f.id`,
      [assistant],
    );
    return rows.map((r) => ({
      id: r.id,
      turnId: r.turn_id,
      at: n(r.at),
      verdict: "wrong",
      intent: r.intent,
      answer: r.answer,
      by: r.by_whom,
      message: r.message,
    }));
  }

  /** Handovers, newest first, each with its conversation so far. */
  async handovers(
    assistant: string,
    filter: { status?: "open" | "closed"; limit: number },
  ): Promise<Handover[]> {
    const params: SqlValue[] = [assistant];
    let sql = "SELECT * FROM assist_handovers WHERE assistant = ?";
    if (filter.status !== undefined) {
      sql += " AND status = ?";
      params.push(filter.status);
    }
    sql += " ORDER BY at DESC, id LIMIT ?";
    params.push(filter.limit);
    const rows = await this.db.query<{
      id: string;
      conversation_id: string;
      turn_id: string;
      at: number | string;
      reason: string;
      status: string;
      closed_at: number | string | null;
      closed_by: string | null;
    }>(sql, params);
    const out: Handover[] = [];
    for (const r of rows) {
      out.push({
        id: r.id,
        conversationId: r.conversation_id,
        turnId: r.turn_id,
        at: n(r.at),
        reason: r.reason,
        status: r.status === "closed" ? "closed" : "open",
        closedAt: r.closed_at === null ? null : n(r.closed_at),
        closedBy: r.closed_by,
        turns: await this.turns(r.conversation_id),
      });
    }
    return out;
  }

  /** Keeps an admin's edit of an intent or FAQ (the last one per item counts); body null removes it. */
  async putKnowledge(
    assistant: string,
    kind: KnowledgeItemKind,
    id: string,
    body: Record<string, unknown> | null,
    by: string | null,
  ): Promise<KnowledgeEdit> {
    const edit: KnowledgeEdit = { kind, id, body, updatedAt: this.now(), by };
    await this.db.run(
      `INSERT INTO assist_knowledge (assistant, kind, item_id, body, updated_at, by_whom) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (assistant, kind, item_id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at,
         by_whom = excluded.by_whom`,
      [assistant, kind, id, body === null ? null : JSON.stringify(body), edit.updatedAt, by],
    );
    return edit;
  }

  /** The admin edits of an assistant's knowledge, oldest first. */
  async knowledgeEdits(assistant: string): Promise<KnowledgeEdit[]> {
    const rows = await this.db.query<{
      kind: string;
      item_id: string;
      body: string | null;
      updated_at: number | string;
      by_whom: string | null;
    }>(
      "SELECT kind, item_id, body, updated_at, by_whom FROM assist_knowledge WHERE assistant = ? ORDER BY updated_at, kind, item_id",
      [assistant],
    );
    return rows.map((r) => ({
      kind: r.kind === "faq" ? "faq" : "intent",
      id: r.item_id,
      body: r.body === null ? null : (JSON.parse(r.body) as Record<string, unknown>),
      updatedAt: n(r.updated_at),
      by: r.by_whom,
    }));
  }

  /** Closes a handover (a person took the conversation); the conversation is open again. */
  async closeHandover(assistant: string, id: string, by: string | null): Promise<void> {
    await this.db.transaction(async (tx) => {
      const rows = await tx.query<{ conversation_id: string }>(
        "SELECT conversation_id FROM assist_handovers WHERE id = ? AND assistant = ?",
        [id, assistant],
      );
      if (rows.length === 0) {
        throw new TextkitError("HANDOVER_NOT_FOUND", `assistant '${assistant}' has no handover '${id}'`, {
          details: { field: "/id" },
        });
      }
      await tx.run(
        "UPDATE assist_handovers SET status = 'closed', closed_at = ?, closed_by = ? WHERE id = ? AND status = 'open'",
        [this.now(), by, id],
      );
      await tx.run("UPDATE assist_conversations SET status = 'open' WHERE id = ?", [
        rows[0]!.conversation_id,
      ]);
    });
  }
}
