/** Admin edits of the knowledge: one intent or FAQ checked by the files' rules, and edits applied. */
import { TextkitError } from "../../core/index.ts";
import { DEFAULT_SETTINGS, readFaqFile, readIntents } from "./knowledge-rules.ts";
import { SourceFile } from "./knowledge-source.ts";
import type { Faq, Intent, Knowledge, KnowledgeItemKind } from "./knowledge-types.ts";

/**
 * Checks one intent or FAQ given through the admin routes, with exactly the rules of the
 * files; `id` is the one in the route, which the body may repeat. A mistake is
 * KNOWLEDGE_INVALID whose details.field is the body's JSON pointer (e.g. "/slots/amount").
 *
 * @example
 * parseKnowledgeItem("faq", "gift-cards", { question: "Do you sell gift cards?", answer: "No." });
 */
export function parseKnowledgeItem(kind: KnowledgeItemKind, id: string, body: unknown): Intent | Faq {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new TextkitError("KNOWLEDGE_INVALID", `the body must be one ${kind} as a JSON object`, {
      details: { field: "/" },
    });
  }
  const given = (body as { id?: unknown }).id;
  if (given !== undefined && given !== id) {
    throw new TextkitError(
      "KNOWLEDGE_INVALID",
      `the body's id "${String(given)}" is not the route's "${id}"`,
      {
        details: { field: "/id" },
      },
    );
  }
  const item = { ...(body as Record<string, unknown>), id };
  const key = kind === "intent" ? "intents" : "faqs";
  const knowledge: Knowledge = {
    dir: "request",
    settings: structuredClone(DEFAULT_SETTINGS),
    intents: [],
    outOfScope: [],
    faqs: [],
    documents: [],
  };
  try {
    const file = new SourceFile("request body", JSON.stringify({ [key]: [item] }, null, 1));
    if (kind === "intent") readIntents(file, knowledge, new Map());
    else readFaqFile(file, knowledge, new Map());
  } catch (error) {
    if (error instanceof TextkitError && error.code === "KNOWLEDGE_INVALID") {
      // "intents.0.answer" in the wrapper is "/answer" in the body.
      const path = String(error.details?.["path"] ?? "")
        .split(".")
        .slice(2);
      const message = error.message.replace(/^request body:\d+: (intents|faqs)\[0\]\.?/, "");
      throw new TextkitError("KNOWLEDGE_INVALID", message === "" ? error.message : message, {
        cause: error,
        details: { field: `/${path.join("/")}` },
      });
    }
    throw error;
  }
  return kind === "intent" ? knowledge.intents[0]! : knowledge.faqs[0]!;
}

/**
 * Applies admin edits (oldest first) to knowledge read from a folder: an edit replaces the
 * item of its id or adds it; one without a body removes it. Returns how many were applied.
 */
export function applyKnowledgeEdits(
  knowledge: Knowledge,
  edits: readonly { kind: KnowledgeItemKind; id: string; body: Record<string, unknown> | null }[],
): number {
  for (const edit of edits) {
    const list: (Intent | Faq)[] = edit.kind === "intent" ? knowledge.intents : knowledge.faqs;
    const at = list.findIndex((item) => item.id === edit.id);
    if (edit.body === null) {
      if (at >= 0) list.splice(at, 1);
      continue;
    }
    const item = parseKnowledgeItem(edit.kind, edit.id, edit.body);
    if (at >= 0) list[at] = item;
    else list.push(item);
  }
  return edits.length;
}
