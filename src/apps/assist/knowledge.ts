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
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { extname, join, relative } from "node:path";
import { TextkitError } from "../../core/index.ts";
import { DEFAULT_SETTINGS, readFaqCsv, readFaqFile, readIntents, readSettings } from "./knowledge-rules.ts";
import { SourceFile } from "./knowledge-source.ts";
import type { Knowledge, KnowledgeDocument } from "./knowledge-types.ts";

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

/** The name a document is known by in answers and tests ("doc:card-security.md"). */
export function documentRef(name: string): string {
  return `doc:${name}`;
}
