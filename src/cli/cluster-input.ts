/**
 * The texts `textkit cluster` trains on: lines of a text file, or the text (and label)
 * column of a table.
 */
import { TextkitError } from "../core/index.ts";
import {
  type Dataset,
  datasetFromExamples,
  type Example,
  loadDataset,
  readTextLines,
} from "../data/index.ts";
import { type TextInputFlags, textInputFormat } from "./data-options.ts";

/** The flags that say how to read the texts. */
export interface TextsFlags extends TextInputFlags {
  labelColumn?: string;
}

/** The texts to cluster, with their labels when the file has a label column. */
export async function readTexts(path: string, flags: TextsFlags): Promise<Dataset> {
  const format = textInputFormat(path, flags.format);
  if (format === "text") {
    if (flags.labelColumn !== undefined) {
      throw new TextkitError(
        "OPTION_INVALID",
        "--label-column needs a CSV, TSV or JSONL file; plain text has no columns",
      );
    }
    const examples: Example[] = [];
    for await (const { text, line } of readTextLines(path)) examples.push({ text, labels: [], line });
    if (examples.length === 0) {
      throw new TextkitError("DATA_EMPTY", `${path} has no texts: it is empty or holds only blank lines`, {
        file: path,
      });
    }
    return datasetFromExamples(path, examples);
  }
  return loadDataset(path, {
    format,
    header: flags.header,
    requireLabels: false,
    minClasses: 0,
    skipEmptyText: true,
    ...(flags.textColumn === undefined ? {} : { textColumn: flags.textColumn }),
    ...(flags.labelColumn === undefined ? {} : { labelColumn: flags.labelColumn }),
  });
}
