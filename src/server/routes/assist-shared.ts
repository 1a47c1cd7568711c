/** What the assistant's route files share: options, the store opened once, and reply shapes. */
import { type Assistant, AssistStore, type Reply } from "../../apps/assist/index.ts";
import { TextkitError } from "../../core/index.ts";
import type { DatabaseHandle } from "../database-handle.ts";
import type { ModelRegistry, ServedModel } from "../registry.ts";

export interface AssistRoutesOptions {
  registry: ModelRegistry;
  database: DatabaseHandle;
  /** Longest message, in UTF-16 code units. */
  maxTextChars: number;
}

/** The options of each resource's plugin: the routes' options and the store they share. */
export interface AssistRouteContext extends AssistRoutesOptions {
  /** The conversation store, opened on first use; a failed open is tried again next time. */
  store: () => Promise<AssistStore>;
}

export const ASSIST_TAGS = ["assistants"];

/** Opens the store on the first call and shares it; forgets a failed open so the next call retries. */
export function storeOpener(database: DatabaseHandle): () => Promise<AssistStore> {
  let opening: Promise<AssistStore> | null = null;
  return () => {
    opening ??= database.get().then((db) => AssistStore.open(db));
    opening.catch(() => {
      opening = null;
    });
    return opening;
  };
}

/** A reply computed from a state another request changed meanwhile is computed again, this often. */
export const CONFLICT_RETRIES = 3;

export function assistantOf(model: ServedModel): Assistant {
  if (model.assistant === null) {
    throw new TextkitError(
      "MODEL_FAMILY_UNSUPPORTED",
      `model '${model.name}' is a ${model.family}, not an assistant; use /v1/models/${model.name}/predict`,
    );
  }
  return model.assistant;
}

/** A time in ms since 1970 as ISO 8601; null stays null. */
export function iso(t: number): string;
export function iso(t: number | null): string | null;
export function iso(t: number | null): string | null {
  return t === null ? null : new Date(t).toISOString();
}

/** A reply as the chat route answers it: without the conversation state the store keeps. */
export function replyJson(reply: Reply): Omit<Reply, "state"> {
  const { state: _state, ...rest } = reply;
  return rest;
}
