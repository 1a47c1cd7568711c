/**
 * The rules an intent, an FAQ and the settings must follow, checked on a file's value with
 * errors naming the file and line; shared by the folder reader and the admin routes.
 */
import { dirname, resolve } from "node:path";
import type { Static } from "@sinclair/typebox";
import { isOneOf, TextkitError } from "../../core/index.ts";
import { readObjects } from "../../data/index.ts";
import { detectLanguage, TEXT_LANGUAGES, type TextLanguage } from "../../text/index.ts";
import {
  type ActionEntry,
  checkKnowledge,
  FaqFileSchema,
  type IntentEntry,
  IntentsFileSchema,
  requiredText,
  SettingsFileSchema,
  type SlotEntries,
  textOf,
} from "./knowledge-schema.ts";
import type { SourceFile } from "./knowledge-source.ts";
import type { AssistantSettings, Faq, Intent, IntentAction, Knowledge, SlotSpec } from "./knowledge-types.ts";

export const DEFAULT_ACTION_TIMEOUT_MS = 5000;
export const DEFAULT_ACTION_RETRIES = 2;
/** A key's place in a file: ["intents", 2, "slots", "amount"]. */
type KeyPath = readonly (string | number)[];

const ID = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
const SLOT_REF = /\{([^{}]*)\}/g;
export const DEFAULT_SETTINGS: AssistantSettings = {
  name: "assistant",
  description: "",
  languages: ["en", "zh"],
  handover: {
    en: "I'm not sure I can help with that, so I'm passing you to a colleague, who will reply here.",
    zh: "这个问题我暂时无法回答，已为您转接人工客服，请稍候。",
  },
  fallback: { en: "Here is what I found:", zh: "以下是找到的相关内容：" },
};

function slotsOf(file: SourceFile, slots: SlotEntries | null | undefined, path: KeyPath): SlotSpec[] {
  return Object.entries(slots ?? {}).map(([name, s]) => {
    const at = [...path, name];
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
      throw file.error(at, "a slot's name is letters, digits and _");
    const entity = textOf(s.entity);
    const pattern = textOf(s.pattern);
    if ((entity === null) === (pattern === null)) {
      throw file.error(
        at,
        "give a slot exactly one of entity (an entity type such as MONEY) or pattern (a regular expression)",
      );
    }
    if (pattern !== null) {
      try {
        new RegExp(pattern, "iu");
      } catch (cause) {
        throw file.error(
          [...at, "pattern"],
          `is not a valid regular expression: ${cause instanceof Error ? cause.message : String(cause)}`,
        );
      }
    }
    const optional = s.optional === true;
    const prompt = textOf(s.prompt);
    const fallback = textOf(s.default);
    if (!optional && prompt === null && fallback === null) {
      throw file.error(
        at,
        "a required slot needs a prompt, the question asked when it is missing (or make it optional with a default)",
      );
    }
    return { name, entity, pattern, prompt, optional, default: fallback };
  });
}

/** Texts of a list, each trimmed; a blank one is refused. */
function textsOf(
  file: SourceFile,
  list: (string | number | boolean)[] | null | undefined,
  path: KeyPath,
): string[] {
  return (list ?? []).map((v, i) => requiredText(file, v, [...path, i]));
}

function actionOf(file: SourceFile, a: ActionEntry | null | undefined, path: KeyPath): IntentAction | null {
  if (a === undefined || a === null) return null;
  const url = requiredText(file, a.url, [...path, "url"]);
  let parsed: URL | null = null;
  try {
    parsed = new URL(url);
  } catch {
    parsed = null;
  }
  if (parsed === null || (parsed.protocol !== "http:" && parsed.protocol !== "https:"))
    throw file.error([...path, "url"], `"${url}" is not an http:// or https:// URL`);
  const fields = textsOf(file, a.fields, [...path, "fields"]);
  for (const [i, f] of fields.entries()) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(f))
      throw file.error([...path, "fields", i], `"${f}" is not a field name: letters, digits and _`);
  }
  return {
    url,
    secret: textOf(a.secret),
    timeoutMs: a.timeoutMs ?? DEFAULT_ACTION_TIMEOUT_MS,
    retries: a.retries ?? DEFAULT_ACTION_RETRIES,
    fields,
    failure: textOf(a.failure),
  };
}

