import { extname } from "node:path";
import { TextkitError } from "../core/index.ts";
import type { DataFormat } from "./example.ts";

const FORMAT_BY_EXTENSION: Readonly<Record<string, DataFormat>> = {
  ".csv": "csv",
  ".tsv": "tsv",
  ".jsonl": "jsonl",
  ".ndjson": "jsonl",
  ".txt": "fasttext",
  ".ft": "fasttext",
  ".fasttext": "fasttext",
};

/**
 * The format a file's extension stands for (case does not matter): .csv, .tsv,
 * .jsonl/.ndjson, and .txt/.ft/.fasttext for fastText's `__label__` lines.
 *
 * @example
 * detectFormat("data/train.jsonl"); // "jsonl"
 */
export function detectFormat(path: string): DataFormat {
  const extension = extname(path).toLowerCase();
  const format = Object.hasOwn(FORMAT_BY_EXTENSION, extension) ? FORMAT_BY_EXTENSION[extension] : undefined;
  if (format !== undefined) return format;
  const known = Object.keys(FORMAT_BY_EXTENSION).join(", ");
  const advice =
    extension === ".json"
      ? "a .json file is not JSON Lines: if it holds one object per line, name it .jsonl"
      : extension === ".gz" || extension === ".zip"
        ? "compressed files are not read directly: decompress it first"
        : "rename it or pass the format (csv, tsv, jsonl, fasttext)";
  throw new TextkitError(
    "DATA_UNKNOWN_FORMAT",
    `cannot tell the format of ${path}: ${extension === "" ? "it has no extension" : `its extension "${extension}" is not one of ${known}`}; ${advice}`,
    { file: path },
  );
}
