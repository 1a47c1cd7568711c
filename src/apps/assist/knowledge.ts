/**
 * What the assistant knows, read from a folder:
 *
 *   assistant.yaml   settings (name, languages, handover and fallback messages)
 *   intents*.yaml    intents (examples, answer template, slots, handover, confirm, action webhook)
 *                    and out_of_scope examples
 *   faq.yaml | faq.csv   question/answer pairs (with alternative phrasings)
 *   docs/            help articles (.md, .html, .txt), split into passages for retrieval
 *
 * JSON files (intents*.json, faq.json, assistant.json) are read the same way. Everything is
 * checked before anything is trained: a mistake is KNOWLEDGE_INVALID (or DATA_DUPLICATE_ID)
 * naming the file and line.
 */
import { isUtf8 } from "node:buffer";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { extname, join, relative } from "node:path";
import { Composer, type CST, type Document, isAlias, LineCounter, type Node, Parser, visit } from "yaml";
import { TextkitError } from "../../core/index.ts";
import { readObjects } from "../../data/index.ts";
import { detectLanguage, TEXT_LANGUAGES, type TextLanguage } from "../../text/index.ts";

export interface SlotSpec {
  name: string;
  /** Filled from the tagger's entities of this type (MONEY, DATE, LOC, ...). */
  entity: string | null;
  /** Or from this pattern (case-insensitive; the first group, else the whole match, is the value). */
  pattern: string | null;
  /** Asked when the slot is required and missing. */
  prompt: string | null;
  optional: boolean;
  default: string | null;
}

/**
 * A webhook an intent calls to carry out what it promises (`action:` in the YAML). The
 * assistant POSTs the intent, its slots and the conversation id as JSON, signed with the
 * secret, and answers from what the webhook says: never a template claiming an action the
 * webhook did not confirm.
 */
export interface IntentAction {
  url: string;
  /** Signs each request (X-Textkit-Signature: sha256=<HMAC of the body>); null sends it unsigned. */
  secret: string | null;
  /** How long one attempt may take. */
  timeoutMs: number;
  /** Attempts after the first one, on a network error, a timeout, 408, 429 or a 5xx. */
  retries: number;
  /** Names the answer template may use besides the slots, filled from the webhook's `fields`. */
  fields: string[];
  /** Said when the webhook fails (default: a message in the reply's language saying it is not known to have happened). */
  failure: string | null;
}

export const DEFAULT_ACTION_TIMEOUT_MS = 5000;
export const DEFAULT_ACTION_RETRIES = 2;
const MAX_ACTION_TIMEOUT_MS = 60_000;
const MAX_ACTION_RETRIES = 5;

export interface Intent {
  id: string;
  lang: TextLanguage | null;
  description: string;
  examples: string[];
  answer: string;
  slots: SlotSpec[];
  /** Answer, then hand the conversation to a person. */
  handover: boolean;
  /**
   * Ask the customer to confirm (yes/no) once the slots are filled, before answering or
   * calling the action (always when there is an action, unless `confirm: false`). Absent in
   * assistants trained before confirmation existed.
   */
  confirm?: boolean;
  /** The confirmation question with {slot} references; null: a default listing the slots. */
  confirmPrompt?: string | null;
  /** The webhook that carries the intent out; null: the answer template is the whole reply. */
  action?: IntentAction | null;
  /** Where it was defined, for messages. */
  file: string;
  line: number;
}

export interface Faq {
  id: string;
  lang: TextLanguage | null;
  question: string;
  alternatives: string[];
  answer: string;
  file: string;
  line: number;
}

export interface KnowledgeDocument {
  /** The file's path relative to docs/, e.g. "card-security.md". */
  name: string;
  format: "markdown" | "html" | "text";
  text: string;
}

export interface AssistantSettings {
  name: string;
  description: string;
  languages: TextLanguage[];
  /** Said when the assistant hands over, per language. */
  handover: Record<TextLanguage, string>;
  /** Said before a passage found in the documents, per language. */
  fallback: Record<TextLanguage, string>;
}

export interface Knowledge {
  dir: string;
  settings: AssistantSettings;
  intents: Intent[];
  outOfScope: { text: string; lang: TextLanguage }[];
  faqs: Faq[];
  documents: KnowledgeDocument[];
}