/** Refuses a {name} in `template` that is neither a slot nor (when `fields` is given) an action field. */
function checkReferences(
  file: SourceFile,
  template: string,
  path: KeyPath,
  id: string,
  slots: SlotSpec[],
  fields: string[] | null,
): void {
  for (const m of template.matchAll(SLOT_REF)) {
    const name = (m[1] ?? "").trim();
    if (slots.some((s) => s.name === name) || (fields ?? []).includes(name)) continue;
    throw file.error(
      path,
      fields === null
        ? `names the slot {${name}}, which intent "${id}" does not declare under slots`
        : `names {${name}}, which intent "${id}" declares neither under slots nor under action.fields`,
    );
  }
}

/** An id of letters, digits, _ and -, not used by an earlier intent (`seen`: id to file:line). */
function intentId(file: SourceFile, r: IntentEntry, at: KeyPath, seen: Map<string, string>): string {
  const id = requiredText(file, r.id, [...at, "id"]);
  if (!ID.test(id)) throw file.error([...at, "id"], `"${id}" is not an id: letters, digits, _ and -`);
  const line = file.line(at);
  const where = `${file.path}:${line}`;
  const earlier = seen.get(id);
  if (earlier !== undefined) {
    throw new TextkitError(
      "DATA_DUPLICATE_ID",
      `${where}: the intent id "${id}" is used already, at ${earlier}`,
      {
        file: file.path,
        line,
        details: { id },
      },
    );
  }
  seen.set(id, where);
  return id;
}

function intentOf(file: SourceFile, r: IntentEntry, at: KeyPath, seen: Map<string, string>): Intent {
  const id = intentId(file, r, at, seen);
  const examples = textsOf(file, r.examples, [...at, "examples"]);
  if (examples.length === 0)
    throw file.error(
      [...at, "examples"],
      `intent "${id}" has no examples; give it at least one (ten or more work well)`,
    );
  const answer = requiredText(file, r.answer, [...at, "answer"]);
  const slots = slotsOf(file, r.slots, [...at, "slots"]);
  const action = actionOf(file, r.action, [...at, "action"]);
  checkReferences(file, answer, [...at, "answer"], id, slots, action === null ? null : action.fields);
  const confirmRaw = r.confirm ?? null;
  if (typeof confirmRaw === "string") checkReferences(file, confirmRaw, [...at, "confirm"], id, slots, null);
  if (action !== null && r.handover === true)
    throw file.error(
      [...at, "handover"],
      "an intent with an action is not handed over after its answer; remove handover or the action",
    );
  return {
    id,
    lang: r.lang ?? null,
    description: textOf(r.description) ?? "",
    examples,
    answer,
    slots,
    handover: r.handover === true,
    confirm: typeof confirmRaw === "string" ? true : (confirmRaw ?? action !== null),
    confirmPrompt: typeof confirmRaw === "string" ? confirmRaw.trim() : null,
    action,
    file: file.path,
    line: file.line(at),
  };
}

/** Reads intents.yaml (or an admin request's intents) into `knowledge`; `seen` holds the intent ids read so far. */
export function readIntents(file: SourceFile, knowledge: Knowledge, seen: Map<string, string>): void {
  const top = checkKnowledge(file, IntentsFileSchema);
  for (const [i, raw] of (top.intents ?? []).entries()) {
    knowledge.intents.push(intentOf(file, raw, ["intents", i], seen));
  }
  for (const t of textsOf(file, top.out_of_scope, ["out_of_scope"])) {
    knowledge.outOfScope.push({ text: t, lang: detectLanguage(t) });
  }
}

function addFaq(knowledge: Knowledge, faq: Faq, seen: Map<string, string>): void {
  const where = `${faq.file}:${faq.line}`;
  const earlier = seen.get(faq.id);
  if (earlier !== undefined) {
    throw new TextkitError(
      "DATA_DUPLICATE_ID",
      `${where}: the FAQ id "${faq.id}" is used already, at ${earlier}`,
      {
        file: faq.file,
        line: faq.line,
        details: { id: faq.id },
      },
    );
  }
  seen.set(faq.id, where);
  knowledge.faqs.push(faq);
}

