/**
 * `textkit search`: build a retrieval index from documents or a table, and query it.
 */
import { isUtf8 } from "node:buffer";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, extname, join, relative, sep } from "node:path";
import { type Command, Option } from "commander";
import { compareCodePoints, TextkitError } from "../core/index.ts";
import { readObjects, showJson, TABLE_FORMATS, type TableFormat } from "../data/index.ts";
import {
  buildRetrievalIndex,
  DEFAULT_RETRIEVAL_OPTIONS,
  type IndexProgress,
  loadRetrievalIndex,
  PASSAGE_FORMATS,
  type PassageFormat,
  type RetrievalIndex,
  type RetrievalItemInput,
  type RetrievalOptions,
  resolveRetrievalOptions,
  SEARCH_MODES,
  type SearchHit,
  type SearchMode,
  searchHitJson,
  splitDocument,
  WordVectorEncoder,
} from "../models/retrieval/index.ts";
import { readInputTexts, STDIN_NAME } from "./input-texts.ts";
import { type CliIo, writeAll } from "./io.ts";
import { checkModelOutput } from "./output-paths.ts";
import { parseChoice, parseInteger, parseNumber } from "./parse-options.ts";
import { ProgressBar } from "./progress-bar.ts";

export const SEARCH_INPUT_FORMATS = [...PASSAGE_FORMATS, ...TABLE_FORMATS] as const;
export type SearchInputFormat = (typeof SEARCH_INPUT_FORMATS)[number];

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

/** What the vectors flag reads at most by default: fastText's .vec files hold millions of words. */
const DEFAULT_VECTORS_LIMIT = 100_000;

interface BuildFlags {
  input: string;
  out: string;
  vectors?: string;
  vectorsLimit: number;
  format?: SearchInputFormat;
  textColumn?: string;
  idColumn?: string;
  titleColumn?: string;
  maxChars: number;
  minChars: number;
  k1?: number;
  b?: number;
  vectorWeight?: number;
  title: boolean;
  json?: boolean;
  quiet?: boolean;
}

interface QueryFlags {
  index: string;
  k: number;
  mode?: SearchMode;
  threshold?: number;
  json?: boolean;
}

