/**
 * The rules an intent, an FAQ and the settings must follow, checked on a file's value with
 * errors naming the file and line; shared by the folder reader and the admin routes.
 */
import { dirname, resolve } from "node:path";
import { isOneOf, TextkitError } from "../../core/index.ts";
import { readObjects } from "../../data/index.ts";
import { detectLanguage, TEXT_LANGUAGES, type TextLanguage } from "../../text/index.ts";
import type { SourceFile } from "./knowledge-source.ts";
import type { AssistantSettings, Faq, IntentAction, Knowledge, SlotSpec } from "./knowledge-types.ts";

export const DEFAULT_ACTION_TIMEOUT_MS = 5000;
export const DEFAULT_ACTION_RETRIES = 2;
const MAX_ACTION_TIMEOUT_MS = 60_000;
const MAX_ACTION_RETRIES = 5;

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

/**
 * Deepest nesting of collections a knowledge file may have: the format itself needs five
 * (intents, an intent, its slots, a slot, a list), and the YAML library recurses once per
 * level, so a file nested thousands deep would overflow the stack (issue 15).
 */
function record(
  file: SourceFile,
  value: unknown,
  path: (string | number)[],
  known: readonly string[],
): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw file.error(path, "must be a mapping of keys to values");
  }
  for (const key of Object.keys(value)) {
    if (!known.includes(key))
      throw file.error([...path, key], `is not a setting here; the settings are ${known.join(", ")}`);
  }
  return value as Record<string, unknown>;
}

function text(file: SourceFile, value: unknown, path: (string | number)[], required: boolean): string | null {
  if (value === undefined || value === null) {
    if (required) throw file.error(path, "is required");
    return null;
  }
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (typeof value !== "string") throw file.error(path, "must be a text");
  const t = value.trim();
  if (t === "" && required) throw file.error(path, "must not be empty");
  return t === "" ? null : t;
}

function texts(file: SourceFile, value: unknown, path: (string | number)[]): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw file.error(path, "must be a list of texts");
  return value.map((v, i) => text(file, v, [...path, i], true)!);
}

function lang(file: SourceFile, value: unknown, path: (string | number)[]): TextLanguage | null {
  const l = text(file, value, path, false);
  if (l === null) return null;
  if (!isOneOf(l, TEXT_LANGUAGES)) throw file.error(path, `must be one of ${TEXT_LANGUAGES.join(", ")}`);
  return l;
}

function slotsOf(file: SourceFile, value: unknown, path: (string | number)[]): SlotSpec[] {
  if (value === undefined || value === null) return [];
  const map = record(file, value, path, Object.keys(value as object));
  return Object.entries(map).map(([name, spec]) => {
    const at = [...path, name];
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
      throw file.error(at, "a slot's name is letters, digits and _");
    const s = record(file, spec, at, ["entity", "pattern", "prompt", "optional", "default"]);
    const entity = text(file, s["entity"], [...at, "entity"], false);
    const pattern = text(file, s["pattern"], [...at, "pattern"], false);
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
    const optional = s["optional"] === true;
    if (s["optional"] !== undefined && typeof s["optional"] !== "boolean")
      throw file.error([...at, "optional"], "must be true or false");
    const prompt = text(file, s["prompt"], [...at, "prompt"], false);
    const fallback = text(file, s["default"], [...at, "default"], false);
    if (!optional && prompt === null && fallback === null) {
      throw file.error(
        at,
        "a required slot needs a prompt, the question asked when it is missing (or make it optional with a default)",
      );
    }
    return { name, entity, pattern, prompt, optional, default: fallback };
  });
}

function integer(
  file: SourceFile,
  value: unknown,
  path: (string | number)[],
  least: number,
  most: number,
  fallback: number,
): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < least || value > most)
    throw file.error(path, `must be a whole number from ${least} to ${most}`);
  return value;
}

