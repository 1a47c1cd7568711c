import { readCsvBatches } from "./csv-reader.ts";
import { detectFormat } from "./detect-format.ts";
import { checkReadOptions, type Example, type ReadOptions } from "./example.ts";
import { DEFAULT_MAX_RECORD_BYTES } from "./line-blocks.ts";
import { readFastTextBatches, readJsonlBatches } from "./line-formats.ts";
import { readTsvBatches } from "./tsv-reader.ts";

/**
 * Streams the examples of a data file in batches (one per block of about 64 KiB read), in
 * file order. Cheaper than `readExamples` when a caller keeps every example anyway.
 * Throws TextkitError (DATA_*) for the first bad record, with its file and line.
 *
 * @example
 * let count = 0;
 * for await (const batch of readExampleBatches("train.csv")) count += batch.length;
 */
export async function* readExampleBatches(
  path: string,
  options: ReadOptions = {},
): AsyncGenerator<Example[]> {
  checkReadOptions(options);
  const format = options.format ?? detectFormat(path);
  const requireLabels = options.requireLabels ?? true;
  const maxRecordBytes = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  const skipEmptyText = options.skipEmptyText ?? false;
  const onSkippedText = options.onSkippedText;
  const encoding = options.encoding;
  if (format === "csv" || format === "tsv") {
    const tableOptions = {
      delimiter: options.delimiter ?? (format === "tsv" ? "\t" : ","),
      header: options.header ?? true,
      textColumn: options.textColumn,
      labelColumn: options.labelColumn,
      labelSeparator: options.labelSeparator ?? "|",
      requireLabels,
      skipEmptyText,
      maxRecordBytes,
      ...(onSkippedText === undefined ? {} : { onSkippedText }),
      ...(encoding === undefined ? {} : { encoding }),
    };
    yield* format === "csv" ? readCsvBatches(path, tableOptions) : readTsvBatches(path, tableOptions);
    return;
  }
  const lineOptions = {
    requireLabels,
    skipEmptyText,
    maxRecordBytes,
    ...(onSkippedText === undefined ? {} : { onSkippedText }),
    ...(encoding === undefined ? {} : { encoding }),
    textField: options.textColumn ?? "text",
    labelField: options.labelColumn,
  };
  yield* format === "jsonl" ? readJsonlBatches(path, lineOptions) : readFastTextBatches(path, lineOptions);
}

/**
 * Streams the examples of a CSV, TSV, JSONL or fastText file one by one, in file order,
 * never holding the whole file. Throws TextkitError (DATA_*) for the first bad record,
 * with its file and line.
 *
 * @example
 * for await (const example of readExamples("train.jsonl")) console.log(example.line, example.labels, example.text);
 */
export async function* readExamples(path: string, options: ReadOptions = {}): AsyncGenerator<Example> {
  for await (const batch of readExampleBatches(path, options)) {
    for (const example of batch) yield example;
  }
}
