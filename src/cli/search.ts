/**
 * `textkit search`: build a retrieval index from documents or a table, and query it.
 */
import { resolve } from "node:path";
import { type Command, Option } from "commander";
import { TextkitError } from "../core/index.ts";
import type { OnnxEncoder } from "../models/encoder/index.ts";
import {
  type AnyPassageEncoder,
  buildRetrievalIndex,
  DEFAULT_RETRIEVAL_OPTIONS,
  type IndexProgress,
  loadRetrievalIndex,
  type RetrievalIndex,
  type RetrievalOptions,
  resolveRetrievalOptions,
  retrievalEncoderNeed,
  SEARCH_MODES,
  type SearchHit,
  type SearchMode,
  SentencePassageEncoder,
  searchHitJson,
  WordVectorEncoder,
} from "../models/retrieval/index.ts";
import { openEncoder } from "./encoder-head.ts";
import { readInputTexts, STDIN_NAME } from "./input-texts.ts";
import { type CliIo, writeAll } from "./io.ts";
import { checkModelOutput } from "./output-paths.ts";
import { parseChoice, parseInteger, parseNumber } from "./parse-options.ts";
import { ProgressBar } from "./progress-bar.ts";
import { type InputFlags, readItems, SEARCH_INPUT_FORMATS } from "./search-input.ts";

/** What the vectors flag reads at most by default: fastText's .vec files hold millions of words. */
const DEFAULT_VECTORS_LIMIT = 100_000;

/** The pretrained-encoder flags of both subcommands. */
interface EncoderFlags {
  encoder?: string;
  encoderThreads?: number;
  encoderCache?: string;
}

interface BuildFlags extends InputFlags, EncoderFlags {
  out: string;
  vectors?: string;
  vectorsLimit: number;
  k1?: number;
  b?: number;
  vectorWeight?: number;
  title: boolean;
  json?: boolean;
  quiet?: boolean;
}

interface QueryFlags extends EncoderFlags {
  index: string;
  k: number;
  mode?: SearchMode;
  threshold?: number;
  json?: boolean;
}

function optionsOf(flags: BuildFlags): RetrievalOptions {
  return resolveRetrievalOptions({
    ...(flags.k1 === undefined ? {} : { k1: flags.k1 }),
    ...(flags.b === undefined ? {} : { b: flags.b }),
    ...(flags.vectorWeight === undefined ? {} : { vectorWeight: flags.vectorWeight }),
    includeTitle: flags.title,
  });
}

/** The encoder `search build` was asked for: word vectors (--vectors) or a pretrained one (--encoder). */
async function passageEncoderOf(flags: BuildFlags): Promise<{
  passages: AnyPassageEncoder;
  describe: string;
  method: string;
  close: () => Promise<void>;
} | null> {
  if (flags.vectors !== undefined && flags.encoder !== undefined) {
    throw new TextkitError(
      "OPTION_INVALID",
      "--vectors and --encoder both give the index its vectors: pass one of them",
    );
  }
  if (flags.vectors !== undefined) {
    const words = await WordVectorEncoder.fromVecFile(flags.vectors, { limit: flags.vectorsLimit });
    return {
      passages: words,
      describe: `vectors: ${words.words.length} words of dimension ${words.dim} (${flags.vectors})`,
      method: "SIF",
      close: async () => {},
    };
  }
  if (flags.encoder === undefined) return null;
  const onnx = await openEncoder(flags.encoder, flags);
  return {
    passages: new SentencePassageEncoder(onnx, { path: resolve(flags.encoder) }),
    describe: `encoder: ${onnx.id}, ${onnx.dim} dimensions, ${onnx.info.pooling} pooling (${flags.encoder})`,
    method: onnx.id,
    close: () => onnx.close(),
  };
}

/**
 * The pretrained encoder an index needs for vector and hybrid search, opened from --encoder
 * or the folder it was built with; none for an index without one or a bm25 search.
 */
