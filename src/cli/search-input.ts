/**
 * What `textkit search build` indexes: the documents of a folder split into passages, one
 * document, or the rows of a table, each with where it came from for error messages.
 */
import { isUtf8 } from "node:buffer";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, extname, join, relative, sep } from "node:path";
import { compareCodePoints, TextkitError } from "../core/index.ts";
import { readObjects, showJson, TABLE_FORMATS, type TableFormat } from "../data/index.ts";
import {
  PASSAGE_FORMATS,
  type PassageFormat,
  type RetrievalItemInput,
  splitDocument,
} from "../models/retrieval/index.ts";

export const SEARCH_INPUT_FORMATS = [...PASSAGE_FORMATS, ...TABLE_FORMATS] as const;
export type SearchInputFormat = (typeof SEARCH_INPUT_FORMATS)[number];

/** The flags of `search build` that say what to read and how. */
export interface InputFlags {
  input: string;
  format?: SearchInputFormat;
  textColumn?: string;
  idColumn?: string;
  titleColumn?: string;
  maxChars: number;
  minChars: number;
}

const FORMAT_BY_EXTENSION: Readonly<Record<string, SearchInputFormat>> = {
  ".md": "markdown",
  ".markdown": "markdown",
  ".html": "html",
  ".htm": "html",
  ".txt": "text",
  ".csv": "csv",
  ".tsv": "tsv",
  ".jsonl": "jsonl",
  ".ndjson": "jsonl",
};

/** Items read from the input, with where each came from for error messages. */
export interface ReadItems {
  items: RetrievalItemInput[];
  /** "file:line" or "file" of each item, in the same order. */
  origins: string[];
  files: number;
  skipped: number;
}

function formatOfFile(path: string, asked: SearchInputFormat | undefined): SearchInputFormat {
  if (asked !== undefined) return asked;
  const extension = extname(path).toLowerCase();
  const format = Object.hasOwn(FORMAT_BY_EXTENSION, extension) ? FORMAT_BY_EXTENSION[extension] : undefined;
  if (format === undefined) {
    throw new TextkitError(
      "DATA_UNKNOWN_FORMAT",
      `cannot tell the format of ${path} from its extension; pass --format (${SEARCH_INPUT_FORMATS.join(", ")})`,
      { file: path },
    );
  }
  return format;
}

function readDocument(path: string): string {
  const bytes = readFileSync(path);
  if (!isUtf8(bytes)) {
    throw new TextkitError("DATA_INVALID_UTF8", `${path} is not valid UTF-8`, { file: path });
  }
  const text = bytes.toString("utf8");
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** The documents of a folder and its subfolders that retrieval reads, in code point order of their paths. */
function documentsIn(folder: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith(".")) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else {
        const format = FORMAT_BY_EXTENSION[extname(entry.name).toLowerCase()];
        if (format !== undefined && (PASSAGE_FORMATS as readonly string[]).includes(format)) out.push(path);
      }
    }
  };
  walk(folder);
  return out.sort(compareCodePoints);
}

function addPassages(
  path: string,
  source: string,
  format: PassageFormat,
  flags: InputFlags,
  out: ReadItems,
): void {
  const passages = splitDocument(readDocument(path), {
    format,
    source,
    maxChars: flags.maxChars,
    minChars: flags.minChars,
  });
  for (const p of passages) {
    out.items.push({
      id: p.id,
      text: p.text,
      title: p.title,
      source: p.source,
      meta: { start: p.start, end: p.end },
    });
    out.origins.push(path);
  }
  out.files++;
}

function cellText(value: unknown, path: string, line: number, column: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  throw new TextkitError("DATA_BAD_ROW", `line ${line}: "${column}" must be text, not ${showJson(value)}`, {
    file: path,
    line,
    column,
  });
}

