/**
 * TSV as the ML corpora that use it write it (GLUE's SST-2 and the like): a field ends at
 * a tab or a line break, and quotes are ordinary characters, since those files carry bare
 * quotes in their text and never quote a field. So TSV text cannot contain a tab or a line
 * break. Without quoting a record is a line, which lets TSV skip csv-parse and read at the
 * speed of the line formats.
 */
import type { Example } from "./example.ts";
import { blockLines, readLineBlocks } from "./line-blocks.ts";
import { RecordExamples, type TableOptions } from "./table-columns.ts";

/** Streams the examples of a TSV file in batches. */
export async function* readTsvBatches(path: string, options: TableOptions): AsyncGenerator<Example[]> {
  const advice = options.delimiter === "\t" ? "; TSV text cannot contain tabs" : "";
  const rows = new RecordExamples(path, options, advice);
  for await (const block of readLineBlocks(path, options.maxRecordBytes, options.encoding)) {
    const lines = blockLines(block);
    const batch: Example[] = [];
    for (const [i, piece] of lines.entries()) {
      let raw = piece;
      if (raw.length > 0 && raw.charCodeAt(raw.length - 1) === 13) raw = raw.slice(0, -1);
      if (raw.length === 0) continue;
      const record = raw.split(options.delimiter);
      rows.add(record, block.firstLine + i, batch);
    }
    if (batch.length > 0) yield batch;
  }
}