const ID = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
const SLOT_REF = /\{([^{}]*)\}/g;
const DEFAULT_SETTINGS: AssistantSettings = {
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
export const MAX_KNOWLEDGE_DEPTH = 64;

/**
 * Aliases a knowledge file may hold, and expansions they may make: a few are fine, an alias
 * bomb is not. The library finds each alias's anchor by a walk of the whole document, so the
 * number of aliases also bounds the time.
 */
const MAX_ALIASES = 100;
const MAX_ALIAS_COUNT = 100;

/** The offset of the first collection in `token` nested deeper than `max`, or -1. Walks without recursion. */
function tooDeepAt(token: CST.Token, max: number): number {
  const stack: [CST.Token, number][] = [[token, 0]];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const [node, depth] = next;
    if (node.type === "document") {
      if (node.value !== undefined) stack.push([node.value, depth]);
    } else if (node.type === "block-map" || node.type === "block-seq" || node.type === "flow-collection") {
      if (depth + 1 > max) return node.offset;
      // Pushed last to first, so that the walk goes in document order and names the first place.
      for (let i = node.items.length - 1; i >= 0; i--) {
        const item = node.items[i]!;
        if (item.value !== undefined) stack.push([item.value, depth + 1]);
        if (item.key !== undefined && item.key !== null) stack.push([item.key, depth + 1]);
      }
    }
  }
  return -1;
}

/**
 * Largest YAML or JSON knowledge file read, 4 MiB: hand-written intents and FAQs are far
 * smaller, and the YAML library takes about 3 microseconds a line (a file of 50 MB of
 * blank lines took minutes), so the limit bounds the time. Long FAQ lists go in faq.csv.
 */
export const MAX_KNOWLEDGE_FILE_BYTES = 4 * 1024 * 1024;

/** The text of a knowledge file, which must be UTF-8; DATA_FILE_NOT_FOUND or DATA_INVALID_UTF8 naming the line. */
function readSourceText(path: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (cause) {
    const code = cause instanceof Error && "code" in cause ? String(cause.code) : String(cause);
    throw new TextkitError("DATA_FILE_NOT_FOUND", `${path} cannot be read (${code})`, { file: path, cause });
  }
  if (bytes.length > MAX_KNOWLEDGE_FILE_BYTES) {
    throw new TextkitError(
      "KNOWLEDGE_INVALID",
      `${path} is ${bytes.length} bytes, more than the ${MAX_KNOWLEDGE_FILE_BYTES / (1024 * 1024)} MiB a YAML or JSON knowledge file may have; put long FAQ lists in faq.csv`,
      { file: path },
    );
  }
  if (isUtf8(bytes)) return bytes.toString("utf8");
  let line = 1;
  let start = 0;
  for (;;) {
    const newline = bytes.indexOf(10, start);
    const end = newline === -1 ? bytes.length : newline;
    if (!isUtf8(bytes.subarray(start, end)) || newline === -1) break;
    start = end + 1;
    line++;
  }
  throw new TextkitError(
    "DATA_INVALID_UTF8",
    `${path}:${line}: line ${line} is not valid UTF-8; convert the file to UTF-8`,
    { file: path, line },
  );
}

/** One YAML or JSON file with line numbers for its nodes. */
class SourceFile {
  readonly lines = new LineCounter();
  readonly root: unknown;
  private readonly doc: Document.Parsed;

  /** `text` is the file's content when it does not come from disk (an admin request's body). */
  constructor(
    readonly path: string,
    text: string = readSourceText(path),
  ) {
    this.doc = this.parse(text);
    const first = this.doc.errors[0];
    if (first !== undefined) {
      const line = first.linePos?.[0]?.line ?? this.lines.linePos(first.pos[0]).line;
      throw new TextkitError("KNOWLEDGE_INVALID", `${path}:${line}: ${first.message.split("\n")[0]}`, {
        file: path,
        line,
      });
    }
    this.root = this.toJS();
  }