/** Items read from the input, with where each came from for error messages. */
interface ReadItems {
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
  flags: BuildFlags,
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
async function addRows(path: string, format: TableFormat, flags: BuildFlags, out: ReadItems): Promise<void> {
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
async function readItems(flags: BuildFlags): Promise<ReadItems> {
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

function optionsOf(flags: BuildFlags): RetrievalOptions {
  return resolveRetrievalOptions({
    ...(flags.k1 === undefined ? {} : { k1: flags.k1 }),
    ...(flags.b === undefined ? {} : { b: flags.b }),
    ...(flags.vectorWeight === undefined ? {} : { vectorWeight: flags.vectorWeight }),
    includeTitle: flags.title,
  });
}

async function runBuild(flags: BuildFlags, io: CliIo): Promise<void> {
  // Refuse bad settings and a bad output path before reading anything.
  const options = optionsOf(flags);
  if (flags.minChars > flags.maxChars) {
    throw new TextkitError(
      "OPTION_INVALID",
      `--min-chars (${flags.minChars}) must not exceed --max-chars (${flags.maxChars})`,
    );
  }
  checkModelOutput(flags.out, "--out");
  const bar = new ProgressBar(io.stderr, { quiet: flags.quiet });
  const read = await readItems(flags);
  const skipped = read.skipped > 0 ? `, ${read.skipped} rows without text skipped` : "";
  bar.log(
    `input: ${read.items.length} items from ${read.files} file${read.files === 1 ? "" : "s"}${skipped}`,
  );
  const encoder =
    flags.vectors === undefined
      ? undefined
      : await WordVectorEncoder.fromVecFile(flags.vectors, { limit: flags.vectorsLimit });
  if (encoder !== undefined)
    bar.log(`vectors: ${encoder.words.length} words of dimension ${encoder.dim} (${flags.vectors})`);
  const began = performance.now();
  let index: RetrievalIndex;
  let phase: IndexProgress["phase"] | null = null;
  try {
    index = await buildRetrievalIndex(read.items, options, encoder, {
      onProgress: (p: IndexProgress) => {
        if (p.phase !== phase) {
          phase = p.phase;
          bar.log(phase === "terms" ? "indexing terms (BM25)" : "encoding vectors (SIF)");
        }
        bar.update({
          epoch: p.phase === "terms" ? 1 : 2,
          epochs: encoder === undefined ? 1 : 2,
          progress: p.progress,
          speed: p.speed,
          unit: "texts",
          etaSeconds: p.etaSeconds,
        });
      },
    });
  } finally {
    bar.finish();
  }
  const seconds = (performance.now() - began) / 1000;
  await index.save(flags.out);
  const summary = {
    index: flags.out,
    items: index.size,
    files: read.files,
    skipped: read.skipped,
    terms: index.bm25.terms.length,
    vectors: index.encoderInfo,
    defaultMode: index.defaultMode,
    seconds,
    options: index.options,
  };
  if (flags.json === true) {
    await writeAll(io.stdout, `${JSON.stringify(summary, null, 2)}\n`);
    return;
  }
  const vectors =
    index.encoderInfo === null ? "none" : `${index.encoderInfo.dim} dimensions (${index.encoderInfo.id})`;
  await writeAll(
    io.stdout,
    `indexed ${index.size} items in ${seconds.toFixed(2)} s: ${summary.terms} terms, vectors ${vectors}\n` +
      `default mode: ${index.defaultMode}\nindex: ${flags.out}\n`,
  );
}

function quote(text: string, width = 160): string {
  const flat = text.replace(/\s+/g, " ");
  return flat.length > width ? `${flat.slice(0, width - 1)}…` : flat;
}

function formatHits(hits: readonly SearchHit[]): string {
  if (hits.length === 0) return "no match\n";
  let out = "";
  hits.forEach((h, i) => {
    const scores = `bm25 ${h.bm25.toFixed(3)}${h.vector === null ? "" : `, vector ${h.vector.toFixed(3)}`}`;
    out += `${i + 1}. ${h.score.toFixed(3)}  ${h.id}${h.item.title === null ? "" : `  ${h.item.title}`}  (${scores})\n`;
    out += `   ${quote(h.item.text)}\n`;
  });
  return out;
}

async function runQuery(question: string[], flags: QueryFlags, io: CliIo): Promise<void> {
  const index = await loadRetrievalIndex(flags.index, { allowMissingEncoder: true });
  const searchOptions = { k: flags.k, ...(flags.mode === undefined ? {} : { mode: flags.mode }) };
  const threshold = flags.threshold ?? 0;
  const keep = (hits: SearchHit[]) => hits.filter((h) => h.score >= threshold);
  if (question.length > 0) {
    const query = question.join(" ");
    const hits = keep(index.search(query, searchOptions));
    await writeAll(
      io.stdout,
      flags.json === true
        ? `${JSON.stringify({ query, hits: hits.map(searchHitJson) })}\n`
        : formatHits(hits),
    );
    return;
  }
  if (io.stdin.isTTY === true)
    io.stderr.write("reading questions from standard input, one per line (Ctrl-D ends)\n");
  const batches = readInputTexts(STDIN_NAME, {
    format: "text",
    header: false,
    batchSize: 256,
    stream: io.stdin,
  });
  for await (const batch of batches) {
    const results = index.searchMany(
      batch.map((b) => b.text),
      searchOptions,
    );
    let out = "";
    for (let i = 0; i < batch.length; i++) {
      const { text, line } = batch[i]!;
      out += `${JSON.stringify({ query: text, line, hits: keep(results[i]!).map(searchHitJson) })}\n`;
    }
    if (!(await writeAll(io.stdout, out))) return;
  }
}

/**
 * `textkit search build` and `textkit search query`.
 *
 * @example
 * registerSearch(program, io);
 */
export function registerSearch(program: Command, io: CliIo): Command {
  const search = program
    .command("search")
    .summary("build and query search indexes over documents (BM25, word vectors, hybrid)")
    .description(
      "Retrieval: index passages of documents (Markdown, HTML, plain text) or rows of a table, by " +
        "their terms (BM25, English and Chinese) and, with --vectors, by word vectors; then find the " +
        "best passages for a question. Scores are in [0, 1] and comparable across questions.",
    );
  const d = DEFAULT_RETRIEVAL_OPTIONS;
  search
    .command("build")
    .summary("index documents or a table")
    .description(
      "Index a file or a folder. A folder: every .md, .html and .txt file in it and its subfolders, " +
        "split into passages (headings become titles; long paragraphs are cut at sentence ends). A " +
        ".csv, .tsv or .jsonl file: one item per row (--text-column, --id-column, --title-column; " +
        "other columns are kept with the item). --vectors adds word vectors (a .vec file of " +
        "'textkit vectors train' or fastText) averaged with SIF weights, for vector and hybrid search.",
    )
    .requiredOption("--input <path>", "a folder of documents, or one document or table file")
    .requiredOption("--out <dir>", "index directory to write (replaced atomically once it is built)")
    .option("--vectors <file>", "a .vec file of word vectors, for vector and hybrid search")
    .addOption(
      new Option("--vectors-limit <n>", "read at most this many words of the .vec file, the first ones")
        .argParser(parseInteger("--vectors-limit", 1))
        .default(DEFAULT_VECTORS_LIMIT),
    )
    .addOption(
      new Option(
        "--format <format>",
        `format of a file: ${SEARCH_INPUT_FORMATS.join(", ")} (default: from its extension)`,
      ).argParser(parseChoice("--format", SEARCH_INPUT_FORMATS)),
    )
    .option("--text-column <name>", "table column or JSONL field with the text (default: text)")
    .option("--id-column <name>", "column with each row's id (default: id if there is one, else file:line)")
    .option("--title-column <name>", "column with each row's title (default: title if there is one)")
    .addOption(
      new Option("--max-chars <n>", "longest passage of a document, in characters")
        .argParser(parseInteger("--max-chars", 1))
        .default(800),
    )
    .addOption(
      new Option("--min-chars <n>", "shorter paragraphs join a neighbour of the same section")
        .argParser(parseInteger("--min-chars", 0))
        .default(80),
    )
    .addOption(
      new Option("--k1 <x>", `BM25 term-frequency saturation (default: ${d.k1})`).argParser(
        parseNumber("--k1", 0),
      ),
    )
    .addOption(
      new Option("--b <x>", `BM25 length normalisation, 0..1 (default: ${d.b})`).argParser(
        parseNumber("--b", 0),
      ),
    )
    .addOption(
      new Option(
        "--vector-weight <w>",
        `share of the cosine in the hybrid score, 0..1 (default: ${d.vectorWeight})`,
      ).argParser(parseNumber("--vector-weight", 0)),
    )
    .option("--no-title", "do not index titles with the text (they are still returned)")
    .option("--json", "print a JSON summary instead of text")
    .option("-q, --quiet", "no progress line on stderr")
    .addHelpText(
      "after",
      "\nExamples:\n" +
        "  textkit search build --input docs/ --vectors vectors/en.vec --out models/help\n" +
        "  textkit search build --input faq.csv --text-column question --id-column id --out models/faq\n",
    )
    .action(async (flags: BuildFlags) => runBuild(flags, io));

  search
    .command("query")
    .summary("find the best items for a question")
    .description(
      "Search an index for a question given as arguments, or for each line of standard input " +
        '(one JSON line per question: {"query", "line", "hits"}). Each hit has a score in [0, 1] ' +
        "(bm25, vector or their weighted mean), both parts, and the item.",
    )
    .argument("[question...]", "the question (all arguments, joined by spaces); none: read standard input")
    .requiredOption("--index <dir>", "an index directory written by 'textkit search build'")
    .addOption(new Option("--k <n>", "most hits per question").argParser(parseInteger("--k", 1)).default(5))
    .addOption(
      new Option(
        "--mode <mode>",
        "bm25, vector or hybrid (default: hybrid when the index has vectors, else bm25)",
      ).argParser(parseChoice("--mode", SEARCH_MODES)),
    )
    .addOption(
      new Option("--threshold <x>", "leave out hits scoring below this, 0..1").argParser(
        parseNumber("--threshold", 0),
      ),
    )
    .option("--json", "print the hits of a question as one JSON line")
    .addHelpText(
      "after",
      "\nExamples:\n" +
        '  textkit search query --index models/help "how do I block my card"\n' +
        "  textkit search query --index models/help --mode bm25 --k 3 --json < questions.txt\n",
    )
    .action(async (question: string[], flags: QueryFlags) => runQuery(question, flags, io));
  return search;
}