async function queryEncoderOf(flags: QueryFlags): Promise<OnnxEncoder | null> {
  const need = await retrievalEncoderNeed(flags.index);
  if (need === null) {
    if (flags.encoder !== undefined) {
      throw new TextkitError(
        "OPTION_INVALID",
        `--encoder applies to an index built with a pretrained encoder; ${flags.index} was not`,
      );
    }
    return null;
  }
  if (flags.mode === "bm25") return null;
  return openEncoder(flags.encoder ?? need.path ?? "", flags);
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
  const opened = await passageEncoderOf(flags);
  const encoder = opened?.passages;
  if (opened !== null) bar.log(opened.describe);
  const began = performance.now();
  let index: RetrievalIndex;
  let phase: IndexProgress["phase"] | null = null;
  try {
    index = await buildRetrievalIndex(read.items, options, encoder, {
      onProgress: (p: IndexProgress) => {
        if (p.phase !== phase) {
          phase = p.phase;
          bar.log(phase === "terms" ? "indexing terms (BM25)" : `encoding vectors (${opened?.method})`);
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
    await opened?.close();
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
  const onnx = await queryEncoderOf(flags);
  try {
    const encoder = onnx === null ? null : new SentencePassageEncoder(onnx, { path: flags.encoder ?? null });
    const index = await loadRetrievalIndex(flags.index, {
      allowMissingEncoder: true,
      ...(encoder === null ? {} : { encoder }),
    });
    await answerQueries(index, question, flags, io);
  } finally {
    await onnx?.close();
  }
}

async function answerQueries(
  index: RetrievalIndex,
  question: string[],
  flags: QueryFlags,
  io: CliIo,
): Promise<void> {
  const searchOptions = { k: flags.k, ...(flags.mode === undefined ? {} : { mode: flags.mode }) };
  const threshold = flags.threshold ?? 0;
  const keep = (hits: SearchHit[]) => hits.filter((h) => h.score >= threshold);
  if (question.length > 0) {
    const query = question.join(" ");
    const hits = keep(await index.searchAsync(query, searchOptions));
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
    const results = await index.searchManyAsync(
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

function encoderThreadsOption(): Option {
  return new Option(
    "--encoder-threads <n>",
    "threads of the encoder's runtime (default: every core)",
  ).argParser(parseInteger("--encoder-threads", 1));
}

/** `textkit search build`. */
function registerSearchBuild(search: Command, io: CliIo): void {
  const d = DEFAULT_RETRIEVAL_OPTIONS;
  search
    .command("build")
    .summary("index documents or a table")
    .description(
      "Index a file or a folder. A folder: every .md, .html and .txt file in it and its subfolders, " +
        "split into passages (headings become titles; long paragraphs are cut at sentence ends). A " +
        ".csv, .tsv or .jsonl file: one item per row (--text-column, --id-column, --title-column; " +
        "other columns are kept with the item). --vectors adds word vectors (a .vec file of " +
        "'textkit vectors train' or fastText) averaged with SIF weights, and --encoder a pretrained " +
        "encoder's sentence embeddings, for vector and hybrid search.",
    )
    .requiredOption("--input <path>", "a folder of documents, or one document or table file")
    .requiredOption("--out <dir>", "index directory to write (replaced atomically once it is built)")
    .option("--vectors <file>", "a .vec file of word vectors, for vector and hybrid search")
    .option(
      "--encoder <dir>",
      "a pretrained encoder's folder (Hugging Face layout with an ONNX file): its sentence embeddings give the vectors, for vector and hybrid search; the index names it by checksum",
    )
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
    .addOption(encoderThreadsOption())
    .option(
      "--encoder-cache <dir>",
      "with --encoder: keep embeddings here, keyed by the encoder's checksum and the text",
    )
    .option("--json", "print a JSON summary instead of text")
    .option("-q, --quiet", "no progress line on stderr")
    .addHelpText(
      "after",
      "\nExamples:\n" +
        "  textkit search build --input docs/ --vectors vectors/en.vec --out models/help\n" +
        "  textkit search build --input faq.csv --text-column question --id-column id --out models/faq\n" +
        "  textkit search build --input docs/ --encoder encoders/minilm --out models/help-dense\n",
    )
    .action(async (flags: BuildFlags) => runBuild(flags, io));
}

/** `textkit search query`. */
function registerSearchQuery(search: Command, io: CliIo): void {
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
    .option(
      "--encoder <dir>",
      "for an index built with a pretrained encoder: its folder (default: the folder it was built with); another encoder is refused",
    )
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
    .addOption(encoderThreadsOption())
    .option("--json", "print the hits of a question as one JSON line")
    .addHelpText(
      "after",
      "\nExamples:\n" +
        '  textkit search query --index models/help "how do I block my card"\n' +
        "  textkit search query --index models/help --mode bm25 --k 3 --json < questions.txt\n",
    )
    .action(async (question: string[], flags: QueryFlags) => runQuery(question, flags, io));
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
  registerSearchBuild(search, io);
  registerSearchQuery(search, io);
  return search;
}