/** One item per row of a CSV, TSV or JSONL file; the other fields of a row go to its meta. */
async function addRows(path: string, format: TableFormat, flags: InputFlags, out: ReadItems): Promise<void> {
  const textColumn = flags.textColumn ?? "text";
  const source = basename(path);
  for await (const batch of readObjects(path, { format })) {
    if (batch.names !== null && !batch.names.includes(textColumn)) {
      throw new TextkitError(
        "DATA_MISSING_COLUMN",
        `${path} has no column "${textColumn}" (it has ${batch.names.join(", ")}); pass --text-column`,
        { file: path, line: 1, column: textColumn },
      );
    }
    for (let r = 0; r < batch.rows.length; r++) {
      const row = batch.rows[r]!;
      const line = batch.lines[r]!;
      if (flags.idColumn !== undefined && !(flags.idColumn in row)) {
        throw new TextkitError("DATA_MISSING_COLUMN", `line ${line} has no "${flags.idColumn}"`, {
          file: path,
          line,
          column: flags.idColumn,
        });
      }
      if (batch.names === null && !(textColumn in row)) {
        throw new TextkitError(
          "DATA_MISSING_COLUMN",
          `line ${line} has no "${textColumn}"; pass --text-column`,
          {
            file: path,
            line,
            column: textColumn,
          },
        );
      }
      const text = cellText(row[textColumn], path, line, textColumn) ?? "";
      const idColumn = flags.idColumn ?? "id";
      const id = cellText(row[idColumn], path, line, idColumn) ?? `${source}:${line}`;
      const titleColumn = flags.titleColumn ?? "title";
      const title = cellText(row[titleColumn], path, line, titleColumn);
      if (text.trim().length === 0 && (title === null || title.trim().length === 0)) {
        out.skipped++;
        continue;
      }
      if (id.length === 0) {
        throw new TextkitError("DATA_BAD_ROW", `line ${line}: the id is empty`, {
          file: path,
          line,
          column: idColumn,
        });
      }
      const meta: Record<string, unknown> = { line };
      for (const [key, value] of Object.entries(row)) {
        if (key !== textColumn && key !== idColumn && key !== titleColumn && value !== null && value !== "") {
          meta[key] = value;
        }
      }
      out.items.push({ id, text, title, source, meta });
      out.origins.push(`${path}:${line}`);
    }
  }
  out.files++;
}

/** Everything `--input` names, as items. */
export async function readItems(flags: InputFlags): Promise<ReadItems> {
  const input = flags.input;
  let info: ReturnType<typeof statSync>;
  try {
    info = statSync(input);
  } catch (cause) {
    throw new TextkitError("DATA_FILE_NOT_FOUND", `no file or folder at ${input}`, { file: input, cause });
  }
  const out: ReadItems = { items: [], origins: [], files: 0, skipped: 0 };
  if (info.isDirectory()) {
    if (flags.format !== undefined) {
      throw new TextkitError(
        "OPTION_INVALID",
        "--format applies to one file; in a folder each file's extension (.md, .html, .txt) gives its format",
      );
    }
    for (const path of documentsIn(input)) {
      const source = relative(input, path).split(sep).join("/");
      // documentsIn keeps only document extensions, so this is markdown, html or text.
      const format = formatOfFile(path, undefined);
      if (format === "markdown" || format === "html" || format === "text")
        addPassages(path, source, format, flags, out);
    }
    if (out.files === 0) {
      throw new TextkitError("DATA_EMPTY", `${input} holds no .md, .html or .txt file`, { file: input });
    }
  } else {
    const format = formatOfFile(input, flags.format);
    if (format === "csv" || format === "tsv" || format === "jsonl") await addRows(input, format, flags, out);
    else addPassages(input, basename(input), format, flags, out);
  }
  if (out.items.length === 0) {
    throw new TextkitError("DATA_EMPTY", `${input} has no text to index`, { file: input });
  }
  const seen = new Map<string, number>();
  for (let i = 0; i < out.items.length; i++) {
    const id = out.items[i]!.id;
    const first = seen.get(id);
    if (first !== undefined) {
      const [file, line] = splitOrigin(out.origins[i]!);
      throw new TextkitError(
        "DATA_DUPLICATE_ID",
        `the id '${id}' is used twice: ${out.origins[first]} and ${out.origins[i]}`,
        { file, ...(line === undefined ? {} : { line }), details: { id } },
      );
    }
    seen.set(id, i);
  }
  return out;
}

function splitOrigin(origin: string): [string, number | undefined] {
  const m = /^(.*):(\d+)$/.exec(origin);
  return m === null ? [origin, undefined] : [m[1]!, Number(m[2])];
}