function actionOf(file: SourceFile, value: unknown, path: (string | number)[]): IntentAction | null {
  if (value === undefined || value === null) return null;
  const a = record(file, value, path, ["url", "secret", "timeoutMs", "retries", "fields", "failure"]);
  const url = text(file, a["url"], [...path, "url"], true)!;
  let parsed: URL | null = null;
  try {
    parsed = new URL(url);
  } catch {
    parsed = null;
  }
  if (parsed === null || (parsed.protocol !== "http:" && parsed.protocol !== "https:"))
    throw file.error([...path, "url"], `"${url}" is not an http:// or https:// URL`);
  if (a["secret"] !== undefined && a["secret"] !== null && typeof a["secret"] !== "string")
    throw file.error([...path, "secret"], "must be a text (the shared secret the requests are signed with)");
  const fields = texts(file, a["fields"], [...path, "fields"]);
  fields.forEach((f, i) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(f))
      throw file.error([...path, "fields", i], `"${f}" is not a field name: letters, digits and _`);
  });
  return {
    url,
    secret: text(file, a["secret"], [...path, "secret"], false),
    timeoutMs: integer(
      file,
      a["timeoutMs"],
      [...path, "timeoutMs"],
      1,
      MAX_ACTION_TIMEOUT_MS,
      DEFAULT_ACTION_TIMEOUT_MS,
    ),
    retries: integer(file, a["retries"], [...path, "retries"], 0, MAX_ACTION_RETRIES, DEFAULT_ACTION_RETRIES),
    fields,
    failure: text(file, a["failure"], [...path, "failure"], false),
  };
}