  /**
   * Parses with the YAML library's own steps (what parseDocument does), so that the
   * nesting is checked on the syntax tree, which the library builds without recursion,
   * before the steps that recurse.
   */
  private parse(text: string): Document.Parsed {
    const tokens = Array.from(new Parser(this.lines.addNewLine).parse(text));
    for (const token of tokens) {
      const at = tooDeepAt(token, MAX_KNOWLEDGE_DEPTH);
      if (at !== -1) {
        const line = this.lines.linePos(at).line;
        throw new TextkitError(
          "KNOWLEDGE_INVALID",
          `${this.path}:${line}: lists and mappings are nested more than ${MAX_KNOWLEDGE_DEPTH} deep here; a knowledge file needs a handful of levels`,
          { file: this.path, line },
        );
      }
    }
    // logLevel "error": a mapping key that is a list is refused by the checks that follow;
    // the library would also print a warning of its own to standard error.
    const composer = new Composer({ uniqueKeys: true, prettyErrors: false, logLevel: "error" });
    const docs = Array.from(composer.compose(tokens, true, text.length));
    const doc = docs[0]!;
    if (docs.length > 1) {
      const line = this.lines.linePos(docs[1]!.range[0]).line;
      throw new TextkitError(
        "KNOWLEDGE_INVALID",
        `${this.path}:${line}: a second YAML document starts here; a knowledge file holds one`,
        { file: this.path, line },
      );
    }
    return doc;
  }

