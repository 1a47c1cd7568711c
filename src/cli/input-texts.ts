import { TextkitError } from "../core/index.ts";
import { readExampleBatches, readTextLines, type TextLine } from "../data/index.ts";
import { type TextInputFormat, textInputFormat } from "./data-options.ts";
import { readStreamLines } from "./stream-lines.ts";

export interface InputTextOptions {
  format: TextInputFormat;
  textColumn?: string;
  header: boolean;
  /** Most texts per batch. */
  batchSize: number;
  /** Read this stream (plain text only) instead of the file; `path` then names it in errors. */
  stream?: AsyncIterable<Uint8Array | string>;
}

/** The input in arrays of any size, in order. */
async function* sourceBlocks(path: string, options: InputTextOptions): AsyncGenerator<readonly TextLine[]> {
  if (options.stream !== undefined) {
    if (options.format !== "text") {
      throw new TextkitError(
        "OPTION_INVALID",
        `--format ${options.format} reads a file: pass it with --input (standard input is read as text, one document per line)`,
      );
    }
    yield* readStreamLines(options.stream, path);
  } else if (options.format === "text") {
    let block: TextLine[] = [];
    for await (const item of readTextLines(path)) {
      block.push(item);
      if (block.length === options.batchSize) {
        yield block;
        block = [];
      }
    }
    if (block.length > 0) yield block;
  } else {
    yield* readExampleBatches(path, {
      format: options.format,
      header: options.header,
      requireLabels: false,
      skipEmptyText: true,
      ...(options.textColumn === undefined ? {} : { textColumn: options.textColumn }),
    });
  }
}

/**
 * Streams the texts of unlabelled input (a file, or `options.stream`) in batches of at most
 * `batchSize`, in order, never holding the whole input. Blank lines of plain text and rows
 * with empty text are skipped; each text keeps its 1-based line so that output can be
 * matched to input. A stream's batches end where what it has sent so far ends, so that a
 * person typing lines, or a slow producer, gets answers without waiting for a full batch.
 *
 * @example
 * for await (const batch of readInputTexts("inbox.txt", { format: "text", header: true, batchSize: 256 })) {
 *   console.log(batch.length);
 * }
 */
export async function* readInputTexts(path: string, options: InputTextOptions): AsyncGenerator<TextLine[]> {
  const { batchSize } = options;
  const flushEachBlock = options.stream !== undefined;
  let batch: TextLine[] = [];
  for await (const block of sourceBlocks(path, options)) {
    for (const item of block) {
      // Examples carry labels too; keep only what the output needs.
      batch.push({ text: item.text, line: item.line });
      if (batch.length === batchSize) {
        yield batch;
        batch = [];
      }
    }
    if (flushEachBlock && batch.length > 0) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/**
 * The texts alone, one by one, for trainers that take a stream of documents.
 *
 * @example
 * await trainVectors(inputTexts("corpus.txt", { format: "text", header: true, batchSize: 1024 }));
 */
export async function* inputTexts(path: string, options: InputTextOptions): AsyncGenerator<string> {
  for await (const batch of readInputTexts(path, options)) for (const item of batch) yield item.text;
}

/** How errors name standard input. */
export const STDIN_NAME = "<stdin>";

/** The flags of a command that reads texts to predict from --input or standard input. */
export interface PredictInputFlags {
  input?: string;
  format?: TextInputFormat;
  textColumn?: string;
  header: boolean;
  batchSize: number;
}

/**
 * The batches of texts a predict command reads: --input, or standard input when it is
 * absent or "-" (saying so when a person is typing at a terminal).
 *
 * @example
 * for await (const batch of predictInput(flags, io)) write(model.predict(batch.map((b) => b.text)));
 */
export function predictInput(
  flags: PredictInputFlags,
  io: {
    stdin: AsyncIterable<Uint8Array | string> & { isTTY?: boolean };
    stderr: { write(text: string): unknown };
  },
): AsyncGenerator<TextLine[]> {
  const fromStdin = flags.input === undefined || flags.input === "-";
  if (fromStdin && io.stdin.isTTY === true) {
    io.stderr.write("reading texts from standard input, one per line (Ctrl-D ends)\n");
  }
  const path = fromStdin ? STDIN_NAME : flags.input!;
  return readInputTexts(path, {
    format: fromStdin ? (flags.format ?? "text") : textInputFormat(path, flags.format),
    header: flags.header,
    batchSize: flags.batchSize,
    ...(flags.textColumn === undefined ? {} : { textColumn: flags.textColumn }),
    ...(fromStdin ? { stream: io.stdin } : {}),
  });
}