// Long (~100 lines): an intent's checks, field by field in file order, each a few lines.
export function readIntents(file: SourceFile, knowledge: Knowledge, seen: Map<string, string>): void {
  const top = record(file, file.root ?? {}, [], ["intents", "out_of_scope"]);
  const list = top["intents"] ?? [];
  if (!Array.isArray(list)) throw file.error(["intents"], "must be a list of intents");
  list.forEach((raw, i) => {
    const at: (string | number)[] = ["intents", i];
    const r = record(file, raw, at, [
      "id",
      "lang",
      "description",
      "examples",
      "answer",
      "slots",
      "handover",
      "confirm",
      "action",
    ]);
    const id = text(file, r["id"], [...at, "id"], true)!;
    if (!ID.test(id)) throw file.error([...at, "id"], `"${id}" is not an id: letters, digits, _ and -`);
    const where = `${file.path}:${file.line(at)}`;
    const earlier = seen.get(id);
    if (earlier !== undefined) {
      throw new TextkitError(
        "DATA_DUPLICATE_ID",
        `${where}: the intent id "${id}" is used already, at ${earlier}`,
        {
          file: file.path,
          line: file.line(at),
          details: { id },
        },
      );
    }
    seen.set(id, where);
    const examples = texts(file, r["examples"], [...at, "examples"]);
    if (examples.length === 0)
      throw file.error(
        [...at, "examples"],
        `intent "${id}" has no examples; give it at least one (ten or more work well)`,
      );
    const answer = text(file, r["answer"], [...at, "answer"], true)!;
    const slots = slotsOf(file, r["slots"], [...at, "slots"]);
    const action = actionOf(file, r["action"], [...at, "action"]);
    for (const m of answer.matchAll(SLOT_REF)) {
      const name = m[1]!.trim();
      if (!slots.some((s) => s.name === name) && !(action?.fields ?? []).includes(name)) {
        throw file.error(
          [...at, "answer"],
          action === null
            ? `names the slot {${name}}, which intent "${id}" does not declare under slots`
            : `names {${name}}, which intent "${id}" declares neither under slots nor under action.fields`,
        );
      }
    }
    if (r["handover"] !== undefined && typeof r["handover"] !== "boolean")
      throw file.error([...at, "handover"], "must be true or false");
    const confirmRaw = r["confirm"];
    if (confirmRaw !== undefined && confirmRaw !== null && typeof confirmRaw !== "boolean") {
      if (typeof confirmRaw !== "string" || confirmRaw.trim() === "")
        throw file.error(
          [...at, "confirm"],
          "must be true, false, or the question that asks to confirm (with {slot} references)",
        );
      for (const m of confirmRaw.matchAll(SLOT_REF)) {
        const name = m[1]!.trim();
        if (!slots.some((s) => s.name === name))
          throw file.error(
            [...at, "confirm"],
            `names the slot {${name}}, which intent "${id}" does not declare under slots`,
          );
      }
    }
    if (action !== null && r["handover"] === true)
      throw file.error(
        [...at, "handover"],
        "an intent with an action is not handed over after its answer; remove handover or the action",
      );
    const confirm =
      typeof confirmRaw === "string" ? true : typeof confirmRaw === "boolean" ? confirmRaw : action !== null;
    knowledge.intents.push({
      id,
      lang: lang(file, r["lang"], [...at, "lang"]),
      description: text(file, r["description"], [...at, "description"], false) ?? "",
      examples,
      answer,
      slots,
      handover: r["handover"] === true,
      confirm,
      confirmPrompt: typeof confirmRaw === "string" ? confirmRaw.trim() : null,
      action,
      file: file.path,
      line: file.line(at),
    });
  });
  for (const t of texts(file, top["out_of_scope"], ["out_of_scope"])) {
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

export function readFaqFile(file: SourceFile, knowledge: Knowledge, seen: Map<string, string>): void {
  const top = record(file, file.root ?? {}, [], ["faqs"]);
  const list = top["faqs"] ?? [];
  if (!Array.isArray(list)) throw file.error(["faqs"], "must be a list of questions and answers");
  list.forEach((raw, i) => {
    const at: (string | number)[] = ["faqs", i];
    const r = record(file, raw, at, ["id", "lang", "question", "alternatives", "answer"]);
    const id = text(file, r["id"], [...at, "id"], true)!;
    if (!ID.test(id)) throw file.error([...at, "id"], `"${id}" is not an id: letters, digits, _ and -`);
    addFaq(
      knowledge,
      {
        id,
        lang: lang(file, r["lang"], [...at, "lang"]),
        question: text(file, r["question"], [...at, "question"], true)!,
        alternatives: texts(file, r["alternatives"], [...at, "alternatives"]),
        answer: text(file, r["answer"], [...at, "answer"], true)!,
        file: file.path,
        line: file.line(at),
      },
      seen,
    );
  });
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

export function readSettings(file: SourceFile): AssistantSettings {
  const r = record(
    file,
    file.root ?? {},
    [],
    ["name", "description", "languages", "handover", "fallback", "language"],
  );
  const perLanguage = (key: "handover" | "fallback"): Record<TextLanguage, string> => {
    const v = r[key];
    if (v === undefined || v === null) return { ...DEFAULT_SETTINGS[key] };
    if (typeof v === "string") return { en: v, zh: v };
    const m = record(file, v, [key], TEXT_LANGUAGES);
    return {
      en: text(file, m["en"], [key, "en"], false) ?? DEFAULT_SETTINGS[key].en,
      zh: text(file, m["zh"], [key, "zh"], false) ?? DEFAULT_SETTINGS[key].zh,
    };
  };
  const languages =
    r["languages"] === undefined
      ? [...DEFAULT_SETTINGS.languages]
      : texts(file, r["languages"], ["languages"]);
  const checkedLanguages = languages.map((l, i) => {
    if (!isOneOf(l, TEXT_LANGUAGES))
      throw file.error(["languages", i], `must be one of ${TEXT_LANGUAGES.join(", ")}`);
    return l;
  });
  const name = text(file, r["name"], ["name"], false) ?? DEFAULT_SETTINGS.name;
  if (!ID.test(name)) throw file.error(["name"], `"${name}" is not a name: letters, digits, _ and -`);
  return {
    name,
    description: text(file, r["description"], ["description"], false) ?? "",
    languages: checkedLanguages,
    handover: perLanguage("handover"),
    fallback: perLanguage("fallback"),
    ...languageModel(file, r["language"]),
  };
}

/**
 * assistant.yaml's `language`: a model path (relative to the knowledge folder) or "auto",
 * or `{ model, minScore }`.
 */
function languageModel(file: SourceFile, value: unknown): Pick<AssistantSettings, "language"> {
  if (value === undefined || value === null) return {};
  const r =
    typeof value === "string" ? { model: value } : record(file, value, ["language"], ["model", "minScore"]);
  const model = text(file, r["model"], ["language", "model"], true) ?? "auto";
  const minScore = r["minScore"] ?? 0.5;
  if (typeof minScore !== "number" || !(minScore >= 0 && minScore <= 1))
    throw file.error(["language", "minScore"], "must be a probability from 0 to 1");
  return { language: { model: model === "auto" ? model : resolve(dirname(file.path), model), minScore } };
}