/** Reads faq.yaml (or an admin request's FAQs) into `knowledge`; `seen` holds the FAQ ids read so far. */
export function readFaqFile(file: SourceFile, knowledge: Knowledge, seen: Map<string, string>): void {
  const top = checkKnowledge(file, FaqFileSchema);
  for (const [i, r] of (top.faqs ?? []).entries()) {
    const at: KeyPath = ["faqs", i];
    const id = requiredText(file, r.id, [...at, "id"]);
    if (!ID.test(id)) throw file.error([...at, "id"], `"${id}" is not an id: letters, digits, _ and -`);
    addFaq(
      knowledge,
      {
        id,
        lang: r.lang ?? null,
        question: requiredText(file, r.question, [...at, "question"]),
        alternatives: textsOf(file, r.alternatives, [...at, "alternatives"]),
        answer: requiredText(file, r.answer, [...at, "answer"]),
        file: file.path,
        line: file.line(at),
      },
      seen,
    );
  }
}

export async function readFaqCsv(
  path: string,
  knowledge: Knowledge,
  seen: Map<string, string>,
): Promise<void> {
  for await (const batch of readObjects(path, {})) {
    batch.rows.forEach((row, i) => {
      const line = batch.lines[i]!;
      const bad = (message: string) =>
        new TextkitError("KNOWLEDGE_INVALID", `${path}:${line}: ${message}`, { file: path, line });
      const get = (key: string): string | null => {
        const v = row[key];
        if (v === undefined || v === null) return null;
        // A JSONL field may hold a list or an object, which String() would recurse through.
        if (typeof v === "object") throw bad(`the field "${key}" must be a text`);
        const t = String(v).trim();
        return t === "" ? null : t;
      };
      const id = get("id") ?? `faq-${line}`;
      const question = get("question");
      const answer = get("answer");
      if (question === null) throw bad("the question is empty");
      if (answer === null) throw bad("the answer is empty");
      const l = get("lang");
      if (l !== null && !isOneOf(l, TEXT_LANGUAGES))
        throw bad(`lang "${l}" is not one of ${TEXT_LANGUAGES.join(", ")}`);
      addFaq(
        knowledge,
        {
          id,
          lang: l,
          question,
          alternatives: [],
          answer,
          file: path,
          line,
        },
        seen,
      );
    });
  }
}

type PerLanguageEntry = NonNullable<Static<typeof SettingsFileSchema>["handover"]>;

/** A setting given once for every language, or per language (a language left out keeps its default). */
function perLanguage(value: PerLanguageEntry | null | undefined, fallback: Record<TextLanguage, string>) {
  if (value === undefined || value === null) return { ...fallback };
  if (typeof value !== "object") {
    const t = textOf(value);
    return t === null ? { ...fallback } : { en: t, zh: t };
  }
  return { en: textOf(value.en) ?? fallback.en, zh: textOf(value.zh) ?? fallback.zh };
}

/** Reads assistant.yaml: the assistant's name, languages, handover and fallback texts, language model. */
export function readSettings(file: SourceFile): AssistantSettings {
  const r = checkKnowledge(file, SettingsFileSchema);
  const name = textOf(r.name) ?? DEFAULT_SETTINGS.name;
  if (!ID.test(name)) throw file.error(["name"], `"${name}" is not a name: letters, digits, _ and -`);
  return {
    name,
    description: textOf(r.description) ?? "",
    languages: r.languages ?? [...DEFAULT_SETTINGS.languages],
    handover: perLanguage(r.handover, DEFAULT_SETTINGS.handover),
    fallback: perLanguage(r.fallback, DEFAULT_SETTINGS.fallback),
    ...languageModel(file, r.language),
  };
}

/**
 * assistant.yaml's `language`: a model path (relative to the knowledge folder) or "auto",
 * or `{ model, minScore }`.
 */
function languageModel(
  file: SourceFile,
  value: Static<typeof SettingsFileSchema>["language"],
): Pick<AssistantSettings, "language"> {
  if (value === undefined || value === null) return {};
  const r = typeof value === "string" ? { model: value, minScore: null } : value;
  const model = requiredText(file, r.model, ["language", "model"]);
  return {
    language: {
      model: model === "auto" ? model : resolve(dirname(file.path), model),
      minScore: r.minScore ?? 0.5,
    },
  };
}
