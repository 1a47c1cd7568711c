/**
 * Calls an intent's action webhook: a POST of JSON (the intent, its slots, the numbers read
 * from them, the conversation id and language), signed like the monitor's alerts
 * (X-Textkit-Signature: sha256=<HMAC of the body>) and carrying an Idempotency-Key that is
 * the same on every retry, so a receiver that saw it already can ignore the repeat.
 *
 * A 2xx answer means done, unless its JSON says `"ok": false` (refused). Its JSON may give a
 * `reply` (said as is, after filling {slot} references) and `fields` (values for the
 * answer template). A network error, a timeout, 408, 425, 429 or a 5xx is tried again,
 * `retries` times, after a doubling delay; any other status is a refusal at once. The
 * caller turns a failure into an honest message: the action is not known to have happened.
 */
import { signWebhookBody, WEBHOOK_SIGNATURE_HEADER } from "../../core/index.ts";
import type { TextLanguage } from "../../text/index.ts";
import type { IntentAction } from "./knowledge-types.ts";
import type { SlotValues } from "./slots.ts";

export interface ActionRequest {
  intent: string;
  slots: SlotValues;
  /** The slots whose value reads as a number (五百元 → 500). */
  numbers: Record<string, number>;
  conversation: string | null;
  lang: TextLanguage;
}

export type ActionOutcome =
  | {
      status: "done";
      reply: string | null;
      fields: Record<string, string>;
      attempts: number;
      httpStatus: number;
    }
  | { status: "refused"; reply: string | null; error: string; attempts: number; httpStatus: number }
  | { status: "failed"; error: string; attempts: number };

export interface ActionCallOptions {
  fetch?: typeof fetch;
  /** The same on every retry (default: the conversation id and intent). */
  idempotencyKey?: string;
  /** Delay before the second attempt (default 250 ms); it doubles after each failure. */
  baseDelayMs?: number;
}

const RETRYABLE = new Set([408, 425, 429]);
/** Longest answer read from a webhook. */
const MAX_ANSWER_CHARS = 64 * 1024;

interface Answer {
  ok: boolean;
  reply: string | null;
  fields: Record<string, string>;
}

/** What a webhook's body says; a body that is not a JSON object says nothing. */
function answerOf(body: string): Answer {
  let json: unknown = null;
  try {
    json = body.trim() === "" ? null : JSON.parse(body);
  } catch {
    json = null;
  }
  if (typeof json !== "object" || json === null || Array.isArray(json))
    return { ok: true, reply: null, fields: {} };
  const o = json as Record<string, unknown>;
  const fields: Record<string, string> = {};
  const raw = o["fields"];
  if (typeof raw === "object" && raw !== null && !Array.isArray(raw)) {
    for (const [k, v] of Object.entries(raw))
      if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") fields[k] = String(v);
  }
  return {
    ok: o["ok"] !== false,
    reply: typeof o["reply"] === "string" && o["reply"].trim() !== "" ? o["reply"].trim() : null,
    fields,
  };
}

/**
 * Calls the webhook once per attempt until it answers, refuses, or the retries run out.
 *
 * @example
 * const outcome = await callAction(intent.action, { intent: "transfer", slots, numbers, conversation, lang: "en" });
 * if (outcome.status === "done") console.log(outcome.fields);
 */
export async function callAction(
  action: IntentAction,
  request: ActionRequest,
  options: ActionCallOptions = {},
): Promise<ActionOutcome> {
  const send = options.fetch ?? fetch;
  const baseDelayMs = options.baseDelayMs ?? 250;
  const body = JSON.stringify({
    type: "textkit.assist.action",
    intent: request.intent,
    conversation: request.conversation,
    lang: request.lang,
    slots: request.slots,
    numbers: request.numbers,
  });
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "user-agent": "textkit-assist/0.1",
    "idempotency-key": options.idempotencyKey ?? `${request.conversation ?? "-"}:${request.intent}`,
  };
  if (action.secret !== null) headers[WEBHOOK_SIGNATURE_HEADER] = signWebhookBody(action.secret, body);
  let error = "";
  const attempts = action.retries + 1;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, baseDelayMs * 2 ** (attempt - 2)));
    try {
      const res = await send(action.url, {
        method: "POST",
        headers: { ...headers, "x-textkit-attempt": String(attempt) },
        body,
        signal: AbortSignal.timeout(action.timeoutMs),
        redirect: "manual",
      });
      const text = (await res.text()).slice(0, MAX_ANSWER_CHARS);
      const answer = answerOf(text);
      if (res.status >= 200 && res.status < 300) {
        if (answer.ok)
          return {
            status: "done",
            reply: answer.reply,
            fields: answer.fields,
            attempts: attempt,
            httpStatus: res.status,
          };
        return {
          status: "refused",
          reply: answer.reply,
          error: "the webhook answered ok: false",
          attempts: attempt,
          httpStatus: res.status,
        };
      }
      error = `HTTP ${res.status}`;
      if (!(res.status >= 500 || RETRYABLE.has(res.status)))
        return { status: "refused", reply: answer.reply, error, attempts: attempt, httpStatus: res.status };
    } catch (cause) {
      error =
        cause instanceof Error && (cause.name === "TimeoutError" || cause.name === "AbortError")
          ? `no answer within ${action.timeoutMs} ms`
          : cause instanceof Error
            ? `${cause.name}: ${cause.message}`
            : String(cause);
    }
  }
  return { status: "failed", error, attempts };
}