  /** The document as plain values, after its aliases are checked. */
  private toJS(): unknown {
    // In document order, as the library resolves them: an alias takes the last anchor before it.
    const anchors = new Set<string>();
    let aliases = 0;
    let firstAlias = -1;
    let unresolved: { source: string; offset: number } | null = null;
    visit(this.doc, {
      Node: (_, node) => {
        if (isAlias(node)) {
          const offset = node.range?.[0] ?? 0;
          if (firstAlias === -1) firstAlias = offset;
          aliases++;
          if (!anchors.has(node.source) || aliases > MAX_ALIASES) {
            unresolved = { source: node.source, offset };
            return visit.BREAK;
          }
        } else if (node.anchor !== undefined) {
          anchors.add(node.anchor);
        }
        return undefined;
      },
    });
    if (unresolved !== null) {
      const { source, offset } = unresolved;
      const line = this.lines.linePos(offset).line;
      throw new TextkitError(
        "KNOWLEDGE_INVALID",
        aliases > MAX_ALIASES
          ? `${this.path}:${line}: more than ${MAX_ALIASES} aliases (*name); write the values out instead`
          : `${this.path}:${line}: the alias *${source} names no anchor &${source} set before it`,
        { file: this.path, line },
      );
    }
    try {
      return this.doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (cause) {
      // The library throws a ReferenceError when aliases expand too far (an alias bomb).
      const line = firstAlias === -1 ? 1 : this.lines.linePos(firstAlias).line;
      throw new TextkitError(
        "KNOWLEDGE_INVALID",
        `${this.path}:${line}: the aliases (*name) from here on expand to too many values; write the values out instead`,
        { file: this.path, line, cause },
      );
    }
  }

  /** The line of the node at `path` (keys and indices), or of its nearest ancestor. */
  line(path: readonly (string | number)[]): number {
    for (let n = path.length; n >= 0; n--) {
      const node = this.doc.getIn(path.slice(0, n), true) as Node | undefined;
      if (node !== undefined && node !== null && typeof node === "object" && "range" in node && node.range) {
        return this.lines.linePos(node.range[0]).line;
      }
    }
    return 1;
  }

  error(path: readonly (string | number)[], message: string): TextkitError {
    const line = this.line(path);
    const where =
      path.length === 0
        ? ""
        : `${path
            .map((p) => (typeof p === "number" ? `[${p}]` : `.${p}`))
            .join("")
            .slice(1)}: `;
    return new TextkitError("KNOWLEDGE_INVALID", `${this.path}:${line}: ${where}${message}`, {
      file: this.path,
      line,
      details: { path: path.join(".") },
    });
  }
}

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
  if (!(TEXT_LANGUAGES as readonly string[]).includes(l))
    throw file.error(path, `must be one of ${TEXT_LANGUAGES.join(", ")}`);
  return l as TextLanguage;
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

function readIntents(file: SourceFile, knowledge: Knowledge, seen: Map<string, string>): void {
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

function readFaqFile(file: SourceFile, knowledge: Knowledge, seen: Map<string, string>): void {
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

async function readFaqCsv(path: string, knowledge: Knowledge, seen: Map<string, string>): Promise<void> {
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
      if (l !== null && !(TEXT_LANGUAGES as readonly string[]).includes(l))
        throw bad(`lang "${l}" is not one of ${TEXT_LANGUAGES.join(", ")}`);
      addFaq(
        knowledge,
        {
          id,
          lang: (l as TextLanguage | null) ?? null,
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

function readSettings(file: SourceFile): AssistantSettings {
  const r = record(file, file.root ?? {}, [], ["name", "description", "languages", "handover", "fallback"]);
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
  languages.forEach((l, i) => {
    if (!(TEXT_LANGUAGES as readonly string[]).includes(l))
      throw file.error(["languages", i], `must be one of ${TEXT_LANGUAGES.join(", ")}`);
  });
  const name = text(file, r["name"], ["name"], false) ?? DEFAULT_SETTINGS.name;
  if (!ID.test(name)) throw file.error(["name"], `"${name}" is not a name: letters, digits, _ and -`);
  return {
    name,
    description: text(file, r["description"], ["description"], false) ?? "",
    languages: languages as TextLanguage[],
    handover: perLanguage("handover"),
    fallback: perLanguage("fallback"),
  };
}

const DOC_FORMATS: Record<string, KnowledgeDocument["format"]> = {
  ".md": "markdown",
  ".markdown": "markdown",
  ".html": "html",
  ".htm": "html",
  ".txt": "text",
};

function readDocuments(dir: string, root: string, out: KnowledgeDocument[]): void {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) readDocuments(path, root, out);
    else if (DOC_FORMATS[extname(entry.name).toLowerCase()] !== undefined) {
      const bytes = readFileSync(path);
      const content = new TextDecoder("utf-8", { fatal: true });
      let value: string;
      try {
        value = content.decode(bytes);
      } catch (cause) {
        throw new TextkitError("DATA_INVALID_UTF8", `${path} is not UTF-8`, { file: path, cause });
      }
      out.push({
        name: relative(root, path).split("\\").join("/"),
        format: DOC_FORMATS[extname(entry.name).toLowerCase()]!,
        text: value,
      });
    }
  }
}

/**
 * Reads and checks a knowledge folder.
 *
 * @example
 * const knowledge = await loadKnowledge("samples/assist");
 * knowledge.intents.length; // 32
 */
export async function loadKnowledge(dir: string): Promise<Knowledge> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new TextkitError(
      "DATA_FILE_NOT_FOUND",
      `${dir} is not a folder of knowledge (intents.yaml, faq.yaml, docs/)`,
      { file: dir },
    );
  }
  const names = readdirSync(dir).sort();
  const settingsFile = names.find((n) => /^assistant\.(ya?ml|json)$/.test(n));
  const knowledge: Knowledge = {
    dir,
    settings:
      settingsFile === undefined
        ? structuredClone(DEFAULT_SETTINGS)
        : readSettings(new SourceFile(join(dir, settingsFile))),
    intents: [],
    outOfScope: [],
    faqs: [],
    documents: [],
  };
  const intentIds = new Map<string, string>();
  for (const n of names.filter((n) => /^intents[\w.-]*\.(ya?ml|json)$/.test(n)))
    readIntents(new SourceFile(join(dir, n)), knowledge, intentIds);
  const faqIds = new Map<string, string>();
  for (const n of names.filter((n) => /^faqs?[\w.-]*\.(ya?ml|json)$/.test(n)))
    readFaqFile(new SourceFile(join(dir, n)), knowledge, faqIds);
  for (const n of names.filter((n) => /^faqs?[\w.-]*\.(csv|tsv|jsonl)$/.test(n)))
    await readFaqCsv(join(dir, n), knowledge, faqIds);
  if (existsSync(join(dir, "docs"))) readDocuments(join(dir, "docs"), join(dir, "docs"), knowledge.documents);
  if (knowledge.intents.length === 0 && knowledge.faqs.length === 0 && knowledge.documents.length === 0) {
    throw new TextkitError(
      "DATA_EMPTY",
      `${dir} holds no knowledge: add intents.yaml (intents with examples and answers), faq.yaml or a docs/ folder`,
      { file: dir },
    );
  }
  if (knowledge.intents.length === 1) {
    const only = knowledge.intents[0]!;
    throw new TextkitError(
      "KNOWLEDGE_INVALID",
      `${only.file}:${only.line}: there is one intent ("${only.id}"); an assistant needs at least two to tell apart (or none, to answer from the FAQ and documents only)`,
      { file: only.file, line: only.line },
    );
  }
  return knowledge;
}

/** What an admin request sends: an intent or an FAQ as one would be written in the files (JSON). */
export type KnowledgeItemKind = "intent" | "faq";

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

/** The name a document is known by in answers and tests ("doc:card-security.md"). */
export function documentRef(name: string): string {
  return `doc:${name}`;
}
