/**
 * The options every command that reads a data file shares (--format, --text-column, ...),
 * declared once so that their names, defaults and help read the same everywhere.
 */
import { extname } from "node:path";
import { type Command, Option } from "commander";
import { TextkitError } from "../core/index.ts";
import { checkEncoding, DATA_FORMATS, type DataFormat, type ReadOptions } from "../data/index.ts";
import { parseChoice } from "./parse-options.ts";

/** What commander hands over for the shared data options. */
export interface DataFlags {
  format?: DataFormat;
  textColumn?: string;
  labelColumn?: string;
  labelSeparator?: string;
  header: boolean;
  skipEmpty?: boolean;
  encoding?: string;
}

/** The --encoding value, checked here so that a typo names the flag. */
function parseEncoding(value: string): string {
  try {
    checkEncoding(value);
  } catch (error) {
    const reason = error instanceof TextkitError ? error.message.replace(/^encoding /, "") : String(error);
    throw new TextkitError("OPTION_INVALID", `--encoding ${reason}`, {
      cause: error,
      details: { option: "--encoding", value },
    });
  }
  return value;
}

/**
 * Adds --format, --text-column, --label-column, --label-separator, --no-header,
 * --skip-empty and --encoding to a command that reads labelled data.
 */
export function addLabelledDataOptions(command: Command): Command {
  return command
    .addOption(
      new Option(
        "--format <format>",
        `file format: ${DATA_FORMATS.join(", ")} (default: from the file extension)`,
      ).argParser(parseChoice("--format", DATA_FORMATS)),
    )
    .option(
      "--text-column <name>",
      "CSV/TSV column or JSONL field with the text; several, joined: title,description (default: text)",
    )
    .option(
      "--label-column <name>",
      "CSV/TSV column or JSONL field with the label(s) (default: label, else labels)",
    )
    .option("--label-separator <sep>", "separates several labels in one CSV/TSV cell (default: |)")
    .option("--no-header", "CSV/TSV files have no header row; name columns by number, e.g. --text-column 2")
    .option(
      "--skip-empty",
      "skip rows whose text is empty, and say how many (default: such a row is an error)",
    )
    .addOption(
      new Option(
        "--encoding <name>",
        "character encoding of the files, e.g. latin1, windows-1252, gbk, shift_jis (default: utf-8)",
      ).argParser(parseEncoding),
    );
}

/**
 * `; 2 rows with empty text skipped (lines 4, 9)` for a dataset line, or "" when none were.
 *
 * @example
 * skippedNote([4, 9]); // "; 2 rows with empty text skipped (lines 4, 9)"
 */
export function skippedNote(lines: readonly number[]): string {
  if (lines.length === 0) return "";
  const shown = lines.slice(0, 10).join(", ");
  const more = lines.length > 10 ? ", ..." : "";
  const rows = lines.length === 1 ? "1 row" : `${lines.length} rows`;
  return `; ${rows} with empty text skipped (line${lines.length === 1 ? "" : "s"} ${shown}${more})`;
}

/**
 * The reader options the shared flags stand for. With --skip-empty, the line of every
 * skipped row is pushed onto `skipped` when it is given.
 */
export function readOptionsOf(flags: DataFlags, skipped?: number[]): ReadOptions {
  return {
    ...(flags.skipEmpty === true ? { skipEmptyText: true } : {}),
    ...(flags.skipEmpty === true && skipped !== undefined
      ? { onSkippedText: (line: number) => skipped.push(line) }
      : {}),
    ...(flags.encoding === undefined ? {} : { encoding: flags.encoding }),
    ...(flags.format === undefined ? {} : { format: flags.format }),
    ...(flags.textColumn === undefined ? {} : { textColumn: flags.textColumn }),
    ...(flags.labelColumn === undefined ? {} : { labelColumn: flags.labelColumn }),
    ...(flags.labelSeparator === undefined ? {} : { labelSeparator: flags.labelSeparator }),
    header: flags.header,
  };
}

/** Formats of unlabelled input: one text per line, or the text column of a data file. */
export const TEXT_INPUT_FORMATS = ["text", ...DATA_FORMATS] as const;
export type TextInputFormat = (typeof TEXT_INPUT_FORMATS)[number];

/** What commander hands over for the options of unlabelled input. */
export interface TextInputFlags {
  format?: TextInputFormat;
  textColumn?: string;
  header: boolean;
}

/** Adds --format, --text-column and --no-header to a command that reads texts without labels. */
export function addTextInputOptions(command: Command): Command {
  return command
    .addOption(
      new Option(
        "--format <format>",
        `input format: ${TEXT_INPUT_FORMATS.join(", ")} (default: csv, tsv or jsonl by the file extension, else text: one document per line)`,
      ).argParser(parseChoice("--format", TEXT_INPUT_FORMATS)),
    )
    .option("--text-column <name>", "CSV/TSV column or JSONL field with the text (default: text)")
    .option("--no-header", "CSV/TSV input has no header row; name the text column by number");
}

const TABLE_EXTENSIONS: Readonly<Record<string, TextInputFormat>> = {
  ".csv": "csv",
  ".tsv": "tsv",
  ".jsonl": "jsonl",
  ".ndjson": "jsonl",
};

/**
 * The format of unlabelled input: the one asked for, else CSV/TSV/JSONL by extension, else
 * plain text (a .txt file is plain text here, not fastText: predictions need no labels).
 *
 * @example
 * textInputFormat("inbox.jsonl", undefined); // "jsonl"
 * textInputFormat("inbox.txt", undefined); // "text"
 */
export function textInputFormat(path: string, asked: TextInputFormat | undefined): TextInputFormat {
  if (asked !== undefined) return asked;
  const extension = extname(path).toLowerCase();
  return Object.hasOwn(TABLE_EXTENSIONS, extension) ? TABLE_EXTENSIONS[extension]! : "text";
}
